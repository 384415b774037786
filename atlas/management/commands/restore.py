"""Load a backup written by `backup` into this database, in one transaction."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_save
from django.test.utils import override_settings
from django.utils import timezone

from atlas.backup import knowledge_base_apps
from core import registry
from core.dataset import dataset_version
from core.models import DatasetVersion, Release
from core.progress import interactive, progress_bar


def knowledge_base_rows() -> int:
    return Release.objects.count() + sum(
        model.objects.count()
        for label in knowledge_base_apps()
        for model in apps.get_app_config(label).get_models()
    )


def history_version_max() -> int:
    """The highest version any history record was written at."""
    return max(
        (
            model._default_manager.aggregate(top=Max("history_version"))["top"] or 0
            for model in registry.history_models()
        ),
        default=0,
    )


# A backup is written with indent=1: this line opens each object.
_OBJECT = b' "model": '


@contextmanager
def loading_progress(file: Path):
    """A bar over the objects of the backup, advanced as loaddata saves each (it saves them
    raw, one post_save each); nothing at all unless stderr is a terminal."""
    if not interactive(sys.stderr):
        yield
        return
    with file.open("rb") as handle:
        total = sum(1 for line in handle if line.startswith(_OBJECT))
    with progress_bar(desc="Restoring", total=total, unit="row") as bar:

        def saved(sender, raw=False, **kwargs):
            if raw:
                bar.update(1)

        post_save.connect(saved, dispatch_uid="atlas-restore-progress", weak=False)
        try:
            yield
        finally:
            post_save.disconnect(dispatch_uid="atlas-restore-progress")


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
                with override_settings(SIMPLE_HISTORY_ENABLED=False), loading_progress(file):
                    call_command("loaddata", str(file), verbosity=0)
            except Exception as error:
                raise CommandError(f"{file}: {error}") from None
            # Move the version past every one this database served and every one the source
            # served (the backup records it; a backup made before it did still carries its
            # history's versions), so no client, cache or citation sees a number again.
            served = max(version_before, dataset_version().version, history_version_max())
            DatasetVersion.objects.update_or_create(
                pk=1,
                defaults={"version": served + 1, "changed_at": timezone.now(), "token": None},
            )
        self.stdout.write(f"Restored {file}: {knowledge_base_rows()} knowledge-base rows.")
