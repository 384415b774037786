from django.db import migrations

# The content models of the time, as codenames: a migration keeps its own list, so that it
# gives the same permissions whatever models are added later.
MODELS = {
    "sources": ("document", "passage", "citation"),
    "institutions": ("institution", "institutionalias", "function", "mandate", "relationship"),
    "engagement": ("engagementlevel", "activity", "framework", "cell"),
}
CODENAMES = {
    app_label: [
        codename
        for model in models
        for codename in (
            *(f"{action}_{model}" for action in ("add", "change", "delete", "view")),
            f"view_historical{model}",
        )
    ]
    for app_label, models in MODELS.items()
}


def create_group(apps, schema_editor):
    from atlas.editors import editors_group_sync

    editors_group_sync(apps=apps, using=schema_editor.connection.alias, codenames=CODENAMES)


def delete_group(apps, schema_editor):
    from atlas.editors import EDITORS_GROUP

    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name=EDITORS_GROUP
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagement", "0004_history"),
        ("institutions", "0002_history"),
        ("sources", "0003_passage_retired_history"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
