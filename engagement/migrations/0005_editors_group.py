from django.db import migrations


def create_group(apps, schema_editor):
    from engagement.editors import editors_group_sync

    editors_group_sync(apps=apps, using=schema_editor.connection.alias)


def delete_group(apps, schema_editor):
    from engagement.editors import EDITORS_GROUP

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
