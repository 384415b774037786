"""What every page's context shares: its breadcrumbs and the link to its JSON twin."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def breadcrumbs(*items: tuple[str, str | None]) -> list[dict]:
    """The trail above a page (Home comes first on its own), as (label, URL or None)."""
    return [{"label": label, "url": url} for label, url in items]


def api_link(viewname: str, *args: object, **query: object) -> str:
    """The API URL `viewname` (under the `api` namespace) with `query`, for a page's
    `<link rel="alternate" type="application/json">`; empty values are left out."""
    url = reverse(f"api:{viewname}", args=args or None)
    pairs = [(name, value) for name, value in query.items() if value not in (None, "")]
    return f"{url}?{urlencode(pairs, safe=',')}" if pairs else url
