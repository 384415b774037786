"""Releases, and the transaction that last moved the dataset version (one version per
transaction; the triggers are re-created by the apps' history_version migrations)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="datasetversion",
            name="token",
            field=models.CharField(
                blank=True,
                null=True,
                help_text="The transaction that last moved the version (core.dataset).",
                max_length=100,
            ),
        ),
        migrations.CreateModel(
            name="Release",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "tag",
                    models.CharField(
                        help_text="Letters, digits, “.” and “-” (at most 64), e.g. 2025.1 or v1.0.",
                        max_length=64,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$",
                                "Letters, digits, “.” and “-” (at most 64), e.g. 2025.1 or v1.0.",
                            )
                        ],
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=200)),
                ("notes", models.TextField(blank=True)),
                ("created_at", models.DateTimeField()),
                ("version", models.PositiveBigIntegerField(help_text="The dataset version it freezes.")),
                ("counts", models.JSONField(default=dict, help_text="Rows per table of its data package.")),
            ],
            options={
                "ordering": ["-version", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("tag__regex", "^[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$")),
                        name="release_tag_format",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReleasePackage",
            fields=[
                (
                    "release",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="package",
                        serialize=False,
                        to="core.release",
                    ),
                ),
                ("content", models.BinaryField()),
                ("sha256", models.CharField(max_length=64)),
                ("size", models.PositiveBigIntegerField()),
            ],
        ),
    ]
