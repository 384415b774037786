"""Load a backup written by `backup` into this database, in one transaction."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from atlas.backup import knowledge_base_apps
from core.dataset import dataset_version
from core.models import DatasetVersion


def knowledge_base_rows() -> int:
    return sum(
        model.objects.count()
        for label in knowledge_base_apps()
        for model in apps.get_app_config(label).get_models()
    )


class Command(BaseCommand):
    help = (
        "Restore a backup into a migrated database whose knowledge base is empty; with "
        "--replace, first erase everything in it (content, history, users). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Erase this database's data (every table) before loading the backup.",
        )

    def handle(self, *args, file: Path, replace: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        if file.suffix != ".json":
            raise CommandError(f"{file}: a backup is a .json file")
        version_before = dataset_version().version
        with transaction.atomic():
            rows = knowledge_base_rows()
            if rows and not replace:
                raise CommandError(
                    f"This database already holds {rows} knowledge-base rows; restore into an "
                    "empty database, or pass --replace to erase it first."
                )
            if replace:
                call_command("flush", interactive=False, verbosity=0)
            try:
                # The backup holds the history itself: loading must not add to it (history
                # skips raw saves, but not the many-to-many changes loaddata makes).
                with override_settings(SIMPLE_HISTORY_ENABLED=False):
                    call_command("loaddata", str(file), verbosity=0)
            except Exception as error:
                raise CommandError(f"{file}: {error}") from None
            # Loading bumped the version from wherever the flush left it; move it past every
            # version this database has served, so no cache or ETag sees an old number again.
            current = dataset_version().version
            DatasetVersion.objects.update_or_create(
                pk=1,
                defaults={"version": version_before + current + 1, "changed_at": timezone.now()},
            )
        self.stdout.write(f"Restored {file}: {knowledge_base_rows()} knowledge-base rows.")
