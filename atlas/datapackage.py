"""The whole knowledge base as a Frictionless Data Package v2 (https://datapackage.org/).

One CSV per table under `data/`, and a `datapackage.json` describing each table's fields,
primary key and foreign keys. Every table is one query over `.values_list().iterator()`,
written straight into a zip spooled to a temporary file, so memory stays flat.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models

from core.csv_safety import neutralise
from engagement.models import Activity, Cell, EngagementLevel, Framework
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship
from sources.models import Citation, Document, Passage

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
CHUNK_SIZE = 2000
SPOOL_MAX_BYTES = 16 * 1024 * 1024

GUARD_NOTE = (
    "Text values that begin with =, +, -, @, a tab or a carriage return are prefixed with a "
    "single quote (') so that spreadsheets do not run them as formulas; remove that one "
    "character to get the stored text back. Nothing else is changed."
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    lookup: str  # the values_list() lookup
    description: str = ""
    required: bool = False
    unique: bool = False

    def descriptor(self) -> dict:
        out: dict = {"name": self.name, "type": self.type}
        if self.type == "string" and self.lookup != "content_type__model":
            out["description"] = (self.description + " " if self.description else "") + (
                "Guarded against formulas (see the package description)."
            )
        elif self.description:
            out["description"] = self.description
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if constraints:
            out["constraints"] = constraints
        return out


def _fk(column: str, resource: str, field_name: str = "id") -> dict:
    return {"fields": [column], "reference": {"resource": resource, "fields": [field_name]}}


def _id() -> Column:
    return Column("id", "integer", "pk", "Database id; stable within this export.", True, True)


def _slug() -> Column:
    return Column("slug", "string", "slug", "Stable, readable identifier.", True, True)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    model: type[models.Model]
    columns: list[Column]
    primary_key: list[str] = field(default_factory=lambda: ["id"])
    foreign_keys: list[dict] = field(default_factory=list)
    order_by: tuple[str, ...] = ("pk",)

    def descriptor(self) -> dict:
        schema: dict = {
            "fields": [column.descriptor() for column in self.columns],
            "primaryKey": self.primary_key,
        }
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return {
            "name": self.name,
            "title": self.title,
            "type": "table",
            "path": f"data/{self.name}.csv",
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }


TABLES = [
    Table(
        "documents",
        "Source documents",
        Document,
        [
            _id(),
            _slug(),
            Column("title", "string", "title", required=True),
            Column("kind", "string", "kind", required=True),
            Column("authors", "array", "authors", "JSON array of names, in the source's order."),
            Column("publisher", "string", "publisher"),
            Column("published", "date", "published"),
            Column(
                "published_precision",
                "string",
                "published_precision",
                "day, month or year: how much of the date the source gives.",
            ),
            Column("url", "string", "url"),
            Column("language", "string", "language"),
            Column("format", "string", "format"),
            Column("sha256", "string", "sha256", "SHA-256 of the canonical text."),
            Column("text", "string", "text", "The canonical full text.", required=True),
            Column("added_at", "datetime", "added_at"),
        ],
    ),
    Table(
        "passages",
        "Passages of the documents",
        Passage,
        [
            _id(),
            Column("document", "string", "document__slug", required=True),
            Column("ordinal", "integer", "ordinal", required=True),
            Column("anchor", "string", "anchor", "Fragment id in the reader.", required=True),
            Column("kind", "string", "kind", required=True),
            Column("level", "integer", "level"),
            Column("section", "string", "section"),
            Column("start", "integer", "start", "Offset in the document text.", required=True),
            Column("end", "integer", "end", "Offset one past the last character.", required=True),
            Column("text", "string", "text", required=True),
        ],
        foreign_keys=[_fk("document", "documents", "slug")],
        order_by=("document__slug", "ordinal"),
    ),
    Table(
        "institutions",
        "Institutions",
        Institution,
        [
            _id(),
            _slug(),
            Column("name", "string", "name", required=True),
            Column("short_name", "string", "short_name"),
            Column("kind", "string", "kind", required=True),
            Column("jurisdiction", "string", "jurisdiction"),
            Column("parent", "string", "parent__slug", "The body it is part of."),
        ],
        foreign_keys=[{"fields": ["parent"], "reference": {"fields": ["slug"]}}],
    ),
    Table(
        "institution_aliases",
        "Other names of the institutions",
        InstitutionAlias,
        [
            _id(),
            Column("institution", "string", "institution__slug", required=True),
            Column("name", "string", "name", required=True),
            Column("is_former", "boolean", "is_former"),
            Column("valid_from", "date", "valid_from"),
            Column("valid_until", "date", "valid_until"),
            Column("note", "string", "note"),
        ],
        foreign_keys=[_fk("institution", "institutions", "slug")],
    ),
    Table(
        "functions",
        "Functions (the brief's Comparisons of Functions)",
        Function,
        [
            _id(),
            _slug(),
            Column("name", "string", "name", required=True),
            Column("ordinal", "integer", "ordinal"),
        ],
    ),
    Table(
        "mandates",
        "Each institution's status for each function",
        Mandate,
        [
            _id(),
            Column("institution", "string", "institution__slug", required=True),
            Column("function", "string", "function__slug", required=True),
            Column("status", "string", "status", "yes, partial or no.", required=True),
            Column("statement", "string", "statement", "The source's own words.", required=True),
        ],
        foreign_keys=[
            _fk("institution", "institutions", "slug"),
            _fk("function", "functions", "slug"),
        ],
    ),
    Table(
        "relationships",
        "Ties between institutions",
        Relationship,
        [
            _id(),
            _slug(),
            Column("kind", "string", "kind", required=True),
            Column("subject", "string", "subject__slug", required=True),
            Column("object", "string", "object__slug", required=True),
            Column("description", "string", "description"),
            Column("date", "date", "date"),
            Column("date_note", "string", "date_note"),
        ],
        foreign_keys=[
            _fk("subject", "institutions", "slug"),
            _fk("object", "institutions", "slug"),
        ],
    ),
    Table(
        "levels",
        "Levels of engagement, deepest integration first",
        EngagementLevel,
        [
            _id(),
            _slug(),
            Column("name", "string", "name", required=True),
            Column("ordinal", "integer", "ordinal", required=True),
            Column("definition", "string", "definition"),
            Column("conditions", "string", "conditions"),
        ],
    ),
    Table(
        "activities",
        "Common activities",
        Activity,
        [
            _id(),
            _slug(),
            Column("name", "string", "name", required=True),
            Column("ordinal", "integer", "ordinal", required=True),
        ],
    ),
    Table(
        "frameworks",
        "Frameworks (matrices)",
        Framework,
        [
            _id(),
            _slug(),
            Column("name", "string", "name", required=True),
            Column("description", "string", "description"),
            Column("ordinal", "integer", "ordinal"),
            Column("document", "string", "document__slug", "Its source.", required=True),
        ],
        foreign_keys=[_fk("document", "documents", "slug")],
    ),
    Table(
        "framework_institutions",
        "The institutions of each framework",
        Framework.institutions.through,
        [
            Column("framework", "string", "framework__slug", required=True),
            Column("institution", "string", "institution__slug", required=True),
        ],
        primary_key=["framework", "institution"],
        foreign_keys=[
            _fk("framework", "frameworks", "slug"),
            _fk("institution", "institutions", "slug"),
        ],
        order_by=("framework__slug", "institution__slug"),
    ),
    Table(
        "cells",
        "Cells: framework x activity x level",
        Cell,
        [
            _id(),
            Column("framework", "string", "framework__slug", required=True),
            Column("activity", "string", "activity__slug", required=True),
            Column("level", "string", "level__slug", required=True),
            Column("kind", "string", "kind", "verbatim, analyst or empty.", required=True),
            Column("text", "string", "text"),
            Column("emphasised", "boolean", "emphasised", required=True),
        ],
        foreign_keys=[
            _fk("framework", "frameworks", "slug"),
            _fk("activity", "activities", "slug"),
            _fk("level", "levels", "slug"),
        ],
        order_by=("framework__ordinal", "framework__slug", "activity__ordinal", "level__ordinal"),
    ),
    Table(
        "citations",
        "Citations: a claim's pointer to a passage (W3C text quote + position selectors)",
        Citation,
        [
            _id(),
            Column(
                "claim_table",
                "string",
                "content_type__model",
                "The table of the claim this citation supports.",
                required=True,
            ),
            Column(
                "claim_id", "integer", "object_id", "The claim's id in that table.", required=True
            ),
            Column("role", "string", "role", required=True),
            Column("passage", "integer", "passage_id", required=True),
            Column("exact", "string", "exact", "The quote, verbatim.", required=True),
            Column("prefix", "string", "prefix"),
            Column("suffix", "string", "suffix"),
            Column(
                "start", "integer", "start", "Offset of the quote in the passage.", required=True
            ),
            Column("end", "integer", "end", required=True),
            Column("orphaned", "boolean", "orphaned", required=True),
        ],
        foreign_keys=[_fk("passage", "passages")],
    ),
]


def claim_tables() -> dict[str, str]:
    """A claim's model name (as its content type names it) -> its table in this package."""
    return {table.model._meta.model_name: table.name for table in TABLES}


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return neutralise(value)


def descriptor(*, version: int, created: datetime, site_url: str, release=None) -> dict:
    """The package's `datapackage.json`; a release's names it (tag, title, notes)."""
    title = "Engagement Atlas knowledge base"
    extra: dict = {}
    if release is not None:
        title += f", release {release.tag}"
        extra["release"] = {"tag": release.tag, "title": release.title, "notes": release.notes}
    return {
        "$schema": PROFILE,
        "name": "engagement-atlas",
        "title": title,
        "description": (
            "The engagement matrix, its levels and activities, the institutions, their functions "
            "and ties, and every citation into the source documents' passages. Quotes are verbatim "
            "from the source documents, which remain under their publishers' terms. " + GUARD_NOTE
        ),
        "version": str(version),
        "created": created.isoformat(timespec="seconds"),
        **({"homepage": site_url} if site_url else {}),
        **extra,
        "resources": [table.descriptor() for table in TABLES],
    }


def _rows(table: Table) -> Iterator[list[str]]:
    lookups = [column.lookup for column in table.columns]
    queryset = table.model.objects.order_by(*table.order_by).values_list(*lookups)
    claim = lookups.index("content_type__model") if "content_type__model" in lookups else None
    tables = claim_tables()
    for values in queryset.iterator(chunk_size=CHUNK_SIZE):
        row = [_csv_value(value) for value in values]
        if claim is not None:
            row[claim] = tables.get(values[claim], values[claim])
        yield row


def write_datapackage(*, version: int, created: datetime, site_url: str):
    """The package as a zip in a spooled temporary file, positioned at its start."""
    # Handed to FileResponse, which closes it once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    _write(spool, descriptor(version=version, created=created, site_url=site_url))
    spool.seek(0)
    return spool


def build_datapackage(
    *, version: int, created: datetime, site_url: str, release=None
) -> tuple[bytes, dict[str, int]]:
    """The package as bytes, with its rows per table: what a release keeps."""
    buffer = io.BytesIO()
    meta = descriptor(version=version, created=created, site_url=site_url, release=release)
    counts = _write(buffer, meta)
    return buffer.getvalue(), counts


def _write(file, meta: dict) -> dict[str, int]:
    """Write the package into `file`; the number of rows of each table."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
        for table in TABLES:
            with archive.open(f"data/{table.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow([column.name for column in table.columns])
                rows = 0
                for row in _rows(table):
                    writer.writerow(row)
                    rows += 1
                counts[table.name] = rows
                text.flush()
                text.detach()
    return counts
