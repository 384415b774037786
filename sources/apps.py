from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _ensure_version_triggers(sender, using, **kwargs) -> None:
    from sources.versioning import ensure_triggers

    ensure_triggers(connections[using])


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"

    def ready(self) -> None:
        # After every migrate: a SQLite table rebuild drops the dataset-version triggers.
        post_migrate.connect(
            _ensure_version_triggers, sender=self, dispatch_uid="sources-ensure-triggers"
        )
