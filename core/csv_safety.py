"""Spreadsheet formula injection: one rule for every CSV and XLSX the project writes.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a quote from a source, or an editor's text, must never run
as one. Such a value gets a leading `'`, which spreadsheets show as text; every other value
is left exactly as it is, so removing that one guard character gives the original back.
(OWASP, "CSV Injection".)
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def neutralise(value: object) -> str:
    """`value` as text no spreadsheet will evaluate; None is empty, booleans true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return GUARD + text if text.startswith(FORMULA_TRIGGERS) else text
