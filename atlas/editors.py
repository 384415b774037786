"""The "editors" group: who may change the knowledge base in the admin.

One function builds it, for the data migration that creates it and for `create_editor`,
which repairs it (a test database flushed by a transactional test loses its groups).
"""

from __future__ import annotations

from django.apps import apps as django_apps

from core import registry

EDITORS_GROUP = "editors"
ACTIONS = ("add", "change", "delete", "view")
RELEASE_CODENAMES = ["add_release", "view_release"]


def editor_permission_codenames() -> dict[str, list[str]]:
    """Codenames per app label: editors curate every content model (add, change, delete,
    view), view (hence revert from) its history, and make releases."""
    codenames: dict[str, list[str]] = {}
    for model in registry.content_models():
        name = model._meta.model_name
        codenames.setdefault(model._meta.app_label, []).extend(
            [*(f"{action}_{name}" for action in ACTIONS), f"view_historical{name}"]
        )
    # Editors make releases; nobody changes or deletes one.
    codenames.setdefault("core", []).extend(RELEASE_CODENAMES)
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
    from django.contrib.auth.management import create_permissions

    codenames = editor_permission_codenames() if codenames is None else codenames
    # Permissions are normally created after `migrate`; a data migration must make them.
    for app_config in apps.get_app_configs():
        if app_config.label in {*codenames, "auth", "contenttypes"}:
            module = getattr(app_config, "models_module", None)
            app_config.models_module = True
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
            app_config.models_module = module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    wanted = []
    for app_label, names in codenames.items():
        found = list(
            Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=names
            )
        )
        missing = set(names) - {p.codename for p in found}
        if missing:
            raise LookupError(f"Permissions missing in {app_label}: {', '.join(sorted(missing))}")
        wanted += found
    group.permissions.set(wanted)
    return group
