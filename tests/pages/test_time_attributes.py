"""Every `<time datetime="...">` holds a value HTML accepts: the W3C's checker rejected the
cell and changes pages for six-digit fractions of a second (HTML allows three)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import get_page, release_then_edit

pytestmark = pytest.mark.usefixtures("kb")

# HTML's valid date string, and its valid local and global date and time strings
# (https://html.spec.whatwg.org/multipage/common-microsyntaxes.html#dates-and-times).
DATE = r"\d{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?"
ZONE = r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)"
VALID = re.compile(rf"{DATE}|{DATE}[T ]{TIME}{ZONE}?")

CELL = "/frameworks/eu-ai-office-uk-aisi/cells/standards/separation/"
PAGES = [
    CELL,
    f"{CELL}?release=v1.0",
    "/changes/",
    "/releases/",
    "/releases/v1.0/",
    "/institutions/eu-ai-office/",
    "/documents/synergies-eu-ai-office-uk-aisi-2025/",
]


def test_every_datetime_attribute_is_valid_html(client):
    release_then_edit()
    invalid = []
    for url in PAGES:
        values = re.findall(r'<time datetime="([^"]*)"', get_page(client, url))
        assert values, f"{url} shows no <time datetime>"
        invalid += [f"{url}: {value}" for value in values if not VALID.fullmatch(value)]
    assert not invalid, "\n".join(invalid)
