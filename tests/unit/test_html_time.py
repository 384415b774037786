"""`html_datetime`: the value of every `<time datetime>`, in a syntax HTML accepts."""

from __future__ import annotations

import datetime
import re

from django.test import override_settings

from core.templatetags.html_time import html_datetime

UTC = datetime.UTC


def test_a_time_is_written_to_the_millisecond_never_the_microsecond():
    moment = datetime.datetime(2026, 12, 7, 15, 57, 26, 957522, tzinfo=UTC)
    assert html_datetime(moment) == "2026-12-07T15:57:26.957+00:00"
    # No digit is added where the time has none, none rounded up into the next second.
    assert html_datetime(moment.replace(microsecond=0)) == "2026-12-07T15:57:26.000+00:00"
    assert html_datetime(moment.replace(microsecond=999999)) == "2026-12-07T15:57:26.999+00:00"


@override_settings(TIME_ZONE="Europe/Brussels")
def test_a_time_is_written_in_the_time_zone_its_text_is_shown_in():
    moment = datetime.datetime(2025, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
    assert html_datetime(moment) == "2025-03-01T10:30:00.123+01:00"


def test_a_date_is_a_date_and_nothing_is_nothing():
    assert html_datetime(datetime.date(2025, 3, 1)) == "2025-03-01"
    assert html_datetime(None) == ""
    naive = datetime.datetime(2025, 3, 1, 9, 30, 0, 5)
    assert re.fullmatch(r"2025-03-01T09:30:00\.000", html_datetime(naive))
