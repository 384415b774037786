"""Citations of a document, or of one passage in it: BibTeX, CSL-JSON and plain text.

A reference is built from the document's own metadata (authors, publication date to the
precision the source gives, publisher, title, URL) and the Atlas page where the reader
finds it. A pinpoint reference (a cell, a quote) adds the passage as CSL `locator` and a
link that lands on the passage with the quote highlighted by a text fragment
(`#anchor:~:text=...`, https://wicg.github.io/scroll-to-text-fragment/).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote as percent_encode

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from core.exports import Formats
from sources.markdown import plain
from sources.models import DatePrecision, Document, DocumentKind, Passage, PassageKind

# The CSL locator label for each kind of passage.
LOCATOR_LABELS = {
    PassageKind.HEADING: "section",
    PassageKind.PARAGRAPH: "paragraph",
    PassageKind.LIST_ITEM: "paragraph",
    PassageKind.TABLE_ROW: "table",
    PassageKind.FOOTNOTE: "note",
}
CSL_TYPES = {
    DocumentKind.POLICY_BRIEF: "report",
    DocumentKind.REPORT: "report",
    DocumentKind.NEWS_ARTICLE: "article-newspaper",
    DocumentKind.STATEMENT: "speech",
    DocumentKind.LEGAL_TEXT: "legislation",
}
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# Beyond this many words a text fragment names the quote's first and last words only.
FRAGMENT_MAX_WORDS = 10
FRAGMENT_END_WORDS = 4


@dataclass(frozen=True)
class Reference:
    """What a citation says: a document, optionally a passage and a quote in it."""

    document: Document
    url: str  # absolute; lands on the passage (quote highlighted) or on the document
    accessed: date  # the retrieval date
    dataset_version: int
    passage: Passage | None = None
    quote: str = ""
    subject: str = ""  # what is cited, e.g. a cell of a matrix, in words
    release: str = ""  # the tag of the release it is cited at, if any
    release_url: str = ""  # that release's page

    @property
    def key(self) -> str:
        first = self.document.authors[0] if self.document.authors else self.document.publisher
        name = slugify(_split_name(first)[0] if self.document.authors else first).replace("-", "")
        year = self.document.published.year if self.document.published else "nd"
        title_words = [w for w in slugify(self.document.title).split("-") if len(w) > 3]
        key = f"{name or 'anon'}{year}{title_words[0] if title_words else ''}"
        return f"{key}:{self.passage.anchor}" if self.passage else key


def _split_name(name: str) -> tuple[str, str]:
    """("Family", "Given") from "Given Family": the brief lists names given-name first."""
    given, _, family = name.strip().rpartition(" ")
    return family, given


def text_fragment(quote: str) -> str:
    """A `:~:text=` directive for `quote` as the reader shows it (markup markers removed)."""
    words = plain(quote).split()
    if not words:
        return ""
    if len(words) > FRAGMENT_MAX_WORDS:
        start = " ".join(words[:FRAGMENT_END_WORDS])
        end = " ".join(words[-FRAGMENT_END_WORDS:])
        return f":~:text={_fragment_encode(start)},{_fragment_encode(end)}"
    return f":~:text={_fragment_encode(' '.join(words))}"


def _fragment_encode(text: str) -> str:
    # `-`, `,` and `&` are syntax in a text directive; quote() leaves `-` alone.
    return percent_encode(text, safe="").replace("-", "%2D")


def passage_link(site_url: str, passage: Passage, quote: str = "") -> str:
    """An absolute link to `passage` in the reader, highlighting `quote` where given.

    The anchor comes from the text, not a database id, so the link survives re-seeding.
    """
    return f"{site_url.rstrip('/')}{passage.get_absolute_url()}{text_fragment(quote)}"


def _published_parts(document: Document) -> list[int]:
    if document.published is None:
        return []
    parts = [document.published.year, document.published.month, document.published.day]
    return parts[
        : {DatePrecision.YEAR: 1, DatePrecision.MONTH: 2}.get(document.published_precision, 3)
    ]


_BIBTEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_BIBTEX_REPLACEMENTS = {
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(
        lambda m: _BIBTEX_REPLACEMENTS.get(m.group(), "\\" + m.group()), text
    )


def to_bibtex(reference: Reference) -> str:
    document = reference.document
    is_report = document.kind in (DocumentKind.POLICY_BRIEF, DocumentKind.REPORT)
    fields: list[tuple[str, str]] = [("title", "{" + _bibtex_escape(document.title) + "}")]
    if document.authors:
        names = [", ".join(_split_name(name)) for name in document.authors]
        fields.append(("author", " and ".join(_bibtex_escape(n) for n in names)))
    parts = _published_parts(document)
    if parts:
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", BIBTEX_MONTHS[parts[1] - 1]))
        fields.append(("date", "-".join(f"{p:02d}" for p in parts)))
    if document.publisher:
        fields.append(
            ("institution" if is_report else "publisher", _bibtex_escape(document.publisher))
        )
    if is_report:
        fields.append(("type", _bibtex_escape(document.get_kind_display())))
    else:
        fields.append(("howpublished", _bibtex_escape(document.get_kind_display())))
    fields.append(("url", reference.url))
    fields.append(("urldate", reference.accessed.isoformat()))
    if reference.passage or reference.release:
        fields.append(("note", _bibtex_escape(_pinpoint(reference))))
    if document.url:
        fields.append(("addendum", "Original: " + document.url))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    entry_type = "techreport" if is_report else "misc"
    return f"@{entry_type}{{{reference.key},\n{body}\n}}\n"


def _pinpoint(reference: Reference) -> str:
    parts = []
    if reference.subject:
        parts.append(reference.subject)
    if reference.passage:
        parts.append(f"passage {reference.passage.anchor}")
    if reference.quote:
        parts.append(f"“{reference.quote}”")
    parts.append(_dataset(reference))
    return "; ".join(parts)


def _dataset(reference: Reference) -> str:
    """Which state of the Atlas: "dataset v412", or the release and a link to it."""
    if reference.release:
        return (
            f"Engagement Atlas release {reference.release} (dataset v{reference.dataset_version}), "
            f"{reference.release_url}"
        )
    return f"Engagement Atlas dataset v{reference.dataset_version}"


def to_csl(reference: Reference) -> dict:
    """One CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    document = reference.document
    item: dict = {
        "id": reference.key,
        "type": CSL_TYPES.get(document.kind, "document"),
        "title": document.title,
    }
    if document.authors:
        item["author"] = [
            {"family": family, "given": given}
            for family, given in (_split_name(name) for name in document.authors)
        ]
    if document.kind in (DocumentKind.POLICY_BRIEF, DocumentKind.REPORT):
        item["genre"] = document.get_kind_display()
    if document.publisher:
        item["publisher"] = document.publisher
    parts = _published_parts(document)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    item["URL"] = reference.url
    accessed = reference.accessed
    item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    if reference.passage:
        item["locator"] = reference.passage.anchor
        item["label"] = LOCATOR_LABELS.get(reference.passage.kind, "section")
    item["note"] = _pinpoint(reference)
    if document.language:
        item["language"] = document.language
    return item


def to_text(reference: Reference) -> str:
    """A plain reference: authors (date). Title. Kind, publisher. Pinpoint. Retrieved ..., from URL."""
    document = reference.document
    authors = [
        f"{family}, " + " ".join(f"{part[0]}." for part in given.split())
        for family, given in (_split_name(name) for name in document.authors)
    ]
    if len(authors) > 1:
        who = ", ".join(authors[:-1]) + ", & " + authors[-1]
    else:
        who = authors[0] if authors else document.publisher
    when = document.published_display or "n.d."
    lines = [f"{who} ({when}). {document.title}." if who else f"{document.title} ({when})."]
    lines[0] += " " + document.get_kind_display() + "."
    if document.publisher and document.authors:
        lines[0] += f" {document.publisher}."
    if reference.passage or reference.subject:
        lines.append(_pinpoint(reference) + ".")
    else:
        lines.append(f"{_dataset(reference)}.")
    lines.append(
        f"Retrieved {reference.accessed.day} {reference.accessed:%B %Y}, from {reference.url}"
    )
    if document.url:
        lines.append(f"Original: {document.url}")
    return " ".join(lines) + "\n"


CITE_FORMATS = Formats("citation")


@CITE_FORMATS.register("bib")
def _bib(reference: Reference) -> HttpResponse:
    return HttpResponse(to_bibtex(reference), content_type="application/x-bibtex; charset=utf-8")


@CITE_FORMATS.register("json")
def _csl_json(reference: Reference) -> HttpResponse:
    return HttpResponse(
        json.dumps([to_csl(reference)], ensure_ascii=False, indent=2) + "\n",
        content_type="application/vnd.citationstyles.csl+json; charset=utf-8",
    )


@CITE_FORMATS.register("txt")
def _text(reference: Reference) -> HttpResponse:
    return HttpResponse(to_text(reference), content_type="text/plain; charset=utf-8")


def cite_response(reference: Reference, fmt: str, *, filename: str) -> HttpResponse:
    """The reference as a downloadable file in `fmt` (bib, json or txt); a 404 for others."""
    response = CITE_FORMATS.writer(fmt)(reference)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Dataset-Version"] = str(reference.dataset_version)
    return response


def document_reference(
    request,
    document: Document,
    *,
    version: int,
    passage=None,
    quote: str = "",
    subject: str = "",
    release=None,
) -> Reference:
    """A reference to `document` (or a passage and quote in it) as found on this site today,
    or at `release` (a core.models.Release: the reference then names it and links to it)."""
    site_url = request.build_absolute_uri("/")
    url = (
        passage_link(site_url, passage, quote)
        if passage
        else request.build_absolute_uri(document.get_absolute_url())
    )
    return Reference(
        document=document,
        url=url,
        accessed=timezone.localdate(),
        dataset_version=version,
        passage=passage,
        quote=quote,
        subject=subject,
        release=release.tag if release is not None else "",
        release_url=request.build_absolute_uri(release.get_absolute_url()) if release else "",
    )
