"""Drafting a framework from a source's table: the plan, without the database.

A table's header row names the columns; the columns whose heading names an engagement level
(by its name or slug, case and spacing aside), or that an editor maps to one, become that
level's cells, and the others are left out. The first column names the activities. Every
body cell becomes a cell: its text the cell's words as the reader shows them, its quote
those words at their place in the row (a W3C selector, `sources.quotes`); a cell the source
leaves blank becomes an empty cell. `engagement.services.framework_draft` writes the plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.text import slugify

from sources.quotes import CONTEXT_CHARS, Anchor, anchor_quote, reading_context

# What separates a table row's cells in its shown text (`sources.passage_rendering`).
CELL_SEPARATOR = "\t"
# The longest activity name (`Activity.name`) and slug (`Activity.slug`).
NAME_LENGTH = 200
SLUG_LENGTH = 100


class DraftError(ValueError):
    """The table cannot be drafted as asked: `field` (`table`, `levels`) and the reason."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Level:
    slug: str
    name: str


@dataclass(frozen=True)
class Row:
    """A table row as the plan reads it: its shown text and whether it is a header row."""

    shown: str
    header: bool = False


@dataclass(frozen=True)
class Column:
    """A column of the table after the first: its heading and the level it is (or None)."""

    index: int
    heading: str
    level: str | None


@dataclass(frozen=True)
class DraftRow:
    """A body row: its index among the table's rows, and its activity's name and quote."""

    index: int
    name: str
    quote: Anchor


@dataclass(frozen=True)
class DraftCell:
    """A cell of the draft: its row (index among the table's rows), its level, and its text
    with the quote of it in the row; an empty cell has no text and no quote."""

    row: int
    level: str
    text: str
    quote: Anchor | None


@dataclass(frozen=True)
class Plan:
    columns: tuple[Column, ...]
    rows: tuple[DraftRow, ...]
    cells: tuple[DraftCell, ...]


def normalised(text: str) -> str:
    """A name as names are matched: its words, casefolded, single-spaced."""
    return " ".join(text.split()).casefold()


def split_cells(shown: str) -> list[tuple[str, int]]:
    """A row's cells as the reader shows them: each cell's words (spaces around them left
    out) and where they start in `shown`."""
    cells, start = [], 0
    for piece in shown.split(CELL_SEPARATOR):
        words = piece.strip()
        offset = start + len(piece) - len(piece.lstrip()) if words else start
        cells.append((words, offset))
        start += len(piece) + len(CELL_SEPARATOR)
    return cells


def header_row(rows: Sequence[Row]) -> int:
    """The index of the table's (first) header row, or a DraftError on `table`."""
    for index, row in enumerate(rows):
        if row.header:
            return index
    raise DraftError("table", "The table has no header row: its columns name no levels.")


def headings_of(rows: Sequence[Row]) -> list[str]:
    """The column headings: the header row's cells, as wide as the widest row. A header
    row short of cells leaves the first columns (the row labels') without a heading, as the
    reader lays it out (the source's leading tab is not part of the row's text)."""
    header = header_row(rows)
    headings = [words for words, _ in split_cells(rows[header].shown)]
    width = max(len(split_cells(row.shown)) for row in rows)
    return [""] * (width - len(headings)) + headings


def level_for(heading: str, levels: Sequence[Level]) -> str | None:
    """The level a column heading names (its name or slug), or None."""
    wanted = normalised(heading)
    for level in levels:
        if wanted and wanted in (normalised(level.name), level.slug, normalised(level.slug)):
            return level.slug
        if wanted and slugify(heading) == level.slug:
            return level.slug
    return None


def columns_proposed(headings: Sequence[str], levels: Sequence[Level]) -> tuple[Column, ...]:
    """The columns after the first (the activities'), each with the level its heading names."""
    return tuple(
        Column(index, heading, level_for(heading, levels))
        for index, heading in enumerate(headings)
        if index > 0
    )


def columns_mapped(
    headings: Sequence[str],
    levels: Sequence[Level],
    mapping: Mapping[str, str | None] | None,
) -> tuple[Column, ...]:
    """The columns with their levels: as their headings name them, except where `mapping`
    (`{heading: level slug}`, an empty slug or None for a column that is no level) says
    otherwise. A DraftError on `levels` for a mapping that names no heading or no level,
    two columns of one level, or no column of any level."""
    columns = columns_proposed(headings, levels)
    slugs = {level.slug for level in levels}
    by_heading: dict[str, list[int]] = {}
    for column in columns:
        by_heading.setdefault(normalised(column.heading), []).append(column.index)
    chosen = {column.index: column.level for column in columns}
    for key, slug in (mapping or {}).items():
        indexes = by_heading.get(normalised(str(key)))
        if indexes is None:
            names = ", ".join(f"“{c.heading}”" for c in columns)
            raise DraftError("levels", f"“{key}” is not a column heading of the table ({names}).")
        if slug not in (None, "") and slug not in slugs:
            raise DraftError(
                "levels", f"“{slug}” (for “{key}”) is not a level: {', '.join(sorted(slugs))}."
            )
        for index in indexes:
            chosen[index] = slug or None
    columns = tuple(Column(c.index, c.heading, chosen[c.index]) for c in columns)
    seen: dict[str, Column] = {}
    for column in columns:
        if column.level is None:
            continue
        if column.level in seen:
            raise DraftError(
                "levels",
                f"The columns “{seen[column.level].heading}” and “{column.heading}” are both "
                f"the level {column.level}: a level is one column.",
            )
        seen[column.level] = column
    if not seen:
        if mapping:
            raise DraftError("levels", "The mapping leaves no column of the table a level.")
        raise DraftError(
            "levels",
            "No column heading of the table names a level; say which column is which level "
            f"(`levels`: {{heading: level}}, the levels being {', '.join(sorted(slugs))}).",
        )
    return columns


def draft_plan(
    rows: Sequence[Row],
    *,
    anchors: Sequence[str],
    levels: Sequence[Level],
    mapping: Mapping[str, str | None] | None = None,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> Plan:
    """The draft of a table (`rows` in order, `anchors` their passages' anchors, for the
    errors), its quotes' prefixes and suffixes reaching into the passages around it
    (`before` nearest first, `after` in order: their shown texts). A DraftError names the
    field (`table`, `levels`) of a table that cannot be drafted as asked."""
    columns = columns_mapped(headings_of(rows), levels, mapping)
    body = [index for index, row in enumerate(rows) if not row.header]
    if not body:
        raise DraftError("table", "The table has no rows below its header row.")
    shown = [row.shown for row in rows]
    draft_rows: list[DraftRow] = []
    cells: list[DraftCell] = []
    names: dict[str, str] = {}
    for index in body:
        cut = split_cells(shown[index])
        name, start = cut[0]
        _row_name_check(name, anchors[index], names)
        around = reading_context(
            [*reversed(shown[max(0, index - CONTEXT_CHARS) : index]), *before],
            [*shown[index + 1 : index + 1 + CONTEXT_CHARS], *after],
        )
        draft_rows.append(DraftRow(index, name, _quote(shown[index], name, start, around)))
        for column in columns:
            if column.level is None:
                continue
            words, at = cut[column.index] if column.index < len(cut) else ("", 0)
            anchor = _quote(shown[index], words, at, around) if words else None
            cells.append(DraftCell(index, column.level, words, anchor))
    return Plan(columns=columns, rows=tuple(draft_rows), cells=tuple(cells))


def _quote(text: str, words: str, start: int, around: tuple[str, str]) -> Anchor:
    return anchor_quote(text, words, start=start, before=around[0], after=around[1])


def _row_name_check(name: str, anchor: str, names: dict[str, str]) -> None:
    if not name:
        raise DraftError("table", f"The row {anchor} names no activity in its first column.")
    if len(name) > NAME_LENGTH:
        raise DraftError(
            "table", f"The row {anchor} names an activity longer than {NAME_LENGTH} characters."
        )
    key = normalised(name)
    if key in names:
        raise DraftError(
            "table", f"The rows {names[key]} and {anchor} name the same activity, “{name}”."
        )
    names[key] = anchor


def free_slug(name: str, taken: set[str]) -> str:
    """A slug made of `name`, unlike any of `taken` (which it joins): numbered if need be."""
    base = slugify(name)[:SLUG_LENGTH].strip("-") or "activity"
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
    taken.add(slug)
    return slug


def activities_matched(
    names: Sequence[str], existing: Sequence[tuple[str, str]]
) -> list[str | None]:
    """For each row's activity name, the slug of the existing activity (`(slug, name)`) it
    names, by name (case and spacing aside) or slug; None for a new one."""
    by_name = {normalised(name): slug for slug, name in existing}
    slugs = {slug for slug, _ in existing}
    matched: list[str | None] = []
    for name in names:
        slug = by_name.get(normalised(name))
        if slug is None and slugify(name) in slugs:
            slug = slugify(name)
        matched.append(slug)
    return matched
