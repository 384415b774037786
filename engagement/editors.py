"""The "editors" group: who may change the knowledge base in the admin.

One function builds it, for the data migration that creates it and for `create_editor`,
which repairs it (a test database flushed by a transactional test loses its groups).
"""

from __future__ import annotations

from django.apps import apps as django_apps

EDITORS_GROUP = "editors"

# Every content model an editor curates; editors may add, change, delete and view them,
# and view (hence revert from) their history.
EDITOR_MODELS = {
    "sources": ("document", "passage", "citation"),
    "institutions": ("institution", "institutionalias", "function", "mandate", "relationship"),
    "engagement": ("engagementlevel", "activity", "framework", "cell"),
}
ACTIONS = ("add", "change", "delete", "view")


def editor_permission_codenames() -> dict[str, list[str]]:
    """Codenames per app label: the four actions on each model, `view` on its history."""
    codenames: dict[str, list[str]] = {}
    for app_label, models in EDITOR_MODELS.items():
        codenames[app_label] = [f"{action}_{model}" for model in models for action in ACTIONS]
        codenames[app_label] += [f"view_historical{model}" for model in models]
    return codenames


def editors_group_sync(*, apps=django_apps, using: str = "default"):
    """Create the editors group if needed and give it exactly the editor permissions."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after `migrate`; a data migration must make them.
    for app_config in apps.get_app_configs():
        if app_config.label in {*EDITOR_MODELS, "auth", "contenttypes"}:
            module = getattr(app_config, "models_module", None)
            app_config.models_module = True
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
            app_config.models_module = module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    wanted = []
    for app_label, codenames in editor_permission_codenames().items():
        found = list(
            Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise LookupError(f"Permissions missing in {app_label}: {', '.join(sorted(missing))}")
        wanted += found
    group.permissions.set(wanted)
    return group
