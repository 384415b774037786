"""References and the Markdown export's text, as pure functions: keys, pinpoints, escaping.

Each format is read back by the tool its users read it with: pybtex (strict) and TeX's
meaning of the escapes, rispy, the CSL-JSON schema, Python-Markdown and pandoc.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.exports import md_escape
from sources.models import DatePrecision, Document, DocumentKind, Passage, PassageKind
from sources.references import (
    Reference,
    bibtex_escape,
    bibtex_url,
    citation_key,
    control_picture,
    key_stem,
    one_line,
    passage_pinpoint,
    to_bibtex,
    to_csl,
    to_ris,
    to_text,
)
from tests.references import (
    html_cells,
    markdown_html,
    md_expected,
    read_bibtex,
    tex_text,
    validate_csl,
)

BRIEF_AUTHORS = ["Lara Thurnherr", "Risto Uuk"]
TABLE = "Executive summary > Table 1: Areas for potential Collaboration, Coordination"
HEADER = "Common activities\tCollaboration\tCoordination\tCommunication\tSeparation"
ROW = "Incident Reporting\tDevelop common AI incident reporting registry\tAlign definitions\t\t"

# Any text, control characters and all (no lone surrogates: no database stores those).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


def brief(**fields) -> Document:
    values = {
        "slug": "synergies-eu-ai-office-uk-aisi-2025",
        "title": "Looking Ahead: Synergies Between the EU AI Office and UK AISI",
        "kind": DocumentKind.POLICY_BRIEF,
        "authors": BRIEF_AUTHORS,
        "published": date(2025, 3, 1),
        "published_precision": DatePrecision.MONTH,
        "language": "en",
        **fields,
    }
    return Document(**values)


def passage(kind: str, anchor: str, text: str, section: str = "") -> Passage:
    return Passage(kind=kind, anchor=anchor, text=text, section=section)


def reference(document: Document, **fields) -> Reference:
    values = {
        "key": citation_key(document),
        "document": document,
        "url": "https://atlas.example/documents/x/#a",
        "accessed": date(2026, 5, 1),
        "dataset_version": 7,
        **fields,
    }
    return Reference(**values)


# --- keys ---------------------------------------------------------------------------------


def test_keys_are_the_first_name_the_year_and_the_things_slugs():
    document = brief()
    assert key_stem(document) == "thurnherr2025"
    assert citation_key(document) == "thurnherr2025-synergies-eu-ai-office-uk-aisi-2025"
    assert (
        citation_key(document, "eu-ai-office-uk-aisi", "incident-reporting", "collaboration")
        == "thurnherr2025-eu-ai-office-uk-aisi-incident-reporting-collaboration"
    )
    # An institution is its own author; no date is "nd"; no one at all is "anon".
    article = brief(authors=[], publisher="European Commission", published=None)
    assert key_stem(article) == "europeancommissionnd"
    assert key_stem(brief(authors=[], publisher="")) == "anon2025"
    # Names become letters a key may hold.
    assert key_stem(brief(authors=["Ana Núñez-Ortiz"])) == "nunezortiz2025"


def test_a_key_does_not_change_with_what_is_not_its_slugs():
    one = brief(title="A first title", url="https://example.org/a")
    other = brief(title="A corrected title", url="https://example.org/b", pk=99)
    assert citation_key(one, "f", "a", "l") == citation_key(other, "f", "a", "l")


# --- the pinpoint -------------------------------------------------------------------------


def test_a_table_row_is_its_table_its_row_and_the_quotes_column():
    row = passage(PassageKind.TABLE_ROW, "table-1-incident-reporting", ROW, TABLE)
    table = "Table 1: Areas for potential Collaboration, Coordination"
    assert passage_pinpoint(row, quote="Align definitions", header=HEADER) == (
        f"{table}, row “Incident Reporting”, column “Coordination”"
    )
    # Without the header row the column is counted.
    assert passage_pinpoint(row, quote="Align definitions") == (
        f"{table}, row “Incident Reporting”, column 3"
    )
    assert passage_pinpoint(row) == f"{table}, row “Incident Reporting”"
    pipes = passage(PassageKind.TABLE_ROW, "t-x", "| X | one | two |", "Data")
    assert passage_pinpoint(pipes, quote="two", header="| | A | B |") == (
        "Data, row “X”, column “B”"
    )


def test_paragraphs_items_footnotes_and_headings_are_named_as_a_reader_finds_them():
    assert (
        passage_pinpoint(
            passage(PassageKind.PARAGRAPH, "2-coordination-p3", "…", "2. Coordination")
        )
        == "2. Coordination, paragraph 3"
    )
    assert (
        passage_pinpoint(passage(PassageKind.LIST_ITEM, "reading-item-4", "…", "A > Reading"))
        == "Reading, item 4"
    )
    assert passage_pinpoint(passage(PassageKind.FOOTNOTE, "footnote-2", "² …")) == "footnote 2"
    assert (
        passage_pinpoint(passage(PassageKind.HEADING, "1-collaboration", "1. **Collaboration**"))
        == "section “1. Collaboration”"
    )
    # An anchor that does not say its number keeps the anchor.
    assert (
        passage_pinpoint(passage(PassageKind.PARAGRAPH, "intro-x", "…", "Intro"))
        == "Intro, passage intro-x"
    )


# --- one line, no control character -------------------------------------------------------


def test_reference_text_is_one_line_without_control_characters():
    assert one_line("a\n\tb\x0c\x0bc  d") == "a b c d"
    assert one_line("a\x01b\x7f\x9b") == "a␁b␡\ufffd"
    assert control_picture("\x00") == "␀"


# --- BibTeX -------------------------------------------------------------------------------


@given(ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_bibtex_escaping_reads_back_as_the_text_in_pybtex_and_tex(text):
    entry = read_bibtex("@misc{k, title = {{" + bibtex_escape(text) + "}}, note = {x}}")
    fields = entry.entries["k"].fields
    assert set(fields) == {"title", "note"}, "no field was added or swallowed"
    assert tex_text(fields["title"]) == one_line(text)


def test_bibtex_escapes_syntax_and_ligatures():
    assert bibtex_escape("a{b}c") == r"a\{b\}c"
    assert bibtex_escape("}{") == r"\textbraceright{}\textbraceleft{}"
    assert bibtex_escape("50% & #1 $x$ a_b ~ ^ \\") == (
        r"50\% \& \#1 \$x\$ a\_b \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    assert bibtex_escape("a--b ''c'' <<d>>") == "a-{}-b '{}'c'{}' <{}<d>{}>"
    # URLs are read verbatim: only what could end the field or the line is encoded.
    assert bibtex_url("https://x.org/a b}{\\#c%20") == "https://x.org/a%20b%7D%7B%5C#c%20"


def test_a_hostile_document_makes_a_bibtex_entry_with_its_text_intact():
    hostile = brief(
        title="Title}, note = {injected",
        authors=["Ada and Grace Lovelace", "Smith, Jr. John", "<script>alert(1)</script> X"],
        url="https://example.org/{a}",
    )
    entry = read_bibtex(to_bibtex(reference(hostile, note="n\x0cote"))).entries[
        citation_key(hostile)
    ]
    assert tex_text(entry.fields["title"]) == "Title}, note = {injected"
    assert "injected" not in entry.fields["note"]
    # Three authors, each its family name and given names, as the document lists them.
    assert [str(p) for p in entry.persons["author"]] == [
        "Lovelace, {Ada and Grace}",
        "John, {Smith, Jr.}",
        "X, <script>alert(1)</script>",
    ]
    assert tex_text(entry.fields["note"]).startswith("n ote; Engagement Atlas dataset v7")


# --- CSL-JSON, RIS, text ------------------------------------------------------------------


@given(title=ANY_TEXT, author=ANY_TEXT, publisher=ANY_TEXT, part=ANY_TEXT)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_stored_text_makes_valid_csl_json_and_ris_that_read_back(
    title, author, publisher, part
):
    document = brief(title=title, authors=[author] if author.strip() else [], publisher=publisher)
    ref = reference(document, part=part, note=title)
    item = to_csl(ref)
    validate_csl(json.loads(json.dumps([item])))
    (record,) = rispy.loads(to_ris([ref]))
    assert record["title"] == one_line(part or title)
    note = "; ".join(filter(None, [one_line(title), "Engagement Atlas dataset v7"]))
    assert record["notes"] == [note] and item["note"] == note
    assert "\n" not in to_text(ref)


def test_an_institution_is_the_author_once_and_not_also_the_publisher():
    article = brief(
        slug="eu-us",
        title="EU and US Deepen AI Collaboration",
        kind=DocumentKind.NEWS_ARTICLE,
        authors=[],
        publisher="European Commission",
        published=date(2024, 4, 8),
        published_precision=DatePrecision.DAY,
    )
    ref = reference(article)
    item = to_csl(ref)
    assert item["author"] == [{"literal": "European Commission"}]
    assert "publisher" not in item and item["type"] == "document"
    assert item["issued"] == {"date-parts": [[2024, 4, 8]]}
    (record,) = rispy.loads(to_ris([ref]))
    assert record["authors"] == ["European Commission"] and "publisher" not in record
    assert (record["year"], record["date"]) == ("2024", "2024/04/08")
    bib = to_bibtex(ref)
    assert "  author = {{European Commission}},\n" in bib and "publisher" not in bib
    assert to_text(ref).startswith(
        "European Commission (8 April 2024). EU and US Deepen AI Collaboration. News article. "
        "Engagement Atlas dataset v7. Retrieved 1 May 2026, from https://atlas.example/"
    )


# --- Markdown -----------------------------------------------------------------------------


# All a rendered table may hold: no element of the text's own, no link, no script.
TABLE_TAGS = {"table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "br"}


def md_table(texts: list[str]) -> str:
    return "| text |\n| --- |\n" + "".join(f"| {md_escape(t)} |\n" for t in texts)


SAMPLES = [
    'write a " Crosswalk "',
    "it's e.g. incidents -- or --- more... fig. 1",
    "*stars* _lines_ `code` [link](javascript:alert(1)) ![img](x) <script>x</script> &amp;",
    "a | b \\ c ~sub~ ^sup^ $x$ @cite #tag +1 {.attr} <https://x.org>",
    "  spaced  out  ",
    "line one\nline two\r\nline three",
    "tab\there, form\x0cfeed, \x01",
]


PROCESSORS = [pytest.param("pandoc", marks=pytest.mark.pandoc), "python-markdown"]


@pytest.mark.parametrize("processor", PROCESSORS)
def test_markdown_escaping_renders_back_to_the_text(processor):
    cells, tags = html_cells(markdown_html(md_table(SAMPLES), processor=processor))
    assert cells[1:] == [md_expected(t) for t in SAMPLES]
    assert set(tags) <= TABLE_TAGS


@pytest.mark.parametrize("processor", PROCESSORS)
@given(st.lists(ANY_TEXT, min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_renders_back_from_the_markdown_export(processor, texts):
    cells, tags = html_cells(markdown_html(md_table(texts), processor=processor))
    assert cells[1:] == [md_expected(t) for t in texts]
    assert set(tags) <= TABLE_TAGS


# --- pages of a source --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "bibtex", "csl", "ris", "text"),
    [
        (2, 2, "2", "2", ("2", None), "p. 2"),
        (2, None, "2", "2", ("2", None), "p. 2"),
        (2, 3, "2--3", "2-3", ("2", "3"), "pp. 2–3"),
    ],
)
def test_a_part_on_pages_of_its_source_gives_them_in_every_format(
    first, last, bibtex, csl, ris, text
):
    ref = reference(brief(), part="Findings, paragraph 2", page=first, page_end=last)
    (entry,) = read_bibtex(to_bibtex(ref)).entries.values()
    assert entry.fields["pages"] == bibtex
    item = to_csl(ref)
    validate_csl([item])
    assert item["page"] == csl
    (record,) = rispy.loads(to_ris([ref]))
    assert (record["start_page"], record.get("end_page")) == ris
    assert f"In Looking Ahead: Synergies Between the EU AI Office and UK AISI, {text}. " in (
        to_text(ref)
    )


def test_a_reference_without_pages_gives_no_page_field():
    ref = reference(brief(), part="Findings, paragraph 2")
    assert "pages" not in read_bibtex(to_bibtex(ref)).entries[ref.key].fields
    assert "page" not in to_csl(ref)
    (record,) = rispy.loads(to_ris([ref]))
    assert "start_page" not in record and "end_page" not in record
    assert "AISI. Policy brief." in to_text(ref)
