"""Template helpers of the matrix pages: a matrix cell."""

from __future__ import annotations

import html

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_KIND_NAMES = {"verbatim": "Verbatim", "analyst": "Analyst mapping"}
_MISSING_CELL = mark_safe(
    '<td class="cell cell-missing"><span class="kind kind-missing">Not in this framework</span></td>'
)
_BADGE = '<strong class="badge"><span aria-hidden="true">★ </span>Emphasised</strong> '


@register.simple_tag
def matrix_cell(cell) -> SafeString:
    """One cell of the matrix table, its `<td>` and all; None is a position the framework
    leaves out. For cells given `source_links` by engagement.matrix.add_source_links.

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


@register.simple_tag
def matrix_cells(cells) -> SafeString:
    """A row of the grid's cells (`matrix_cell` each): one call a row, from Django's
    templates and the Jinja2 matrix alike."""
    return mark_safe("".join([matrix_cell(cell) for cell in cells]))
