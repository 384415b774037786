"""The machine-readable value of a `<time datetime="...">`, written one way on every page."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value: datetime.date | datetime.datetime | None) -> str:
    """A date as HTML's valid date string (`2025-03-01`); a date and time as its valid global
    date and time string in the page's time zone, the one its text is shown in, to the
    millisecond (`2025-03-01T09:30:00.123+00:00`): HTML allows at most three digits of a
    second's fraction, and Python writes six."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="milliseconds")
    return value.isoformat()
