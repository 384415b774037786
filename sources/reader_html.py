"""The reader's pages, read from the database in a fixed number of queries and written as
HTML from the passages' stored HTML.

What a page puts between two passages is a newline and nothing else a reader sees: the
passages' permalinks and "cited by" markers are links without text (their label is an
`aria-label`, drawn by the stylesheet), and the lists of what cites them sit after the
text. So the page's text is the document's reading text (`sources.quotes`), and a W3C
selector or a text fragment anchors on it as it anchors on the document. The page of the
source (a PDF) a passage is on is drawn in the margin the same way: an element without
text, named for assistive technology by its `aria-label`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count, F, Max, Min, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.safestring import SafeString, mark_safe

from core import registry
from core.links import link
from sources.models import Citation, Document, Passage, PassageKind, page_url, pages_label
from sources.passage_rendering import mark_html
from sources.quotes import READING_SEPARATOR

# "Cited by" shows this many claims beside a passage; the rest are on its cited-by page.
CITED_BY_SHOWN = 3
# The cited-by page lists this many claims a page.
CITED_BY_PAGE_SIZE = 25
# A section page lists this many pages on each side of its own.
PAGES_AROUND = 12


def claim_link(citation: Citation) -> dict:
    """What a citation supports, in words and with the page that shows it; the claim types
    are the ones the apps registered (`core.registry`)."""
    claim = citation.claim
    role = citation.get_role_display()
    content_type = citation.content_type
    claim_type = registry.claim_type(content_type.app_label, content_type.model)
    if claim_type is None:
        return {"kind": type(claim).__name__, "label": str(claim), "url": None, "role": role}
    return {
        "kind": claim_type.kind,
        "label": claim_type.label(claim),
        "url": claim_type.url(claim),
        "role": role,
    }


def claims_prefetch() -> GenericPrefetch:
    """Each claim type with what its label and link need: one query per type, not per claim."""
    return GenericPrefetch("claim", [claim.queryset() for claim in registry.claim_types().values()])


@dataclass
class PageEntry:
    """A reader page, as the list of pages and previous/next name it."""

    anchor: str
    title: str
    url: str
    current: bool = False


@dataclass
class OutlineEntry:
    anchor: str
    level: int
    title: str
    url: str
    passages: int = 0
    citations: int = 0


@dataclass
class Notes:
    """What cites one passage: the first claims, and how many there are."""

    passage: Passage
    count: int
    claims: list[dict] = field(default_factory=list)
    more_url: str = ""
    citations: list[Citation] = field(default_factory=list)  # those of `claims`


def heading_tags(levels: list[int]) -> list[int]:
    """The HTML heading (2 to 6) of each of a page's headings, given their levels in reading
    order: one below the heading it falls under on this page, so that the headings nest under
    the page's title (its `h1`) and never skip a rank, whichever level the page starts at (a
    section page may open on a chapter, an article, or the middle of one) and whatever levels
    the source numbers from."""
    open_levels: list[int] = []
    tags = []
    for level in levels:
        while open_levels and open_levels[-1] >= level:
            open_levels.pop()
        tags.append(min(6, 2 + len(open_levels)))
        open_levels.append(level)
    return tags


class PageUrls:
    """The URLs of a document's reader pages, reversed once for a page of many links (a
    page's anchor is a slug: it needs no quoting)."""

    def __init__(self, document: Document) -> None:
        self.front = page_url(document.slug, "")
        marker = "section-anchor"
        section = page_url(document.slug, marker)
        self.before, self.after = section.split(marker)

    def __call__(self, page: str) -> str:
        return f"{self.before}{page}{self.after}" if page else self.front


def page_entries(document: Document, current: str) -> tuple[list[PageEntry], int]:
    """Every section page of `document` in order, and the index of `current` (-1 for the
    front page), from its laid-out summary: no query."""
    url = PageUrls(document)
    entries = [
        PageEntry(anchor, title, url(anchor), anchor == current)
        for anchor, title in document.reader.get("pages", [])
    ]
    index = next((i for i, e in enumerate(entries) if e.current), -1)
    return entries, index


def outline(document: Document) -> tuple[list[OutlineEntry], int]:
    """The document's headings (at most `OUTLINE_MAX`, the shallowest levels first) with the
    number of passages and citations under each, and how many headings are left out.

    One query, for the number of citations of each cited passage; the headings come from
    the document's laid-out summary.
    """
    # The citations' passage ids bounded by the lowest and highest of the document's: always
    # true, and it lets the database read the citations through their passage index (about
    # 3 ms at x1000 on PostgreSQL), not scan every citation of every document to join them
    # to this one's passages (30 ms).
    ids = Passage.objects.filter(document=document).order_by().values("document")
    cited = sorted(
        Citation.objects.filter(
            passage__document=document,
            passage__retired=False,
            passage_id__gte=Subquery(ids.annotate(low=Min("id")).values("low")),
            passage_id__lte=Subquery(ids.annotate(high=Max("id")).values("high")),
        )
        .values_list("passage__ordinal")
        .annotate(n=Count("id"))
        .values_list("passage__ordinal", "n")
    )
    cited_ordinals = [ordinal for ordinal, _ in cited]
    running = [0]
    for _, n in cited:
        running.append(running[-1] + n)
    entries, url = [], PageUrls(document)
    for ordinal, anchor, level, title, page, end in document.reader.get("outline", []):
        low = bisect.bisect_left(cited_ordinals, ordinal)
        high = bisect.bisect_left(cited_ordinals, end)
        entries.append(
            OutlineEntry(
                anchor=anchor,
                level=level,
                title=title,
                url=f"{url(page)}#{anchor}",
                passages=end - ordinal,
                citations=running[high] - running[low],
            )
        )
    return entries, document.reader.get("omitted", 0)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def outline_html(entries: list[OutlineEntry]) -> SafeString:
    """The outline's list items, written here rather than by a template loop: a long act
    has hundreds of headings."""
    items = []
    for entry in entries:
        title = entry.title if len(entry.title) <= 90 else entry.title[:89] + "…"
        items.append(
            f'<li class="outline-level-{entry.level}"><a href="{escape(entry.url)}">'
            f'{escape(title)}</a> <span class="counts">'
            f"{_plural(entry.passages, 'passage')}, {_plural(entry.citations, 'citation')}"
            "</span></li>"
        )
    return mark_safe("".join(items))  # every value escaped


def notes_for(document: Document, passages: list[Passage]) -> dict[int, Notes]:
    """What cites each of `passages`: the number of claims and the first CITED_BY_SHOWN.

    One query (each passage's citations numbered and counted by window functions, the
    first kept), plus one per claim type, whatever the number of citations.
    """
    partition_by = [F("passage_id")]
    first = list(
        Citation.objects.filter(passage_id__in=[p.pk for p in passages])
        .annotate(
            rank=Window(RowNumber(), partition_by=partition_by, order_by=[F("id").asc()]),
            cited=Window(Count("id"), partition_by=partition_by),
        )
        .filter(rank__lte=CITED_BY_SHOWN)
        .select_related("content_type")
        .prefetch_related(claims_prefetch())
        .order_by("passage_id", "id")
    )
    by_id = {p.pk: p for p in passages}
    notes: dict[int, Notes] = {}
    for citation in first:
        note = notes.get(citation.passage_id)
        if note is None:
            passage = by_id[citation.passage_id]
            note = notes[passage.pk] = Notes(
                passage=passage,
                count=citation.cited,
                more_url=link(
                    "sources:passage-cited-by", slug=document.slug, anchor=passage.anchor
                ),
            )
        note.claims.append(claim_link(citation))
        note.citations.append(citation)
    return notes


def reader_scopes(document: Document, notes: dict[int, Notes]) -> list[str]:
    """What a reader page shows (`core.cache.depends_on`): the document (its passages and
    the quotes into it), the vocabulary, and the claims it names in "cited by", through their
    owners' scopes as the apps registered them."""
    scopes = ["vocabulary", f"document:{document.pk}"]
    for note in notes.values():
        for citation in note.citations:
            content_type = citation.content_type
            claim_type = registry.claim_type(content_type.app_label, content_type.model)
            if claim_type is not None and citation.claim is not None:
                scopes.extend(claim_type.scopes(citation.claim))
    return scopes


def _permalinks(document: Document) -> Callable[[str], str]:
    """The permalink of each passage of `document`, reversed once."""
    marker = "passage-anchor"
    before, after = link("sources:passage-permalink", slug=document.slug, anchor=marker).split(
        marker
    )
    return lambda anchor: f"{before}{anchor}{after}"


def _cite_forms(document: Document) -> Callable[[str], str]:
    """The cite form of each passage of `document` (for editors), reversed once."""
    marker = "passage-anchor"
    before, after = link("sources:passage-cite", slug=document.slug, anchor=marker).split(marker)
    return lambda anchor: f"{before}{anchor}{after}"


def _tools(
    permalinks: Callable[[str], str],
    passage: Passage,
    notes: Notes | None,
    cite_forms: Callable[[str], str] | None = None,
) -> str:
    """The passage's permalink, "cited by" marker and, for an editor, the link to cite words
    from it: links with no text of their own."""
    permalink = permalinks(passage.anchor)
    out = [
        f'<span class="passage-tools"><a class="permalink" href="{escape(permalink)}" '
        f'aria-label="Permalink to passage {escape(passage.anchor)}"></a>'
    ]
    if cite_forms is not None:
        anchor = escape(passage.anchor)
        out.append(
            f'<a class="cite-link" href="{escape(cite_forms(passage.anchor))}" '
            f'data-passage="{anchor}" aria-label="Cite words from passage {anchor}"></a>'
        )
    if notes:
        label = f"Cited by {notes.count}"
        out.append(
            f'<a class="cited-by-marker" href="#cited-{escape(passage.anchor)}" '
            f'data-label="{label}" aria-label="{label}: what cites passage '
            f'{escape(passage.anchor)}"></a>'
        )
    out.append("</span>")
    return "".join(out)


def source_page_marks(passages: list[Passage]) -> dict[int, str]:
    """The margin mark of each passage (by id) where the source's page changes: the first
    passage of the reader page, a passage that starts on a page after the one the passage
    before it ended on, one that runs over a page break; none for a document without pages.

    A mark is an empty element (the stylesheet draws its `data-label`, "p. 2"), so that the
    reading text stays the document's; its `aria-label` ("page 2") names it to a screen
    reader, where `role="img"` lets an element without text carry a name.
    """
    marks: dict[int, str] = {}
    current: int | None = None
    for passage in passages:
        first, last = passage.source_page, passage.source_page_end
        if first is None:
            continue
        if first != current or (last is not None and last != first):
            shown = pages_label(first, last)
            spoken = f"page {first}" if shown.startswith("p. ") else f"pages {first} to {last}"
            marks[passage.pk] = (
                f'<span class="source-page" role="img" aria-label="{spoken}" '
                f'data-label="{shown}"></span>'
            )
        current = last if last is not None else first
    return marks


def _cells(passage: Passage) -> int:
    return passage.shown.count("\t") + 1


def _row(
    passage: Passage,
    html: str,
    width: int,
    tools: str,
    *,
    repeated: bool = False,
    cited: str = "",
    mark: str = "",
) -> str:
    missing = width - _cells(passage)
    header = passage.is_table_header
    tools = mark + tools
    if tools:
        close = html.find("</th>")
        close = close if close >= 0 else html.find("</td>")
        html = html[:close] + tools + html[close:] if close >= 0 else html + tools
    if missing > 0:
        # A header row short of cells leaves the row labels' column without a header; a
        # body row short of cells ends with empty ones. Neither adds any text.
        html = "<td></td>" * missing + html if header else html + "<td></td>" * missing
    classes = "passage passage-table_row" + (" table-header" if header else "") + cited
    if repeated:
        return f'<tr class="table-header repeated">{html}{END}</tr>'
    return f'<tr id="{escape(passage.anchor)}" class="{classes}">{html}{END}</tr>'


# Each passage's element ends with the newline that separates it from the next passage in
# the reading text (`sources.quotes.READING_SEPARATOR`), and nothing else stands between two
# passages. Inside the element, it also gives a position selector that ends with the
# passage's text a text node to end in (dom-anchor-text-position cannot end a range at the
# very end of its root).
END = READING_SEPARATOR


def text_html(
    document: Document,
    passages: list[Passage],
    *,
    notes: dict[int, Notes],
    cite: Citation | None = None,
    editor: bool = False,
    table_actions: Sequence[registry.TableAction] = (),
) -> SafeString:
    """The passages of a page as HTML: headings, paragraphs, lists, footnotes and tables,
    each ending with a newline, `cite`'s quote marked when it stands; for an `editor`, each
    passage links its cite form, and each table the `table_actions` (`core.registry`)."""
    permalinks = _permalinks(document)
    forms = _cite_forms(document) if editor else None
    marks = source_page_marks(passages)
    actions = [(action, link(action.viewname)) for action in table_actions]

    def tools(passage: Passage) -> str:
        return _tools(permalinks, passage, notes.get(passage.pk), forms)

    headings = iter(heading_tags([p.level for p in passages if p.kind == PassageKind.HEADING]))
    out: list[str] = []
    index = 0
    while index < len(passages):
        passage = passages[index]
        if passage.kind == PassageKind.TABLE_ROW:
            stop = index
            while stop < len(passages) and passages[stop].kind == PassageKind.TABLE_ROW:
                stop += 1
            out.append(_table(tools, passages, index, stop, cite=cite, marks=marks))
            if actions:
                out.append(_table_actions(document, passages[index].anchor, actions))
            index = stop
            continue
        if passage.kind == PassageKind.LIST_ITEM:
            stop = index
            while stop < len(passages) and passages[stop].kind == PassageKind.LIST_ITEM:
                stop += 1
            items = "".join(
                f'<li id="{escape(p.anchor)}" class="passage passage-list_item'
                f'{_cited_class(p, cite)}">'
                f"{marks.get(p.pk, '')}{_html(p, cite)}{tools(p)}{END}</li>"
                for p in passages[index:stop]
            )
            out.append(f'<ul class="passages">{items}</ul>')
            index = stop
            continue
        passage_tools = tools(passage)
        anchor = escape(passage.anchor)
        mark = marks.get(passage.pk, "")
        if passage.kind == PassageKind.HEADING:
            tag = f"h{next(headings)}"
            # Beside the heading, not in it: the heading's name stays its words.
            out.append(
                f'<div class="passage-heading">{mark}<{tag} id="{anchor}" class="passage '
                f'passage-heading{_cited_class(passage, cite)}">{_html(passage, cite)}'
                f"{END}</{tag}>{passage_tools}</div>"
            )
        else:
            out.append(
                f'<p id="{anchor}" class="passage passage-{passage.kind}'
                f'{_cited_class(passage, cite)}">'
                f"{mark}{_html(passage, cite)}{passage_tools}{END}</p>"
            )
        index += 1
    return mark_safe("".join(out))


def _table_actions(document: Document, anchor: str, actions) -> str:
    """The links to what an editor may do with a table: links without text of their own
    (their label is drawn by the stylesheet), so the page's text stays the reading text."""
    query = urlencode({"document": document.slug, "table": anchor})
    links = "".join(
        f'<a class="table-action" href="{escape(url)}?{escape(query)}" '
        f'data-label="{escape(action.label)}" aria-label="{escape(action.label)}"></a>'
        for action, url in actions
    )
    return f'<p class="table-actions">{links}</p>'


def _cited_class(passage: Passage, cite: Citation | None) -> str:
    return " passage-cited" if cite is not None and cite.passage_id == passage.pk else ""


def _html(passage: Passage, cite: Citation | None) -> str:
    if cite is not None and cite.passage_id == passage.pk and cite.valid:
        return mark_html(passage.html, cite.start, cite.end)
    return passage.html


def _table(tools, passages, start, stop, *, cite, marks: dict[int, str]) -> str:
    rows = passages[start:stop]
    width = max(_cells(p) for p in rows)
    caption = ""
    # The table scrolls inside a region of its own on a narrow screen: a region a keyboard
    # can reach, named by the table's heading.
    region = ' aria-label="Table"'
    if start > 0 and passages[start - 1].kind == PassageKind.HEADING:
        caption = f' aria-labelledby="{escape(passages[start - 1].anchor)}"'
        region = caption
    head: list[str] = []
    body: list[str] = []
    first = rows[0]
    if not first.is_table_header and first.table_header is not None:
        # The table began on an earlier page: its header row is repeated, not re-anchored.
        head.append(_row(first.table_header, first.table_header.html, width, "", repeated=True))
    for position, passage in enumerate(rows):
        row = _row(
            passage,
            _html(passage, cite),
            width,
            tools(passage),
            cited=_cited_class(passage, cite),
            mark=marks.get(passage.pk, ""),
        )
        (head if position == 0 and passage.is_table_header else body).append(row)
    parts = [f'<div class="table-scroll" role="region" tabindex="0"{region}>']
    parts.append(f'<table class="passages"{caption}>')
    if head:
        parts.append("<thead>" + "".join(head) + "</thead>")
    if body:
        parts.append("<tbody>" + "".join(body) + "</tbody>")
    parts.append("</table></div>")
    return "".join(parts)
