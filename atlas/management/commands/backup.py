"""Write the whole knowledge base, its history and the editors' accounts to a JSON file."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from atlas import backup
from core.progress import interactive


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
            # On a terminal, dumpdata draws the progress of the serializer (tqdm).
            verbosity=1 if interactive(sys.stderr) else 0,
            stdout=self.stdout,
        )
        self.stdout.write(f"Backed up to {file}.")
