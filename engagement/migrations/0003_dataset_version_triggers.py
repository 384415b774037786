from django.db import migrations

from core.dataset import version_triggers

# The content tables as they were when this migration was written; tables added later get
# their triggers from `core.dataset.ensure_triggers`, which runs after every migrate.
TABLES = (
    "sources_document",
    "sources_passage",
    "sources_citation",
    "institutions_institution",
    "institutions_institutionalias",
    "institutions_function",
    "institutions_mandate",
    "institutions_relationship",
    "engagement_engagementlevel",
    "engagement_activity",
    "engagement_framework",
    "engagement_framework_institutions",
    "engagement_cell",
)


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0002_initial"),
        ("institutions", "0001_initial"),
        ("sources", "0001_initial"),
    ]

    operations = [version_triggers(TABLES)]
