"""Text already stored, however hostile (markup, TeX and BibTeX syntax, control characters),
makes every reference and the Markdown export: none fails, none is armed, and each reader
gets the stored text back.

From now on the API and the admin refuse control characters; these are written straight to
the database, as older data or a bulk load may hold them.
"""

from __future__ import annotations

import json

import pytest
import rispy

from engagement.models import EngagementLevel
from sources.models import Document
from sources.references import one_line
from tests.factories import (
    ActivityFactory,
    CellFactory,
    CitationFactory,
    DocumentFactory,
    FrameworkFactory,
    PassageFactory,
)
from tests.references import (
    html_cells,
    markdown_html,
    md_expected,
    read_bibtex,
    tex_text,
    validate_csl,
)

pytestmark = pytest.mark.usefixtures("kb")

HOSTILE = (
    'A "quote" it\'s <script>alert(1)</script> [x](javascript:alert(1)) <b>bold</b> *em* '
    "{brace} } \\ % & # _ $x$ ~ ^ @key -- e.g. |pipe| `code` \x01\x0b\x0c\x1f\x7f "
    "line\nbreak"
)


@pytest.fixture
def hostile_cell():
    document = DocumentFactory()
    passage = PassageFactory(document=document, text=f"Passage: {HOSTILE}")
    Document.objects.filter(pk=document.pk).update(
        title=f"Title {HOSTILE}",
        authors=["Ada and Grace {Lovelace}", f"Name {HOSTILE}"],
        publisher=f"Publisher {HOSTILE}",
        url="https://example.org/{x}\\y",
    )
    framework = FrameworkFactory(document=Document.objects.get(pk=document.pk), name=HOSTILE)
    cell = CellFactory(
        framework=framework,
        activity=ActivityFactory(name=f"Activity {HOSTILE}"),
        level=EngagementLevel.objects.get(slug="coordination"),
        text=f"Cell {HOSTILE}",
    )
    CitationFactory(claim=cell, passage=passage)
    return cell


def test_every_reference_format_is_made_and_reads_back(client, hostile_cell):
    framework = hostile_cell.framework
    cite = hostile_cell.get_absolute_url() + "cite."
    urls = [f"/frameworks/{framework.slug}/export.{f}" for f in ("bib", "ris", "csl.json")]
    urls += [cite + f for f in ("bib", "json", "ris", "txt")]
    urls += [f"/documents/{framework.document.slug}/cite.{f}" for f in ("bib", "json", "ris")]
    for url in urls:
        assert client.get(url).status_code == 200, url

    bib = client.get(urls[0]).content.decode()
    document_entry, cell_entry = read_bibtex(bib).entries.values()
    assert tex_text(document_entry.fields["title"]) == one_line(f"Title {HOSTILE}")
    assert tex_text(cell_entry.fields["booktitle"]) == one_line(f"Title {HOSTILE}")
    assert tex_text(cell_entry.fields["title"]) == hostile_cell.cited[0].passage.anchor
    note = tex_text(cell_entry.fields["note"])
    assert note.startswith(f"Engagement matrix “{one_line(HOSTILE)}”, Activity {one_line(HOSTILE)}")
    # The quote is the passage as the reader shows it (Markdown marks and link syntax are
    # not part of it), whatever it holds.
    assert f"“{one_line(hostile_cell.cited[0].exact)}”" in note
    assert "Original: https://example.org/{x}\\y" in note
    authors = cell_entry.persons["author"]
    assert len(authors) == 2 and tex_text(str(authors[0])) == "{Lovelace}, Ada and Grace"
    # "Given Family": the last word is the family name.
    given, _, family = one_line(f"Name {HOSTILE}").rpartition(" ")
    assert tex_text(str(authors[1])) == f"{family}, {given}"
    assert set(cell_entry.fields) == {
        "title",
        "booktitle",
        "publisher",
        "type",
        "url",
        "urldate",
        "note",
        "langid",
    }  # fmt: skip: no field was added, none lost (this document has no date)

    items = json.loads(client.get(urls[2]).content)
    validate_csl(items)
    assert items[1]["container-title"] == one_line(f"Title {HOSTILE}")
    assert items[1]["author"][1] == {"family": family, "given": given}

    records = rispy.loads(client.get(urls[1]).content.decode())
    assert [r["title"] for r in records] == [one_line(f"Title {HOSTILE}"), items[1]["title"]]
    assert records[1]["notes"] == [items[1]["note"]]


@pytest.mark.parametrize(
    "processor", [pytest.param("pandoc", marks=pytest.mark.pandoc), "python-markdown"]
)
def test_the_markdown_export_renders_the_stored_text_and_no_markup(client, hostile_cell, processor):
    markdown = client.get(f"/frameworks/{hostile_cell.framework.slug}/export.md").content.decode()
    html = markdown_html(markdown, processor=processor)
    cells, tags = html_cells(html)
    assert md_expected(f"Activity {HOSTILE}") in cells
    assert any(c.startswith(md_expected(f"Cell {HOSTILE}")) for c in cells)
    assert not {"script", "b", "em", "strong", "img"} & set(tags)
    assert 'href="javascript' not in html
