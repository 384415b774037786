"""Helpers the tests share: fetch a page, read a response back the way its users do, and
make the edits, histories and checks many tests start from."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import openpyxl
import psycopg2
from django.db import connection, transaction

from atlas.releases import release_create
from core.csv_safety import FORMULA_TRIGGERS, GUARD
from engagement.models import Cell, EngagementLevel
from sources.parsing import split_passages


def get_page(client, url: str, status: int = 200) -> str:
    """The HTML of the page at `url`, which must answer `status` (else its start is shown)."""
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def refused_page(client, url: str, parameter: str) -> str:
    """The HTML of the page at `url`, which must be a 400 naming `parameter` as the cause."""
    html = get_page(client, url, status=400)
    assert f"Parameter <code>{parameter}</code>" in html, html[:2000]
    return html


def body(response) -> bytes:
    """The whole body; a streamed one is read once and kept on the response."""
    if not getattr(response, "streaming", False):
        return response.content
    if not hasattr(response, "_read_body"):
        response._read_body = b"".join(response.streaming_content)
    return response._read_body


def read_csv(response) -> list[dict[str, str]]:
    """The CSV as the csv module reads it (newline="" so quoted line breaks survive)."""
    text = body(response).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_xlsx(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def sheet_rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def unguard(value: str) -> str:
    """A value as stored, from its exported form: drop the formula guard and nothing else."""
    if value.startswith(GUARD) and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def form_data(response) -> dict:
    """The POST data of an admin form as rendered: the form, every inline and its management form."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_content(html: str) -> str:
    """The text of an HTML fragment as a browser's `textContent` gives it (tags dropped,
    entities decoded, white space kept)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def changes_since(client, since: int, **params: str) -> list[dict]:
    """Every change the API lists after `since`, following its `next` links to the end."""
    query = urlencode({"since": since, **params})
    url: str | None = f"/api/v1/changes/?{query}"
    found: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content.decode()[:2000]
        page = response.json()
        found += page["results"]
        url = page["next"]
    return found


def postgres_admin(url: str, *statements: str) -> None:
    """Run `statements` on the server `url` names, connected to its `postgres` database
    (fails loudly when PostgreSQL is down; with no statements, only proves it answers)."""
    parts = urlsplit(url)
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        connect_timeout=10,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        admin.close()


def drop_postgres(url: str) -> None:
    """Drop the PostgreSQL database `url` names, if it exists (and whoever is connected)."""
    name = urlsplit(url).path.lstrip("/")
    postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_postgres(url: str) -> None:
    """An empty PostgreSQL database under the name `url` gives."""
    name = urlsplit(url).path.lstrip("/")
    postgres_admin(
        url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )


def brief_cell(activity: str, level: str):
    """The seeded cell of the policy brief's matrix (EU AI Office and UK AISI) at
    `activity` x `level`."""
    return Cell.objects.get(
        framework__slug="eu-ai-office-uk-aisi", activity__slug=activity, level__slug=level
    )


EDITED_CELL_TEXT = "Explanatory guidance re. shared AI safety standards"


def cells_edit(*edits: tuple[str, str]) -> None:
    """Rewrite seeded cells of the EU AI Office / UK AISI `standards` row, each given as
    (level slug, new text), as analyst notes, in one transaction (one change)."""
    with transaction.atomic():
        for level, text in edits:
            cell = brief_cell("standards", level)
            cell.kind, cell.text = "analyst", text
            cell.save()


def release_then_edit(*more_edits: tuple[str, str]) -> None:
    """Release v1.0 ("The brief"), then edit the standards/separation cell since, with
    `more_edits` (as `cells_edit` takes them) in the same transaction."""
    release_create(tag="v1.0", title="The brief")
    cells_edit(("separation", EDITED_CELL_TEXT), *more_edits)


def drop_trigger(table: str, name: str) -> None:
    """Drop the trigger `name` on `table` from the default database, as a lost one would be."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {name}")


def make_history(editor, rounds: int) -> None:
    """A history that grows: `rounds` transactions, each renaming every engagement level
    (as `editor`)."""
    for index in range(rounds):
        with transaction.atomic():
            for level in EngagementLevel.objects.all():
                level.name = f"{level.slug} {index}"
                level._history_user = editor
                level.save()


# What may lie between passages: white space, block markup, and ordered-list numbers.
BETWEEN_PASSAGES = re.compile(r"(?:[\s#*+\-_|:]|\d{1,9}[.)])*")


def split_checked(text: str, *, markdown: bool = False, between: re.Pattern = BETWEEN_PASSAGES):
    """The passages `split_passages` finds, checked against the invariants every split
    keeps: in order, each its own slice of the text, only `between` outside them, numbered
    from 1, anchors unique."""
    passages = split_passages(text, markdown=markdown)
    position = 0
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
        assert passage.start >= position
        assert between.fullmatch(text[position : passage.start]), text[position : passage.start]
        position = passage.end
    assert between.fullmatch(text[position:]), text[position:]
    assert [p.ordinal for p in passages] == list(range(1, len(passages) + 1))
    assert len({p.anchor for p in passages}) == len(passages)
    return passages
