"""The backup format: Django's JSON fixtures, with timestamps kept to the microsecond.

Django's JSON encoder cuts datetimes to milliseconds; a backup must restore exactly what
was saved, so this serializer writes full ISO 8601 timestamps. The files stay ordinary
JSON fixtures: `loaddata` (and `restore`) read them with the stock deserializer.
"""

from __future__ import annotations

import datetime

from django.core import serializers
from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

from core import registry
from core.progress import progress_bar

FORMAT = "atlas-json"
# The dataset version the source had served, and the releases with their data packages.
CORE_LABELS = ("core.datasetversion", "core.release", "core.releasepackage")
# The accounts the history names, and the admin's log of their work.
ACCOUNT_LABELS = ("auth.group", "auth.user", "admin.logentry")

__all__ = ["FORMAT", "Deserializer", "Serializer", "backup_labels", "register"]


def knowledge_base_apps() -> tuple[str, ...]:
    """The apps that hold the knowledge base (its content and that content's history)."""
    return tuple(dict.fromkeys(model._meta.app_label for model in registry.content_models()))


def backup_labels() -> tuple[str, ...]:
    """What a backup holds: the dataset version, the releases, the knowledge base and its
    history, the accounts, and what other apps keep about them (readers' flags:
    `core.registry.register_backup_labels`). Content types and permissions are referred to
    by natural key, so ids may differ between databases. `restore` moves the version past
    the one the backup records, so no version number the source served is ever served
    again."""
    return (*CORE_LABELS, *knowledge_base_apps(), *ACCOUNT_LABELS, *registry.backup_extra_labels())


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupProgress:
    """What Django's serializers draw progress with (`ProgressBar`'s interface: made with the
    stream and the number of objects, told the count written so far), drawn by tqdm."""

    def __init__(self, output, total_count: int) -> None:
        # dumpdata gives an output (and counts the rows) only when its stdout is a terminal.
        self.bar = progress_bar(desc="Backing up", total=total_count or None, unit="row")
        self.bar.disable = self.bar.disable or output is None
        self.written = 0

    def update(self, count: int) -> None:
        self.bar.update(count - self.written)
        self.written = count
        if self.bar.total is not None and count >= self.bar.total:
            self.bar.close()


class Serializer(JSONSerializer):
    # dumpdata shows it when its output is a file and its stdout a terminal.
    progress_class = BackupProgress

    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()


def register() -> None:
    if FORMAT not in serializers.get_serializer_formats():
        serializers.register_serializer(FORMAT, __name__)
