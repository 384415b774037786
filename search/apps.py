from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _ensure_index(sender, using, **kwargs) -> None:
    from search.index import ensure_installed

    ensure_installed(connections[using])


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from core.registry import register_matcher
        from search.engine import cell_ids_matching

        # The matrix's keyword filter (engagement) is this search restricted to cells.
        register_matcher("cell", cell_ids_matching)
        # After every migrate: a SQLite table rebuild drops the triggers that keep the index.
        post_migrate.connect(_ensure_index, sender=self, dispatch_uid="search-ensure-index")
