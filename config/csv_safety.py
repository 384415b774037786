"""One rule for every CSV the project writes: a cell never starts a spreadsheet formula.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and some treat a leading tab
or carriage return the same way) as a formula: a quote from a source, or an editor's text,
must never run as one. Such a value is prefixed with an apostrophe, which spreadsheets show
as text and pandas reads back as part of the string.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """`value` as CSV cell text; text that a spreadsheet would run as a formula starts with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
