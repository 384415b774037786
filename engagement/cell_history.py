"""A cell's history over the API: who changed it, when, and what changed.

Served at /api/v1/cells/<id>/history/ by the `history` action of `engagement.api.CellViewSet`.
"""

from __future__ import annotations

from itertools import pairwise

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.history import HISTORY_TYPES, display_name
from core.visibility import private_hidden, private_q
from engagement.models import Cell

# Bookkeeping, not content: every save moves it.
NOT_CHANGES = ["updated_at"]


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField()
    new = serializers.JSONField()


class CellHistorySerializer(serializers.Serializer):
    """One version of a cell: when, who, what kind of change, and the fields that changed."""

    id = serializers.IntegerField(source="history_id")
    date = serializers.DateTimeField(source="history_date")
    type = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    kind = serializers.CharField()
    text = serializers.CharField()
    emphasised = serializers.BooleanField()
    changes = serializers.SerializerMethodField()
    evidence = serializers.CharField()
    note = serializers.CharField()

    class Meta:
        fields = [
            "id",
            "date",
            "type",
            "user",
            "reason",
            "kind",
            "text",
            "emphasised",
            "changes",
            "evidence",
            "note",
        ]

    def get_type(self, record) -> str:
        return HISTORY_TYPES[record.history_type]

    def get_user(self, record) -> str | None:
        """The editor's public name (never the username or e-mail); None for commands."""
        return display_name(record.history_user) if record.history_user else None

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, record) -> list[dict]:
        previous = self.context["previous"].get(record.history_id)
        if previous is None:
            return []
        delta = record.diff_against(previous, excluded_fields=NOT_CHANGES)
        return [
            {"field": change.field, "old": change.old, "new": change.new}
            for change in delta.changes
        ]


def cell_history(pk: int) -> tuple[list, dict]:
    """A cell's versions, newest first, each with the version before it (one query)."""
    found = Cell.history.filter(id=pk)
    private = private_q(Cell) if private_hidden() else None
    if private is not None:
        # A draft's cell has no history the public may read (its framework is a draft now).
        found = found.exclude(private)
    records = list(found.select_related("history_user").order_by("-history_date", "-history_id"))
    previous = {newer.history_id: older for newer, older in pairwise(records)}
    return records, previous
