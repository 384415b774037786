"""The dataset version moves from sources to core; its table stays where it is."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("sources", "0003_passage_retired_history")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DatasetVersion",
                    fields=[
                        (
                            "id",
                            models.PositiveSmallIntegerField(
                                default=1, primary_key=True, serialize=False
                            ),
                        ),
                        ("version", models.PositiveBigIntegerField(default=1)),
                        ("changed_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "sources_datasetversion",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("id", 1)), name="dataset_version_singleton"
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
