"""System checks (`manage.py check`): every content model is declared, and its triggers are
in the database.

A model that keeps a history (django-simple-history) is content: its writes must move the
dataset version, which every cache and ETag keys on. The triggers that move it are built
from the declarations (`core.registry.Content`), so a model left undeclared would be
written without moving it, and cached pages would silently go stale; `core.E001` says so
before anything runs. `core.E003` (with `--database`, and before `migrate`) finds the
declared models whose triggers are missing from the database itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig, apps
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections, models
from django.db.migrations.executor import MigrationExecutor

from core import registry, scopes
from core.dataset import expected_triggers, installed_triggers

DECLARE = (
    "Declare it once, in its app's content.py, as a core.registry.Content registered from "
    "the app's ready(); then `manage.py migrate` installs its triggers."
)


def _has_history(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _models(app_configs: Iterable[AppConfig] | None) -> list[type[models.Model]]:
    if app_configs is None:
        return list(apps.get_models())
    return [model for config in app_configs for model in config.get_models()]


@register()
def content_declared(app_configs: Iterable[AppConfig] | None = None, **kwargs: Any):
    """core.E001: a model with history that no declaration names; core.E002: a declared
    model without history (the changes feed, releases and backups read it)."""
    errors: list[CheckMessage] = []
    for model in _models(app_configs):
        declared = registry.declaration(model) is not None
        if _has_history(model) and not declared:
            errors.append(
                Error(
                    f"{model._meta.label} keeps a history but is not declared as content: "
                    "writes to it would not move the dataset version, and cached pages "
                    "would go stale.",
                    hint=DECLARE,
                    obj=model,
                    id="core.E001",
                )
            )
        elif declared and not _has_history(model):
            errors.append(
                Error(
                    f"{model._meta.label} is declared as content but keeps no history.",
                    hint="Give it `history = HistoricalRecords(bases=[VersionedHistory])` "
                    "(core.history) and make its migration.",
                    obj=model,
                    id="core.E002",
                )
            )
    return errors


@register(Tags.database)
def content_triggers(databases: Iterable[str] | None = None, **kwargs: Any):
    """core.E003: a declared model whose dataset-version or scope triggers are missing from
    a database (run with `check --database default`). A database with migrations still to
    apply is left alone: `migrate` installs the triggers once its tables are there."""
    errors: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            continue
        existing = set(connection.introspection.table_names())
        installed = installed_triggers(connection)
        scope_triggers = scopes.expected_triggers(connection.vendor)
        for content in registry.declarations():
            missing = sorted(_triggers(content.model, connection.vendor, scope_triggers, existing))
            missing = [trigger for trigger in missing if trigger not in installed]
            if missing:
                names = ", ".join(f"{name} on {table}" for table, name in missing)
                errors.append(
                    Error(
                        f"{content.model._meta.label} lacks triggers in the database "
                        f"{alias!r}: {names}. Its writes would not move the dataset version "
                        "or its scopes, and cached pages would go stale.",
                        hint="`manage.py migrate --skip-checks` puts them back "
                        "(core.dataset.ensure_triggers and core.scopes.install run after "
                        "every migrate).",
                        obj=content.model,
                        id="core.E003",
                    )
                )
    return errors


def _triggers(
    model: type[models.Model], vendor: str, scope_triggers: set, existing: set[str]
) -> set[tuple[str, str]]:
    """(table, trigger) of the triggers `model`'s tables need, for the tables there are."""
    tables = registry.content_tables([model])
    history = (model.history.model._meta.db_table,) if _has_history(model) else ()  # type: ignore[attr-defined]
    wanted = expected_triggers(vendor, tables, history)
    wanted |= {trigger for trigger in scope_triggers if trigger[0] in tables}
    return {trigger for trigger in wanted if trigger[0] in existing}
