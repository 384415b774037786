"""Template helpers of the explorer pages: quotes marked in their passage, matrix cells."""

from __future__ import annotations

import html

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sources.markdown import DEAD_LINK, EMPHASIS

register = template.Library()

# The same display cleaning as `sources.markdown.plain`, expressed as offsets to hide, so a
# quote can be marked at its offsets in the verbatim text.


def _hidden(text: str) -> set[int]:
    hidden: set[int] = set()
    for match in DEAD_LINK.finditer(text):
        hidden.add(match.start())
        hidden.update(range(match.end(1), match.end()))
    for match in EMPHASIS.finditer(text):
        hidden.update((match.start(), match.start() + 1, match.end() - 2, match.end() - 1))
    return hidden


def marked_text(text: str, start: int | None = None, end: int | None = None) -> SafeString:
    """The passage text, cleaned for display as `plain` does, with text[start:end] in <mark>.

    The offsets are those of the verbatim text (a citation's `start`/`end`), so the mark
    lands exactly on the quote even where display cleaning removes characters around it.
    """
    text = text or ""
    hidden = _hidden(text)
    out: list[str] = []
    for index, char in enumerate(text):
        if index == start:
            out.append('<mark class="quote">')
        if index == end:
            out.append("</mark>")
        if index in hidden:
            continue
        out.append("<br>\n" if char == "\n" else escape(char))
    if start is not None and end is not None and end >= len(text) and start < len(text):
        out.append("</mark>")
    return mark_safe("".join(out))  # every character above is escaped


@register.simple_tag
def passage_marked(passage, citation=None) -> SafeString:
    """A passage's text with `citation`'s quote marked, if it is valid and in this passage."""
    if citation and citation.passage_id == passage.pk and citation.valid:
        return marked_text(passage.text, citation.start, citation.end)
    return marked_text(passage.text)


_KIND_NAMES = {"verbatim": "Verbatim", "analyst": "Analyst mapping"}
_MISSING_CELL = mark_safe(
    '<td class="cell cell-missing"><span class="kind kind-missing">Not in this framework</span></td>'
)
_BADGE = '<strong class="badge"><span aria-hidden="true">★ </span>Emphasised</strong> '


@register.simple_tag
def matrix_cell(cell) -> SafeString:
    """One cell of the matrix table, its `<td>` and all; None is a position the framework
    leaves out. For cells given `source_links` by engagement.matrix.link_cells.

    Written here rather than as an included template, and with f-strings whose every text is
    escaped (html.escape, as Django's escape) rather than format_html: a matrix has up to 60
    cells, and the template include cost more than the rest of the page together.
    """
    if cell is None:
        return _MISSING_CELL
    classes = f"cell cell-{cell.kind}" + (" cell-emphasised" if cell.emphasised else "")
    url = html.escape(cell.get_absolute_url())
    if cell.kind == "empty":
        position = html.escape(f"{cell.activity.name} / {cell.level.name}")
        return mark_safe(
            f'<td class="{classes}"><span class="kind kind-empty">No entry in the source</span> '
            f'<a class="cell-link" href="{url}">Details<span class="visually-hidden"> of '
            f"{position}</span></a></td>"
        )
    sources = "".join(
        f' <a class="cite" href="{html.escape(link.url)}">Source<span class="visually-hidden">'
        f" of this cell</span>: {html.escape(link.anchor)}</a>"
        for link in cell.source_links
    )
    return mark_safe(
        f'<td class="{classes}">{_BADGE if cell.emphasised else ""}'
        f'<a class="cell-text" href="{url}">{html.escape(cell.text)}</a> '
        f'<span class="kind kind-{cell.kind}">{_KIND_NAMES[cell.kind]}</span>{sources}</td>'
    )
