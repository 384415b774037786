"""`?format=csv` on every list: one row per object, flat columns with human headers.

The columns are the serializer's fields. A field holding nested objects (citations,
aliases, mandates) becomes one column of `|`-separated summaries, each written by the
nested serializer's own `csv_summary(item)`; this module knows no domain field. Every
value is formula-safe (`core.csv_safety`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from core.csv_safety import neutralise
from core.exports import csv_lines

# Rows serialised per chunk of a streamed CSV: prefetches run once per chunk.
CSV_CHUNK_ROWS = 1000

_LABELS = {"id": "ID", "api_url": "API URL", "html_url": "Page", "url": "URL"}


def column_label(name: str, field) -> str:
    if name in _LABELS:
        return _LABELS[name]
    if name.endswith("_html_url"):
        return f"{name[: -len('_html_url')].replace('_', ' ').capitalize()} page"
    if name.endswith("_api_url"):
        return f"{name[: -len('_api_url')].replace('_', ' ').capitalize()} API URL"
    label = getattr(field, "label", None)
    return str(label) if label else name.replace("_", " ").capitalize()


def column_meaning(field) -> str:
    """What a column holds, in words, for the schema: the field's help text, its choices,
    and whether it holds several values."""
    parts = []
    help_text = getattr(field, "help_text", None)
    if help_text:
        parts.append(str(help_text).rstrip(".") + ".")
    if isinstance(field, serializers.SlugRelatedField):
        name = (field.field_name or "related object").replace("_", " ")
        parts.append(f"The {name}'s `{field.slug_field}`.")
    elif isinstance(field, serializers.ChoiceField):
        parts.append("One of " + ", ".join(f"`{value}`" for value in field.choices) + ".")
    elif isinstance(field, serializers.BooleanField):
        parts.append("`true` or `false`.")
    if isinstance(field, (serializers.ListSerializer, serializers.ListField)):
        parts.append("Several, separated by ` | `.")
    return " ".join(parts)


def _summary(field, item) -> str:
    """One nested object in words, as its serializer summarises it for a CSV cell."""
    if isinstance(item, dict):
        summarise = getattr(field, "csv_summary", None)
        if summarise is not None:
            return summarise(item)
        return json.dumps(item, ensure_ascii=False, default=str)
    return "" if item is None else str(item)


def flat_value(field, value) -> str:
    """A serialized value as one CSV cell: lists `|`-joined, nested objects summarised."""
    if isinstance(value, list):
        child = getattr(field, "child", None)
        return neutralise(" | ".join(_summary(child, item) for item in value))
    if isinstance(value, dict):
        return neutralise(_summary(field, value))
    return neutralise(value)


class CsvTable:
    """The columns of a serializer as CSV: a header row, then one row per serialized object."""

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields
        self.names = list(fields)

    def header(self) -> list[str]:
        return [column_label(name, self.fields[name]) for name in self.names]

    def row(self, data: dict) -> list[str]:
        return [flat_value(self.fields[name], data.get(name)) for name in self.names]

    def lines(self, rows: Iterable[dict]) -> Iterator[bytes]:
        return csv_lines(self.header(), (self.row(data) for data in rows))

    def describe(self) -> str:
        """The columns in Markdown, for the schema: header, field, meaning."""
        return "\n".join(
            f"- `{label}` (`{name}`)" + (f": {meaning}" if meaning else "")
            for name, label in zip(self.names, self.header(), strict=True)
            for meaning in [column_meaning(self.fields[name])]
        )


class CSVRenderer(BaseRenderer):
    """Renders what a view serialized (a list, or one object) as CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""  # no body: a deletion's 204
        view = (renderer_context or {}).get("view")
        rows = data if isinstance(data, list) else [data]
        fields = view.get_serializer().fields if view is not None else {}
        if not fields and rows:
            fields = {name: serializers.Field() for name in rows[0]}
        return b"".join(CsvTable(fields).lines(rows))
