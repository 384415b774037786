"""Template helpers of the reader: a passage as it is shown, a cited quote marked."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from sources.models import PassageKind
from sources.passage_rendering import mark_html

register = template.Library()


def _cells(passage) -> int:
    return passage.shown.count("\t") + 1


@register.simple_tag
def passage_marked(passage, citation=None) -> SafeString:
    """A passage as the reader shows it (its stored HTML, sanitised when it was written),
    with `citation`'s quote marked if it is valid and in this passage. A table row is shown
    as a table: the row under its table's header row (`passage.table_header`, loaded with
    it), so each cell reads under its column's heading."""
    html = passage.html
    if citation is not None and citation.passage_id == passage.pk and citation.valid:
        html = mark_html(html, citation.start, citation.end)
    if passage.kind != PassageKind.TABLE_ROW:
        return mark_safe(html)  # stored HTML is sanitised at ingestion
    header = passage.table_header
    width = max(_cells(passage), _cells(header) if header is not None else 0)
    missing = width - _cells(passage)
    row_html = (
        ("<td></td>" * missing + html) if passage.is_table_header else html + "<td></td>" * missing
    )
    parts = ['<table class="passage-table">']
    if header is not None:
        pad = "<td></td>" * (width - _cells(header))
        parts.append(f"<thead><tr>{pad}{header.html}</tr></thead>")
    tag = "thead" if passage.is_table_header else "tbody"
    parts.append(f"<{tag}><tr>{row_html}</tr></{tag}></table>")
    return mark_safe("".join(parts))  # stored HTML only
