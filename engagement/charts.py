"""Small server-side SVG pictures of a matrix, accessible without colour or JavaScript.

Each picture is an inline `<svg role="img">` with a `<title>` and a `<desc>` that say in
words what it shows; every mark carries a letter or a number beside its colour. The marks
are f-strings with their text escaped (html.escape, as Django's escape), not format_html:
a heat-map has a few hundred of them on every matrix page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from engagement.matrix import Matrix
from engagement.models import EngagementLevel

# Fill and the letter drawn on it, per kind; a position with no cell is an outlined square.
KIND_MARKS = {
    "verbatim": ("#1d4f91", "#ffffff", "V"),
    "analyst": ("#7fb3e6", "#0b1f3a", "A"),
    "empty": ("#e4e7eb", "#1b1f24", "–"),
}
MISSING_MARK = ("#ffffff", "#1b1f24", "")

_SQUARE = 22
_GAP = 4
_LABEL_WIDTH = 20
_COLUMN = 40  # wide enough for a four-letter level label


def _svg(svg_id: str, width: int, height: int, title: str, desc: str, body: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=svg_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
        body=mark_safe(body),  # built by the callers, every text in it escaped
    )


def heatmap_svg(matrix: Matrix, *, svg_id: str) -> SafeString:
    """A compact grid of the matrix: one square per activity and level, emphasised ones starred."""
    levels = matrix.levels
    left = 30
    top = 20
    width = left + len(levels) * _COLUMN + _LABEL_WIDTH
    height = top + len(matrix.rows) * (_SQUARE + _GAP) + 24
    parts: list[str] = []
    for column, level in enumerate(levels):
        x = left + column * _COLUMN + _SQUARE / 2
        parts.append(
            f'<text x="{x}" y="14" text-anchor="middle" class="chart-label">'
            f"{escape(level.name[:4])}</text>"
        )
    filled = [0] * len(levels)
    emphasised_words = []
    for row_index, row in enumerate(matrix.rows):
        y = top + row_index * (_SQUARE + _GAP)
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{row.activity.ordinal}</text>"
        )
        for column, cell in enumerate(row.cells):
            x = left + column * _COLUMN
            fill, ink, letter = KIND_MARKS[cell.kind] if cell is not None else MISSING_MARK
            if cell is not None and cell.kind != "empty":
                filled[column] += 1
            dashed = ' stroke-dasharray="3 2"' if cell is None else ""
            parts.append(
                f'<rect x="{x}" y="{y}" width="{_SQUARE}" height="{_SQUARE}" fill="{fill}" '
                f'stroke="#555d66" stroke-width="1"{dashed}/>'
            )
            if cell is not None and cell.emphasised:
                letter = "★"
                emphasised_words.append(f"{row.activity.name}: {levels[column].name}")
            if letter:
                parts.append(
                    f'<text x="{x + _SQUARE / 2}" y="{y + 16}" text-anchor="middle" '
                    f'fill="{ink}" class="chart-mark">{escape(letter)}</text>'
                )
    totals_y = top + len(matrix.rows) * (_SQUARE + _GAP) + 14
    for column, count in enumerate(filled):
        parts.append(
            f'<text x="{left + column * _COLUMN + _SQUARE / 2}" y="{totals_y}" '
            f'text-anchor="middle" class="chart-label">{count}</text>'
        )
    per_level = "; ".join(
        f"{level.name}: {count} cell{'s' if count != 1 else ''} with an entry"
        for level, count in zip(levels, filled, strict=True)
    )
    desc = (
        f"Rows are the activities by number, columns the levels, deepest first. "
        f"V verbatim, A analyst mapping, – no entry in the source, blank not in this framework, "
        f"★ the level the source singles out. {per_level}. "
        f"Emphasised: {'; '.join(emphasised_words) or 'none'}."
    )
    return _svg(
        svg_id,
        width,
        height,
        f"Heat-map of {matrix.framework.name}",
        desc,
        "".join(parts),
    )


def distribution_svg(
    *, svg_id: str, name: str, levels: Sequence[EngagementLevel], counts: dict[int, int]
) -> SafeString:
    """Horizontal bars: how many filled cells a framework has at each level."""
    bar_left, bar_max, row_height = 110, 160, 22
    most = max([*counts.values(), 1])
    parts = []
    for index, level in enumerate(levels):
        count = counts.get(level.pk, 0)
        y = index * row_height + 4
        length = round(bar_max * count / most)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="14" class="bar bar-{}"/>'
                '<text x="{}" y="{}" class="chart-label">{}</text>',
                bar_left - 6,
                y + 12,
                level.name,
                bar_left,
                y,
                length,
                level.slug,
                bar_left + length + 4,
                y + 12,
                count,
            )
        )
    desc = "; ".join(f"{level.name}: {counts.get(level.pk, 0)}" for level in levels)
    return _svg(
        svg_id,
        bar_left + bar_max + 30,
        len(levels) * row_height + 6,
        f"Cells with an entry per level, {name}",
        desc,
        "".join(parts),
    )


def counts_by_level(cells: Iterable) -> dict[int, int]:
    """Filled (non-empty) cells per level id, from cells already loaded."""
    counts: dict[int, int] = {}
    for cell in cells:
        if cell is not None and cell.kind != "empty":
            counts[cell.level_id] = counts.get(cell.level_id, 0) + 1
    return counts
