from django.db import migrations

from sources.versioning import version_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0002_initial"),
        ("institutions", "0001_initial"),
        ("sources", "0001_initial"),
    ]

    operations = [version_triggers()]
