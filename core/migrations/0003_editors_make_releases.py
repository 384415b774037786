"""Editors make releases (add and view; no one may change or delete a release)."""

from django.db import migrations

# The permissions of the time, as codenames (a migration keeps its own list).
MODELS = {
    "sources": ("document", "passage", "citation"),
    "institutions": ("institution", "institutionalias", "function", "mandate", "relationship"),
    "engagement": ("engagementlevel", "activity", "framework", "cell"),
}
CODENAMES = {
    **{
        app_label: [
            codename
            for model in models
            for codename in (
                *(f"{action}_{model}" for action in ("add", "change", "delete", "view")),
                f"view_historical{model}",
            )
        ]
        for app_label, models in MODELS.items()
    },
    "core": ["add_release", "view_release"],
}


def grant(apps, schema_editor):
    from atlas.editors import editors_group_sync

    editors_group_sync(apps=apps, using=schema_editor.connection.alias, codenames=CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_releases_and_transaction_versions"),
        ("engagement", "0006_history_version"),
        ("institutions", "0003_history_version"),
        ("sources", "0005_history_version"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
