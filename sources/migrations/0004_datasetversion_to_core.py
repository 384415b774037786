"""The dataset version is the core's now (core/models.py); the table is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0003_passage_retired_history"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DatasetVersion")],
            database_operations=[],
        )
    ]
