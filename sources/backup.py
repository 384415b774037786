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

FORMAT = "atlas-json"

# The whole knowledge base and its history, and the accounts the history names. Content
# types and permissions are referred to by natural key, so ids may differ between databases.
BACKUP_LABELS = (
    "sources",
    "institutions",
    "engagement",
    "auth.group",
    "auth.user",
    "admin.logentry",
)
# Kept by database triggers, not data: `restore` moves it forward instead.
BACKUP_EXCLUDE = ("sources.datasetversion",)

__all__ = ["BACKUP_EXCLUDE", "BACKUP_LABELS", "FORMAT", "Deserializer", "Serializer", "register"]


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()


def register() -> None:
    if FORMAT not in serializers.get_serializer_formats():
        serializers.register_serializer(FORMAT, __name__)
