"""Write the whole knowledge base, its history and the editors' accounts to a JSON file."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from atlas import backup


class Command(BaseCommand):
    help = (
        "Back up documents, passages, citations, institutions, the framework, every history "
        "record, users and groups to FILE (JSON with natural keys; `restore` reads it back into "
        "SQLite or PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        backup.register()
        call_command(
            "dumpdata",
            *backup.backup_labels(),
            format=backup.FORMAT,
            natural_foreign=True,
            natural_primary=True,
            indent=1,
            output=str(file),
            verbosity=0,
        )
        self.stdout.write(f"Backed up to {file}.")
