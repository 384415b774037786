"""References to a document, or to a part of it: BibTeX, CSL-JSON, RIS and plain text.

A reference is built from the document's own metadata (authors, or the publisher as an
institutional author; the publication date to the precision the source gives; title; kind)
and the Atlas page where the reader finds it. A reference to a part (a cell's passage)
is the part's own title, the pinpoint in words ("Table 1: …, row “Incident Reporting”,
column “Coordination”"), in the document as its container: every default citation style
prints a title and a container, where none prints a CSL `locator` given with the item or
a BibTeX `note`. A part of a source read from pages (a PDF) also gives its pages, as the
pages of a chapter are given (BibTeX `pages`, CSL `page`, RIS `SP`/`EP`, "p. 2" in text),
which every style prints after the container. Its link lands on the passage with the quote highlighted by a text
fragment (`#anchor:~:text=...`, https://wicg.github.io/scroll-to-text-fragment/).

The four formats say the same thing, and are written so that every reader gets the stored
text back: BibTeX escapes every character TeX or BibTeX would read as syntax (pybtex, biber
and pandoc parse any stored text), RIS keeps each value on its line, CSL-JSON holds only
the fields of the CSL-JSON schema. Text in a reference is one line: a run of white space
(a line break, a form feed) is one space, and any other control character shows as its
Unicode control picture (␁), so no stored character can break a file or add a field.

Citation keys (`citation_key`) are made of the first author's (or publisher's) name, the
year and the cited thing's slugs, never a database id or the dataset version: the same
thing has the same key in every export, at every release, and two things never share one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote as percent_encode

import rispy
from django.http import HttpResponse
from django.utils.text import slugify

from core.exports import Formats
from sources.markdown import plain
from sources.models import (
    DatePrecision,
    Document,
    DocumentKind,
    Passage,
    PassageKind,
    pages_label,
)
from sources.quotes import CONTEXT_CHARS, quote_context
from sources.services import passage_context

# The CSL item type of a whole document; a part of one is a `chapter` of it.
CSL_TYPES = {
    DocumentKind.POLICY_BRIEF: "report",
    DocumentKind.REPORT: "report",
    # Not `article-newspaper` or `webpage`: default styles print those with their full date
    # a second time, and a news item from an institution has no newspaper to name.
    DocumentKind.NEWS_ARTICLE: "document",
    DocumentKind.STATEMENT: "speech",
    DocumentKind.LEGAL_TEXT: "legislation",
}
RIS_TYPES = {
    DocumentKind.POLICY_BRIEF: "RPRT",
    DocumentKind.REPORT: "RPRT",
    DocumentKind.LEGAL_TEXT: "LEGAL",
}
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# Beyond this many words a text fragment names the quote's first and last words only.
FRAGMENT_MAX_WORDS = 10
FRAGMENT_END_WORDS = 4
# Words of context on each side of a text fragment, and the selector's context window.
FRAGMENT_CONTEXT_WORDS = 3
CONTEXT_WINDOW = CONTEXT_CHARS


@dataclass(frozen=True)
class Reference:
    """What a citation says: a document, or a part of it, and why the Atlas cites it."""

    key: str  # unique per cited thing (`citation_key`)
    document: Document
    url: str  # absolute; lands on the passage (quote highlighted) or on the document
    accessed: date  # the retrieval date
    dataset_version: int
    part: str = ""  # the pinpoint in words (`passage_pinpoint`); empty for the whole document
    note: str = ""  # what is cited in the Atlas, in words: a cell and its quote
    release: str = ""  # the tag of the release it is cited at, if any
    release_url: str = ""  # that release's page
    # The pages of the source (a PDF) the part is on: its pinpoint locator; None without pages.
    page: int | None = None
    page_end: int | None = None

    @property
    def pages(self) -> tuple[int, int] | None:
        """(first, last) pages of the cited part, or None for a document without pages."""
        if self.page is None:
            return None
        return self.page, self.page_end if self.page_end is not None else self.page


@dataclass(frozen=True)
class Creator:
    """An author: a person's family and given names, or an institution's name (`literal`)."""

    family: str = ""
    given: str = ""
    literal: str = ""


def key_stem(document: Document) -> str:
    """`thurnherr2025`: the first author's family name (or the publisher's name) and year."""
    creators = creators_of(document)
    first = (creators[0].family or creators[0].literal) if creators else ""
    name = slugify(first).replace("-", "") or "anon"
    return f"{name}{document.published.year if document.published else 'nd'}"


def citation_key(document: Document, *slugs: str) -> str:
    """The key of a document (`thurnherr2025-synergies-eu-ai-office-uk-aisi-2025`) or of a
    thing cited in it, named by its slugs (a cell: framework, activity, level).

    Slugs are unique and kept stable (they are in every URL), so keys are too; the stem in
    front makes them readable as author-year keys.
    """
    return "-".join([key_stem(document), *(slugs or (document.slug,))])


def _split_name(name: str) -> tuple[str, str]:
    """("Family", "Given") from "Given Family": the brief lists names given-name first."""
    given, _, family = name.strip().rpartition(" ")
    return family, given


def text_fragment(quote: str, *, prefix: str = "", suffix: str = "") -> str:
    """A `:~:text=[prefix-,]start[,end][,-suffix]` directive for `quote` as the reader shows
    it, `prefix` and `suffix` being the reading text around it (a citation's selector).

    Each term stays inside one block of the page, as the directive requires: the context
    words are taken after the last passage or cell boundary of `prefix` (before the first
    of `suffix`), whole words only; a quote across table cells starts in its first cell
    and ends in its last. Up to FRAGMENT_CONTEXT_WORDS of context on each side make the
    directive match only its own passage.
    """
    parts = [part.split() for part in quote.split("\t")]
    parts = [words for words in parts if words]
    if not parts:
        return ""
    if len(parts) > 1:
        start = parts[0][:FRAGMENT_END_WORDS]
        end = parts[-1][-FRAGMENT_END_WORDS:]
    else:
        words = parts[0]
        if len(words) > FRAGMENT_MAX_WORDS:
            start, end = words[:FRAGMENT_END_WORDS], words[-FRAGMENT_END_WORDS:]
        else:
            start, end = words, []
    terms = []
    before = _context_words(prefix, last=True)
    if before:
        terms.append(_fragment_encode(" ".join(before)) + "-")
    terms.append(_fragment_encode(" ".join(start)))
    if end:
        terms.append(_fragment_encode(" ".join(end)))
    after = _context_words(suffix, last=False)
    if after:
        terms.append("-" + _fragment_encode(" ".join(after)))
    return ":~:text=" + ",".join(terms)


def _context_words(context: str, *, last: bool) -> list[str]:
    """Up to FRAGMENT_CONTEXT_WORDS whole words of `context` next to the quote (the end of a
    prefix, the start of a suffix), all from one block: the one touching the quote or, when
    the quote begins or ends its block, the neighbouring one."""
    blocks = re.split(r"[\t\n]", context)
    order = range(len(blocks) - 1, -1, -1) if last else range(len(blocks))
    index = next((i for i in order if blocks[i].strip()), None)
    if index is None:
        return []
    words = blocks[index].split()
    # A full window may have cut its outermost word in two.
    if len(context) >= CONTEXT_WINDOW and len(words) > 0:
        if last and index == 0 and not blocks[0][:1].isspace():
            words = words[1:]
        elif not last and index == len(blocks) - 1 and not blocks[-1][-1:].isspace():
            words = words[:-1]
    return words[-FRAGMENT_CONTEXT_WORDS:] if last else words[:FRAGMENT_CONTEXT_WORDS]


def _fragment_encode(text: str) -> str:
    # `-`, `,` and `&` are syntax in a text directive; quote() leaves `-` alone.
    return percent_encode(text, safe="").replace("-", "%2D")


def passage_link(
    site_url: str,
    passage: Passage,
    quote: str = "",
    *,
    prefix: str | None = None,
    suffix: str | None = None,
) -> str:
    """An absolute link to `passage` on the reader page that holds it, highlighting `quote`
    (as the reader shows it) where given, with `prefix` and `suffix` (a citation's selector)
    as the text fragment's context; without them, the context is read around the quote's
    first appearance in the passage (two queries, for the neighbouring passages).

    The anchor comes from the text, not a database id, so the link survives re-seeding.
    """
    url = f"{site_url.rstrip('/')}{passage.get_absolute_url()}"
    if not quote:
        return url
    if prefix is None or suffix is None:
        found = passage.shown.find(quote)
        if found >= 0:
            before, after = passage_context(passage)
            prefix, suffix = quote_context(
                passage.shown, found, found + len(quote), before=before, after=after
            )
    return url + text_fragment(quote, prefix=prefix or "", suffix=suffix or "")


def _published_parts(document: Document) -> list[int]:
    if document.published is None:
        return []
    parts = [document.published.year, document.published.month, document.published.day]
    return parts[
        : {DatePrecision.YEAR: 1, DatePrecision.MONTH: 2}.get(document.published_precision, 3)
    ]


def creators_of(document: Document) -> list[Creator]:
    """Its authors; without any, its publisher as an institutional author."""
    if document.authors:
        return [Creator(*_split_name(one_line(name))) for name in document.authors]
    if document.publisher:
        return [Creator(literal=one_line(document.publisher))]
    return []


def publisher_of(document: Document) -> str:
    """The publisher, unless it is already the author (then printing it twice says nothing)."""
    return one_line(document.publisher) if document.authors else ""


# --- text ---------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_picture(char: str) -> str:
    """The visible stand-in of a control character: U+2400 + code (␀..␟, ␡), else U+FFFD."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def one_line(text: str) -> str:
    """`text` as one line of a reference: white space runs are one space, other control
    characters their control pictures."""
    return _CONTROL.sub(lambda m: control_picture(m.group()), " ".join(str(text).split()))


# --- the pinpoint -------------------------------------------------------------------------

_NUMBERED = {
    PassageKind.PARAGRAPH: (re.compile(r"-p(\d+)(?:-\d+)?$"), "paragraph"),
    PassageKind.LIST_ITEM: (re.compile(r"item-(\d+)(?:-\d+)?$"), "item"),
}
_FOOTNOTE_LABEL = re.compile(r"^footnote-(.+?)(?:-\d+)?$")
_HEADER_ROW = re.compile(r"-header(?:-\d+)?$")


def row_fields(row: str) -> list[str]:
    """A table row's cells, as `sources.parsing` splits it (tabs, else Markdown pipes)."""
    if "\t" in row:
        return [cell.strip() for cell in row.split("\t")]
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def passage_pinpoint(passage: Passage, *, quote: str = "", header: str = "") -> str:
    """Where `passage` (and `quote` in it) is, as a reader finds it in the source.

    "Table 1: …, row “Incident Reporting”, column “Coordination”" (the column named by the
    table's `header` row when given, else counted), "2. Coordination, paragraph 3",
    "footnote 2", "section “1. Collaboration”".
    """
    section = passage.section.rpartition(" > ")[2]
    if passage.kind == PassageKind.HEADING:
        return f"section “{one_line(plain(passage.text))}”"
    if passage.kind == PassageKind.FOOTNOTE:
        label = _FOOTNOTE_LABEL.match(passage.anchor)
        return f"footnote {label.group(1) if label else passage.anchor}"
    if passage.kind == PassageKind.TABLE_ROW:
        fields = row_fields(passage.text)
        where = [f"row “{one_line(plain(fields[0]))}”"] if fields and fields[0] else []
        column = next((i for i, field in enumerate(fields) if i and quote and quote in field), None)
        if column is not None:
            names = row_fields(header) if header else []
            name = names[column] if column < len(names) and names[column] else ""
            where.append(f"column “{one_line(plain(name))}”" if name else f"column {column + 1}")
        return ", ".join([one_line(section), *where] if section else where) or passage.anchor
    pattern, noun = _NUMBERED.get(passage.kind, (None, ""))
    number = pattern.search(passage.anchor) if pattern else None
    if number and section:
        return f"{one_line(section)}, {noun} {number.group(1)}"
    return f"{one_line(section)}, passage {passage.anchor}" if section else passage.anchor


def table_headers(passages: Iterable[Passage]) -> dict[int, str]:
    """The header row's text of each table-row passage's table, by passage id: one query.

    `sources.parsing` makes a table's first row its header (`<table>-header`), so a row's
    header is the nearest header row before it in its document.
    """
    rows = [p for p in passages if p.kind == PassageKind.TABLE_ROW]
    if not rows:
        return {}
    headers = (
        Passage.objects.filter(
            document_id__in={row.document_id for row in rows},
            kind=PassageKind.TABLE_ROW,
            anchor__contains="-header",
        )
        .order_by("document_id", "ordinal")
        .values_list("document_id", "ordinal", "anchor", "text")
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for document_id, ordinal, anchor, text in headers:
        if _HEADER_ROW.search(anchor):
            found.setdefault(document_id, []).append((ordinal, text))
    result = {}
    for row in rows:
        before = [text for ordinal, text in found.get(row.document_id, []) if ordinal < row.ordinal]
        if before:
            result[row.pk] = before[-1]
    return result


# --- formats ------------------------------------------------------------------------------


def _dataset(reference: Reference) -> str:
    """Which state of the Atlas: "dataset v412", or the release and a link to it."""
    if reference.release:
        return (
            f"Engagement Atlas release {reference.release} (dataset v{reference.dataset_version}), "
            f"{reference.release_url}"
        )
    return f"Engagement Atlas dataset v{reference.dataset_version}"


def _note(reference: Reference) -> str:
    parts = [one_line(reference.note)] if one_line(reference.note) else []
    parts.append(_dataset(reference))
    if reference.document.url:
        parts.append(f"Original: {reference.document.url}")
    return one_line("; ".join(parts))


def _title(reference: Reference) -> str:
    return one_line(reference.part or reference.document.title)


# BibTeX and TeX syntax, each written as a command that reads back as the character. A
# brace is `\{` where it has a partner, so that BibTeX's brace count stays even.
_TEX_SYMBOLS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "`": r"\textasciigrave{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
# TeX's ligatures (`--` a dash, `''` a closing quote, `<<` a guillemet...) are split by `{}`.
_TEX_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')|(?<=<)(?=<)|(?<=>)(?=>)|(?<=,)(?=,)")


def bibtex_escape(text: str) -> str:
    """`text` as a BibTeX field value that TeX, BibTeX, biber and pybtex read back as is."""
    text = one_line(text)
    partners: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            partners.update((opened.pop(), index))
    out = []
    for index, char in enumerate(text):
        if char in "{}" and index in partners:
            out.append("\\" + char)
        else:
            out.append(_TEX_SYMBOLS.get(char, char))
    return _TEX_LIGATURE.sub("{}", "".join(out))


_URL_UNSAFE = re.compile(r"[{}\\\s\x00-\x1f\x7f-\x9f]")


def bibtex_url(url: str) -> str:
    """`url` for BibTeX's `url` field, which biblatex, biber and pandoc read verbatim: the few
    characters that could end the field or the line are percent-encoded, as in any URL."""
    return _URL_UNSAFE.sub(lambda m: percent_encode(m.group(), safe=""), url)


def _bibtex_name(creator: Creator) -> str:
    if creator.literal:
        return "{" + bibtex_escape(creator.literal) + "}"
    # A part holding "and" or a comma would split or turn the name: it is braced whole.
    parts = [
        "{" + bibtex_escape(part) + "}"
        if re.search(r",|\band\b", part, re.IGNORECASE)
        else bibtex_escape(part)
        for part in (creator.family, creator.given)
        if part
    ]
    return ", ".join(parts)


def to_bibtex(reference: Reference) -> str:
    """One entry: `@incollection` for a part, `@techreport` for a report, else `@misc`."""
    document = reference.document
    is_report = document.kind in (DocumentKind.POLICY_BRIEF, DocumentKind.REPORT)
    entry_type = "incollection" if reference.part else "techreport" if is_report else "misc"
    # Values with their delimiters: titles braced twice so that styles keep their case, the
    # month a bare macro that styles print as the month's name.
    fields = [("title", "{{" + bibtex_escape(_title(reference)) + "}}")]
    if reference.part:
        fields.append(("booktitle", "{{" + bibtex_escape(document.title) + "}}"))
    if reference.pages:
        first, last = reference.pages
        fields.append(("pages", f"{{{first}}}" if first == last else f"{{{first}--{last}}}"))
    creators = creators_of(document)
    if creators:
        fields.append(("author", "{" + " and ".join(_bibtex_name(c) for c in creators) + "}"))
    parts = _published_parts(document)
    if parts:
        fields.append(("year", f"{{{parts[0]}}}"))
        if len(parts) > 1:
            fields.append(("month", BIBTEX_MONTHS[parts[1] - 1]))
        fields.append(("date", "{" + "-".join(f"{p:02d}" for p in parts) + "}"))
    publisher = publisher_of(document)
    if publisher:
        name = "institution" if entry_type == "techreport" else "publisher"
        fields.append((name, "{" + bibtex_escape(publisher) + "}"))
    kind = "{" + bibtex_escape(document.get_kind_display()) + "}"
    fields.append(("howpublished" if entry_type == "misc" else "type", kind))
    fields.append(("url", "{" + bibtex_url(reference.url) + "}"))
    fields.append(("urldate", "{" + reference.accessed.isoformat() + "}"))
    fields.append(("note", "{" + bibtex_escape(_note(reference)) + "}"))
    if document.language:
        fields.append(("langid", "{" + bibtex_escape(document.language) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{entry_type}{{{reference.key},\n{body}\n}}\n"


def _date_parts(value: date) -> list[int]:
    return [value.year, value.month, value.day]


def to_csl(reference: Reference) -> dict:
    """One CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html),
    with only fields of the CSL-JSON schema."""
    document = reference.document
    item: dict = {
        "id": reference.key,
        "type": "chapter" if reference.part else CSL_TYPES.get(document.kind, "document"),
        "title": _title(reference),
    }
    if reference.part:
        item["container-title"] = one_line(document.title)
    if reference.pages:
        first, last = reference.pages
        item["page"] = str(first) if first == last else f"{first}-{last}"
    creators = creators_of(document)
    if creators:
        item["author"] = [
            {"literal": c.literal} if c.literal else {"family": c.family, "given": c.given}
            for c in creators
        ]
    item["genre"] = document.get_kind_display()
    publisher = publisher_of(document)
    if publisher:
        item["publisher"] = publisher
    parts = _published_parts(document)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    item["URL"] = one_line(reference.url)
    item["accessed"] = {"date-parts": [_date_parts(reference.accessed)]}
    item["note"] = _note(reference)
    if document.language:
        item["language"] = one_line(document.language)
    return item


def _ris_record(reference: Reference) -> dict:
    document = reference.document
    record: dict = {
        "type_of_reference": "CHAP" if reference.part else RIS_TYPES.get(document.kind, "GEN"),
        "id": reference.key,
        "title": _title(reference),
    }
    if reference.part:
        record["secondary_title"] = one_line(document.title)
    if reference.pages:
        first, last = reference.pages
        record["start_page"] = str(first)
        if last != first:
            record["end_page"] = str(last)
    authors = [
        c.literal or ", ".join(filter(None, (c.family, c.given))) for c in creators_of(document)
    ]
    if authors:
        record["authors"] = authors
    parts = _published_parts(document)
    if parts:
        record["year"] = str(parts[0])
        record["date"] = "/".join(f"{p:02d}" for p in parts) + ("/" if len(parts) < 3 else "")
    publisher = publisher_of(document)
    if publisher:
        record["publisher"] = publisher
    record["type_of_work"] = document.get_kind_display()
    record["urls"] = [one_line(reference.url)]
    record["access_date"] = reference.accessed.strftime("%Y/%m/%d")
    record["notes"] = [_note(reference)]
    if document.language:
        record["language"] = one_line(document.language)
    return record


class _RisWriter(rispy.RisWriter):
    """RIS as reference managers expect it: records one after the other, CRLF line ends."""

    NEWLINE = "\r\n"

    def set_header(self, count: int) -> str:
        return ""


def to_ris(references: Iterable[Reference]) -> str:
    """RIS records (https://en.wikipedia.org/wiki/RIS_(file_format)): `CHAP` for a part."""
    return rispy.dumps([_ris_record(r) for r in references], implementation=_RisWriter)


def _initialled(creator: Creator) -> str:
    if creator.literal:
        return creator.literal
    initials = " ".join(f"{part[0]}." for part in creator.given.split())
    return f"{creator.family}, {initials}" if initials else creator.family


def to_text(reference: Reference) -> str:
    """A plain reference, one line: Authors (date). Title. In container. Kind. Publisher.
    Note. Retrieved date, from URL."""
    document = reference.document
    names = [_initialled(c) for c in creators_of(document)]
    who = ", ".join(names[:-1]) + ", & " + names[-1] if len(names) > 1 else "".join(names)
    when = document.published_display or "n.d."
    title = _title(reference)
    sentences = [f"{who} ({when}). {title}." if who else f"{title} ({when})."]
    if reference.part:
        pages = pages_label(*reference.pages) if reference.pages else ""
        sentences.append(f"In {one_line(document.title)}" + (f", {pages}." if pages else "."))
    sentences.append(f"{document.get_kind_display()}.")
    publisher = publisher_of(document)
    if publisher:
        sentences.append(f"{publisher}.")
    sentences.append(f"{_note(reference)}.")
    accessed = reference.accessed
    sentences.append(f"Retrieved {accessed.day} {accessed:%B %Y}, from {one_line(reference.url)}")
    return " ".join(sentences)


@dataclass(frozen=True)
class BibliographyFormat:
    """A file format of references: how to write a list of them, and its media type."""

    write: Callable[[list[Reference]], str]
    content_type: str


BIBLIOGRAPHY_FORMATS = {
    "bib": BibliographyFormat(
        lambda refs: "\n".join(to_bibtex(r) for r in refs), "application/x-bibtex; charset=utf-8"
    ),
    "csl.json": BibliographyFormat(
        lambda refs: json.dumps([to_csl(r) for r in refs], ensure_ascii=False, indent=2) + "\n",
        "application/vnd.citationstyles.csl+json; charset=utf-8",
    ),
    "ris": BibliographyFormat(to_ris, "application/x-research-info-systems; charset=utf-8"),
    "txt": BibliographyFormat(
        lambda refs: "".join(to_text(r) + "\n" for r in refs), "text/plain; charset=utf-8"
    ),
}


def bibliography(references: list[Reference], fmt: str) -> HttpResponse:
    """`references` as one file in `fmt` (a key of `BIBLIOGRAPHY_FORMATS`)."""
    spec = BIBLIOGRAPHY_FORMATS[fmt]
    return HttpResponse(spec.write(references), content_type=spec.content_type)


# A cell's or a document's own citation: `cite.bib`, `cite.json` (CSL-JSON), `cite.ris`,
# `cite.txt`.
CITE_FORMATS = Formats("citation")
for _name, _fmt in (("bib", "bib"), ("json", "csl.json"), ("ris", "ris"), ("txt", "txt")):
    CITE_FORMATS.register(_name)(lambda reference, _fmt=_fmt: bibliography([reference], _fmt))


def cite_response(reference: Reference, fmt: str, *, filename: str) -> HttpResponse:
    """The reference as a downloadable file in `fmt` (bib, json, ris or txt); a 404 for others."""
    response = CITE_FORMATS.writer(fmt)(reference)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Dataset-Version"] = str(reference.dataset_version)
    return response


def document_reference(
    document: Document,
    *,
    site_url: str,
    accessed: date,
    version: int,
    note: str = "",
    release=None,
) -> Reference:
    """A reference to the whole of `document` as found on this site, today or at `release`
    (a core.models.Release: the reference then names it and links to it)."""
    return Reference(
        key=citation_key(document),
        document=document,
        url=site_url.rstrip("/") + document.get_absolute_url(),
        accessed=accessed,
        dataset_version=version,
        note=note,
        **release_fields(release, site_url=site_url),
    )


def release_fields(release, *, site_url: str) -> dict[str, str]:
    """A reference's `release` and `release_url` for `release` (None: today's state)."""
    if release is None:
        return {}
    return {
        "release": release.tag,
        "release_url": site_url.rstrip("/") + release.get_absolute_url(),
    }
