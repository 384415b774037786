"""Template helpers of the matrix pages: a matrix cell."""

from __future__ import annotations

import html

from django import template
from django.utils.safestring import SafeString, mark_safe

from engagement.models import EVIDENCE_SHOWN, CellEvidence

register = template.Library()

_KIND_NAMES = {"verbatim": "Verbatim", "analyst": "Analyst mapping"}
_INFERRED = (
    f' <span class="evidence evidence-inferred">{EVIDENCE_SHOWN[CellEvidence.INFERRED]}</span>'
)
_BADGE = '<strong class="badge"><span aria-hidden="true">★ </span>Emphasised</strong> '


@register.simple_tag
def matrix_cell(cell, label: str = "") -> SafeString:
    """One cell of the matrix table, its `<td>` and all; None is a position the framework
    leaves out. For cells given `source_links` by engagement.matrix.add_source_links.
    `label` names the cell's column (its level), which a narrow screen shows above the cell
    when it stacks a row's cells (`data-label`).

    Written here rather than as an included template, and with f-strings whose every text is
    escaped (html.escape, as Django's escape) rather than format_html: a matrix has up to 60
    cells, and the template include cost more than the rest of the page together.
    """
    labelled = f' data-label="{html.escape(label)}"' if label else ""
    if cell is None:
        return mark_safe(
            f'<td class="cell cell-missing"{labelled}>'
            '<span class="kind kind-missing">Not in this framework</span></td>'
        )
    classes = f"cell cell-{cell.kind}" + (" cell-emphasised" if cell.emphasised else "")
    url = html.escape(cell.get_absolute_url())
    if cell.kind == "empty":
        # Its evidence in words: none stated in the source, or not assessed.
        evidence = str(cell.evidence or CellEvidence.NONE_STATED)
        position = html.escape(f"{cell.activity.name} / {cell.level.name}")
        return mark_safe(
            f'<td class="{classes}" data-evidence="{html.escape(evidence)}"{labelled}>'
            '<span class="kind kind-empty">'
            f"{html.escape(EVIDENCE_SHOWN.get(evidence, evidence))}</span> "
            f'<a class="cell-link" href="{url}">Details<span class="visually-hidden">'
            f" of {position}</span></a></td>"
        )
    sources = "".join(source_link(link, cell) for link in cell.source_links)
    inferred = _INFERRED if cell.evidence == CellEvidence.INFERRED else ""
    return mark_safe(
        f'<td class="{classes}"{labelled}>{_BADGE if cell.emphasised else ""}'
        f'<a class="cell-text" href="{url}">{html.escape(cell.text)}</a> '
        f'<span class="kind kind-{cell.kind}">{_KIND_NAMES[cell.kind]}</span>{inferred}'
        f"{sources}</td>"
    )


def source_link(link, cell) -> str:
    """A cell's source link, named by the passage's place in its document ("Table 1, row
    Develop Evaluations"), and by the document too where it is not the framework's own
    source (which the page names once, above the grid)."""
    place = html.escape(link.place or link.anchor)
    document = html.escape(link.document)
    own = link.document_id is not None and link.document_id == getattr(
        cell.framework, "document_id", None
    )
    if not document:
        where = place
    elif own:
        where = f'{place}<span class="visually-hidden">, in {document}</span>'
    else:
        where = f"{document}, {place}"
    return (
        f' <a class="cite" href="{html.escape(link.url)}">Source<span class="visually-hidden">'
        f" of this cell</span>: {where}</a>"
    )


@register.simple_tag
def matrix_cells(cells, labels=()) -> SafeString:
    """A row of the grid's cells (`matrix_cell` each): one call a row, from Django's
    templates and the Jinja2 matrix alike. `labels`, the columns' levels (or activities, in
    a transposed grid), name each cell (anything with a `name`, or strings)."""
    names = [getattr(label, "name", label) for label in labels] or [""] * len(cells)
    return mark_safe(
        "".join([matrix_cell(cell, name) for cell, name in zip(cells, names, strict=True)])
    )
