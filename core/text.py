"""Which characters text may hold. One rule for stored text, query parameters and exports.

Stored text (what the API and the admin accept: cell texts, quotes, names, statements)
may hold any character except control characters other than tab and newline (C0, DEL,
C1), surrogates and U+FFFE/U+FFFF. No source means them as text; XML, hence XLSX, cannot
hold most of them; PostgreSQL cannot store NUL at all. Ingestion turns them into what they
meant (a form feed is a page break: a blank line) and says so (`normalise_controls`).

A query parameter is one line of text typed or linked: besides those, it may hold no tab
or line break, no byte-order mark, no bidirectional control (which can make a value read
differently from what it is), and no U+FFFD, which is what bytes that are not UTF-8 (a
lone surrogate among them) become when the query string is decoded.

Pure functions of text, without Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Control characters stored text may hold.
ALLOWED_CONTROLS = "\t\n"

_STORED_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_PARAMETER_FORBIDDEN = re.compile(
    f"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\ufeff\ufffd{_BIDI_CONTROLS}]"
)

_NAMES = {
    "\x00": "NUL",
    "\t": "tab",
    "\n": "line feed",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\r": "carriage return",
    "\x1b": "escape",
    "\x7f": "delete",
    "\x85": "next line",
    "\ufeff": "byte-order mark",
    "\ufffd": "replacement character: the value was not valid UTF-8",
    "\ufffe": "noncharacter",
    "\uffff": "noncharacter",
}


def describe(char: str) -> str:
    """A character as a message shows it: never the character itself, which may be
    invisible or hostile. `describe("\\x0c")` is "U+000C (form feed)"."""
    code = f"U+{ord(char):04X}"
    name = _NAMES.get(char)
    if name is None:
        category = unicodedata.category(char)
        if category == "Cc":
            name = "control character"
        elif category == "Cs":
            name = "lone surrogate"
        elif (
            char in "\u061c\u200e\u200f"
            or "\u202a" <= char <= "\u202e"
            or "\u2066" <= char <= "\u2069"
        ):
            name = "bidirectional control"
        else:
            name = unicodedata.name(char, "character").lower()
    return f"{code} ({name})"


def shown(text: str, limit: int = 60) -> str:
    """`text` safe to quote in a message: forbidden characters as `U+XXXX`, cut at `limit`."""
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return _PARAMETER_FORBIDDEN.sub(lambda m: f"U+{ord(m.group()):04X}", cut)


def stored_text_problem(text: str) -> str | None:
    """Why stored text may not hold `text` (its first forbidden character and where), or
    None when it may."""
    found = _STORED_FORBIDDEN.search(text)
    if found is None:
        return None
    return (
        f"Holds {describe(found.group())} at character {found.start() + 1}; text holds no "
        "control character other than tab and line feed, and no lone surrogate or U+FFFE/U+FFFF."
    )


def parameter_problem(text: str) -> str | None:
    """Why a query parameter (name or value) may not be `text`, or None when it may."""
    found = _PARAMETER_FORBIDDEN.search(text)
    if found is None:
        return None
    return f"Holds {describe(found.group())} at character {found.start() + 1}."


# --- ingestion ---------------------------------------------------------------------------

# What a control character meant, where it meant something: a page break ends a block of
# text (a blank line), a vertical tab or "next line" ends a line. Any other is dropped.
_MEANINGS = {"\x0c": "\n\n", "\x0b": "\n", "\x85": "\n"}
_PAGE_BREAK = re.compile("[ \t]*\n*\x0c\n*")


def normalise_controls(text: str) -> tuple[str, Counter[str]]:
    """`text` (line breaks already `\\n`) without the control characters stored text may
    not hold, each turned into what it meant; and how many of each there were."""
    found = Counter(match.group() for match in _STORED_FORBIDDEN.finditer(text))
    if not found:
        return text, found
    text = _PAGE_BREAK.sub("\n\n", text)
    text = _STORED_FORBIDDEN.sub(lambda m: _MEANINGS.get(m.group(), ""), text)
    return text, found


def normalised_summary(found: Counter[str]) -> str:
    """What `normalise_controls` and `normalise_compatibility` did, in words:
    "3 × U+000C (form feed) → blank line; 1 × U+FB00 (latin small ligature ff) → ff"."""
    outcome = {"\x0c": "blank line", "\x0b": "line break", "\x85": "line break"}
    outcome.update({chr(c): _compatible(chr(c)) for c in range(0xFB00, 0xFB07)})
    return "; ".join(
        f"{count} × {describe(char)} → {outcome.get(char, 'removed')}"
        for char, count in sorted(found.items())
    )


# --- XML (XLSX) --------------------------------------------------------------------------

# XML 1.0 holds no C0 control but tab, line feed and carriage return, and no U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` as an XML document can hold it: a C0 control character XML forbids becomes
    its Unicode control picture (U+000C → U+240C "␌"), U+FFFE and U+FFFF become U+FFFD.
    Everything else is left as it is."""
    return _XML_ILLEGAL.sub(
        lambda m: chr(0x2400 + ord(m.group())) if m.group() < " " else "\ufffd", text
    )


# --- compatibility characters -------------------------------------------------------------

# Typesetting's ligatures (U+FB00-FB06: ff, fi, fl, ffi, ffl, long st, st) stand for their
# letters; a soft hyphen only marks where a word may break. Neither belongs in the words a
# reader searches and quotes. Nothing else is folded: full NFKC would rewrite superscript
# footnote markers, fractions and the like that the text means.
_COMPATIBILITY = re.compile("[\ufb00-\ufb06\u00ad]")


def normalise_compatibility(text: str) -> tuple[str, Counter[str]]:
    """`text` with compatibility ligatures as their letters and soft hyphens removed; and
    how many of each there were."""
    found = Counter(match.group() for match in _COMPATIBILITY.finditer(text))
    if not found:
        return text, found
    return _COMPATIBILITY.sub(lambda m: _compatible(m.group()), text), found


def _compatible(char: str) -> str:
    return "" if char == "\u00ad" else unicodedata.normalize("NFKC", char)
