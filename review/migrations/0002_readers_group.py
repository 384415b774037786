"""The readers group (flag, and see their own flags) and the editors' part in flags (see
every flag, settle them, flag too)."""

from django.db import migrations

# The permissions of the time, as codenames (a migration keeps its own list).
READERS = {"review": ["add_flag", "view_flag"]}
EDITORS = ["add_flag", "change_flag", "view_flag"]


def grant(apps, schema_editor):
    from core.accounts import group_sync

    using = schema_editor.connection.alias
    group_sync("readers", READERS, apps=apps, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.using(using).get_or_create(name="editors")
    editors.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="review", codename__in=EDITORS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_flags"),
        ("core", "0003_editors_make_releases"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
