"""The "editors" group: who may change the knowledge base in the admin.

One function builds it, for the data migration that creates it and for `create_editor`,
which repairs it (a test database flushed by a transactional test loses its groups).
"""

from __future__ import annotations

from django.apps import apps as django_apps

from core import registry
from core.accounts import group_sync

EDITORS_GROUP = "editors"
ACTIONS = ("add", "change", "delete", "view")
RELEASE_CODENAMES = ["add_release", "view_release"]


def editor_permission_codenames() -> dict[str, list[str]]:
    """Codenames per app label: editors curate every content model (add, change, delete,
    view), view (hence revert from) its history, make releases, and do what other apps
    declare editors do (`core.registry.register_editor_permissions`)."""
    codenames: dict[str, list[str]] = {}
    for model in registry.content_models():
        name = model._meta.model_name
        codenames.setdefault(model._meta.app_label, []).extend(
            [*(f"{action}_{name}" for action in ACTIONS), f"view_historical{name}"]
        )
    # Editors make releases; nobody changes or deletes one.
    codenames.setdefault("core", []).extend(RELEASE_CODENAMES)
    # What other apps let editors do besides curating content (settle readers' flags).
    for app_label, names in registry.editor_permissions().items():
        codenames.setdefault(app_label, []).extend(names)
    return codenames


def editors_group_sync(
    *,
    apps=django_apps,
    using: str = "default",
    codenames: dict[str, list[str]] | None = None,
):
    """Create the editors group if needed and give it exactly the editor permissions
    (`codenames` per app label; those of today's content models unless given, as a data
    migration gives the ones of its time)."""
    codenames = editor_permission_codenames() if codenames is None else codenames
    return group_sync(EDITORS_GROUP, codenames, apps=apps, using=using)
