from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _ensure_version_triggers(sender, using, **kwargs) -> None:
    from core import scopes
    from core.dataset import ensure_triggers

    ensure_triggers(connections[using])
    scopes.install(connections[using])


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import checks  # noqa: F401  (registers the system checks)
        from core.dataset import sqlite_connection_setup

        # SQLite's version triggers ask each connection which transaction they run in.
        connection_created.connect(sqlite_connection_setup, dispatch_uid="core-sqlite-transaction")
        # After every migrate: a SQLite table rebuild drops the dataset-version and scope
        # triggers, and a content table added since has none yet.
        post_migrate.connect(
            _ensure_version_triggers, sender=self, dispatch_uid="core-ensure-triggers"
        )
