"""What a page tells reference managers and search engines about itself: its canonical URL,
and for a page about a work (a source document, or a cell or passage of one), the work's
Highwire Press `citation_*` tags, Dublin Core and schema.org JSON-LD, all built here from
one `Work`, rendered by `templates/_head_metadata.html`.

The tags follow what Zotero's "Embedded Metadata" translator and Google Scholar's
inclusion guidelines read:
- `citation_title`, one `citation_author` per author, `citation_publication_date` to the
  precision the source gives (`2025/03/01`, `2025/03` or `2025`), `citation_publisher`,
  and for a report `citation_technical_report_institution` (Zotero makes it a "Report");
- an institutional author (a statement of the European Commission) is the publisher and,
  only when no person is named, the author as well: Scholar wants an author;
- `DC.type` holds the Zotero item type (`report`, `newspaperArticle`...): Zotero takes a
  `DC.type` naming one of its types before any guess from the other tags;
- `citation_public_url` and `DC.identifier` are the URL of the page being read, so that an
  item saved from a cell's page is the source document with that cell's URL (the page's
  own title goes in `og:title`, which Zotero reads only when no `DC.title` is given).
No `og:type` is written: Zotero would take `website` for a "Web Page" before `DC.type`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

SITE_NAME = "Engagement Atlas"

# Query parameters that change how a page looks or which quote it marks, not what it
# shows: a page with them is the same page as without. (`page=1` is the first page.)
NOISE_PARAMETERS = frozenset({"cite", "view", "excel", "format"})
NOISE_PREFIXES = ("utm_",)

# Characters that could end a `<script>` data block or start markup inside it, written as
# JSON escapes (what Django's `json_script` does): stored text never becomes live markup.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute_url(request: HttpRequest, path: str) -> str:
    """`path` (starting with "/") as an absolute URL: under the public address when
    `SITE_URL` names one, else under the host the request came to."""
    site = settings.ATLAS_SITE_URL
    if site:
        return site.rstrip("/") + path
    return request.build_absolute_uri(path)


def canonical_url(request: HttpRequest, path: str | None = None) -> str:
    """The page's one address: its path with the parameters that choose what it shows (a
    filter, a release, a page after the first), in a fixed order, and without those that
    only change how it looks or what it marks (`NOISE_PARAMETERS`) or empty values."""
    pairs: list[tuple[str, str]] = []
    for name in sorted(request.GET):
        if name in NOISE_PARAMETERS or name.startswith(NOISE_PREFIXES):
            continue
        values = [value for value in request.GET.getlist(name) if value.strip()]
        if name == "page" and values == ["1"]:
            continue
        pairs.extend((name, value) for value in values)
    query = urlencode(pairs, safe=",")
    return absolute_url(request, (path or request.path) + (f"?{query}" if query else ""))


def json_ld(data: Mapping[str, Any]) -> SafeString:
    """`data` as a schema.org JSON-LD block, `<`, `>` and `&` escaped so that no stored
    text can close the block or open markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(
        _JSON_SCRIPT_ESCAPES
    )
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


@dataclass(frozen=True)
class WorkType:
    """How a kind of document is named to each reader of the metadata."""

    zotero: str  # a Zotero item type, written as DC.type
    schema: str  # a schema.org type
    report: bool = False  # a report: its institution goes in citation_technical_report_*


@dataclass(frozen=True)
class Work:
    """A source document as reference managers cite it."""

    title: str
    work_type: WorkType
    authors: Sequence[str] = ()
    publisher: str = ""
    published: date | None = None
    precision: str = "day"  # "day", "month" or "year": how much of the date is known
    language: str = ""
    url: str = ""  # its reader's front page, absolute
    original_url: str = ""  # where its publisher put it, if known

    @property
    def creators(self) -> list[str]:
        """Its authors; the publisher when no person is named (an institutional author)."""
        named = [name for name in self.authors if name.strip()]
        return named or ([self.publisher] if self.publisher else [])

    def date(self, separator: str) -> str:
        """The publication date to the precision known: `2025/03/01`, `2025/03` or `2025`
        (with `separator` "/"), or "" when unknown."""
        if self.published is None:
            return ""
        parts = [f"{self.published.year:04d}"]
        if self.precision in ("day", "month"):
            parts.append(f"{self.published.month:02d}")
        if self.precision == "day":
            parts.append(f"{self.published.day:02d}")
        return separator.join(parts)

    def schema(self) -> dict[str, Any]:
        """The work as schema.org JSON-LD (a `Report`, a `NewsArticle`...)."""
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": self.work_type.schema,
            "name": self.title,
            "headline": self.title[:110],
        }
        if self.authors:
            data["author"] = [{"@type": "Person", "name": name} for name in self.authors]
        elif self.publisher:
            data["author"] = {"@type": "Organization", "name": self.publisher}
        if self.publisher:
            data["publisher"] = {"@type": "Organization", "name": self.publisher}
        if self.published is not None:
            data["datePublished"] = self.date("-")
        if self.language:
            data["inLanguage"] = self.language
        if self.url:
            data["url"] = self.url
        if self.original_url:
            data["sameAs"] = self.original_url
        return data


@dataclass(frozen=True)
class CitedPage:
    """A page about a work: the work's reader page, or a cell or passage of it. `url` is
    the page's own (absolute) address and `page_title` its own title."""

    work: Work
    url: str
    page_title: str
    structured: Mapping[str, Any] | None = field(default=None)

    def tags(self) -> list[tuple[str, str, str]]:
        """The `<meta>` tags, as (attribute, name, content), in the order they are written."""
        work = self.work
        tags = [("name", "citation_title", work.title)]
        tags += [("name", "citation_author", name) for name in work.creators]
        if work.published is not None:
            tags.append(("name", "citation_publication_date", work.date("/")))
        if work.publisher:
            tags.append(("name", "citation_publisher", work.publisher))
            if work.work_type.report:
                tags.append(("name", "citation_technical_report_institution", work.publisher))
        if work.language:
            tags.append(("name", "citation_language", work.language))
        tags.append(("name", "citation_public_url", self.url))
        tags.append(("name", "DC.title", work.title))
        tags += [("name", "DC.creator", name) for name in work.creators]
        if work.published is not None:
            tags.append(("name", "DC.date", work.date("-")))
        if work.publisher:
            tags.append(("name", "DC.publisher", work.publisher))
        tags.append(("name", "DC.type", work.work_type.zotero))
        tags.append(("name", "DC.identifier", self.url))
        if work.original_url:
            tags.append(("name", "DC.source", work.original_url))
        if work.language:
            tags.append(("name", "DC.language", work.language))
        tags.append(("property", "og:title", self.page_title))
        tags.append(("property", "og:url", self.url))
        tags.append(("property", "og:site_name", SITE_NAME))
        return [(attribute, name, content) for attribute, name, content in tags if content]

    def json_ld(self) -> SafeString:
        return json_ld(self.structured) if self.structured else mark_safe("")


def dataset(
    *,
    name: str,
    description: str,
    url: str,
    distribution: Sequence[tuple[str, str]],
    **extra: Any,
) -> dict[str, Any]:
    """A schema.org `Dataset` with its downloads, given as (media type, absolute URL)."""
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": name,
        "description": description,
        "url": url,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": media_type, "contentUrl": content_url}
            for media_type, content_url in distribution
        ],
        **{key: value for key, value in extra.items() if value not in (None, "", [], {})},
    }
