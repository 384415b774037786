"""A table of a document as its passages hold it: its rows, the heading that captions it, and
the reading text around it (for the quotes' prefix and suffix).

A table is a run of consecutive table rows in reading order, as the reader lays it out
(`sources.reader_html.text_html`) and as the splitter keys it (`sources.parsing`): a table
that continues over a page break repeats its header row, and the repeated header is a
header row of the same table, not the start of another one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Min, Q

from sources.models import Document, Passage, PassageKind
from sources.quotes import CONTEXT_CHARS

# What a table's rows are read with: enough to cite them (`Citation.clean` reads `shown`).
ROW_FIELDS = ("id", "document_id", "ordinal", "anchor", "kind", "shown", "page", "table_header_id")


class NotATable(ValueError):
    """The anchor names no table row of the document; the message says why."""


@dataclass(frozen=True)
class Table:
    """A table: its rows in order (header rows among them), its caption, and the shown texts
    of the passages around it (`before` nearest first, `after` in order)."""

    rows: tuple[Passage, ...]
    caption: str
    key: str
    before: tuple[str, ...]
    after: tuple[str, ...]


def document_table(document: Document, anchor: str) -> Table:
    """The table of `document` that holds the passage `anchor` (any of its rows), or
    NotATable. A fixed number of queries, whatever the size of the document or the table."""
    current = Passage.objects.filter(document=document, retired=False)
    passage = current.filter(anchor=anchor).only("ordinal", "kind").first()
    if passage is None:
        raise NotATable(f"The document {document.slug} has no passage {anchor}.")
    if passage.kind != PassageKind.TABLE_ROW:
        raise NotATable(
            f"The passage {anchor} is a {passage.get_kind_display().lower()}, not a table row."
        )
    others = current.exclude(kind=PassageKind.TABLE_ROW).aggregate(
        first=Max("ordinal", filter=Q(ordinal__lt=passage.ordinal)),
        last=Min("ordinal", filter=Q(ordinal__gt=passage.ordinal)),
    )
    span = Q(ordinal__gt=others["first"]) if others["first"] is not None else Q()
    if others["last"] is not None:
        span &= Q(ordinal__lt=others["last"])
    rows = tuple(current.filter(span).order_by("ordinal").only(*ROW_FIELDS))
    previous = list(
        current.filter(ordinal__lt=rows[0].ordinal)
        .order_by("-ordinal")
        .values_list("kind", "anchor", "shown")[:CONTEXT_CHARS]
    )
    following = current.filter(ordinal__gt=rows[-1].ordinal).order_by("ordinal")
    caption, key = "", rows[0].anchor.removesuffix("-header")
    if previous and previous[0][0] == PassageKind.HEADING:
        caption, key = previous[0][2], previous[0][1]
    return Table(
        rows=rows,
        caption=caption,
        key=key,
        before=tuple(shown for _, _, shown in previous),
        after=tuple(following.values_list("shown", flat=True)[:CONTEXT_CHARS]),
    )
