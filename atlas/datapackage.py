"""The whole knowledge base as a Frictionless Data Package v2 (https://datapackage.org/).

One CSV per table under `data/`, and a `datapackage.json` describing each table's fields,
primary key and foreign keys. Every table is one query over `.values_list().iterator()`,
written straight into a zip spooled to a temporary file, so memory stays flat. The tables
are those the content models declare (`core.registry.Content.tables`): a model declared is
a model exported.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from core import registry
from core.csv_safety import neutralise
from core.package import Table
from core.visibility import visible

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
CHUNK_SIZE = 2000
SPOOL_MAX_BYTES = 16 * 1024 * 1024

GUARD_NOTE = (
    "Text values that begin with =, +, -, @, a tab or a carriage return are prefixed with a "
    "single quote (') so that spreadsheets do not run them as formulas; remove that one "
    "character to get the stored text back. Nothing else is changed."
)


def tables() -> list[Table]:
    """Every content model's tables (`core.registry.Content.tables`), in the order the apps
    declared them; the citations last, as they point at claims of every other table."""
    declarations = sorted(registry.declarations(), key=lambda content: content.cites is not None)
    return [table for content in declarations for table in content.tables]


def claim_tables() -> dict[str, str]:
    """A claim's model name (as its content type names it) -> its table in this package."""
    return {str(table.model._meta.model_name): table.name for table in tables()}


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
        "resources": [table.descriptor() for table in tables()],
    }


def _rows(table: Table) -> Iterator[list[str]]:
    lookups = [column.lookup for column in table.columns]
    # Drafts left out for those who may not see them, join tables included (`core.visibility`).
    rows = visible(table.model._default_manager.all())
    queryset = rows.order_by(*table.order_by).values_list(*lookups)
    claim = lookups.index("content_type__model") if "content_type__model" in lookups else None
    claims = claim_tables()
    for values in queryset.iterator(chunk_size=CHUNK_SIZE):
        row = [_csv_value(value) for value in values]
        if claim is not None:
            row[claim] = claims.get(values[claim], values[claim])
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
        for table in tables():
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
