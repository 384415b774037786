"""The full-text index: a GIN-indexed tsvector on PostgreSQL, an FTS5 table on SQLite.

Vendor-checked in `search.index`, so each database gets its own; the triggers it installs
keep the entries in step with every write to the content tables, and it fills the entries
from the rows already there.
"""

from django.db import migrations

from search import index


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
        ("engagement", "0003_dataset_version_triggers"),
        ("institutions", "0001_initial"),
        ("sources", "0002_passage_html"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: index.install(schema_editor),
            lambda apps, schema_editor: index.uninstall(schema_editor),
        ),
    ]
