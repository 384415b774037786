"""Conditional GET: every read carries the dataset version as ETag and Last-Modified, and a
client that already has it gets a 304 at the cost of one query."""

from __future__ import annotations

from django.utils.http import http_date, parse_etags, parse_http_date_safe

from core.dataset import Version


def not_modified(request, etag: str, version: Version) -> bool:
    """The client's copy (If-None-Match, else If-Modified-Since) is still current."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return "*" in tags or etag in tags or etag.strip('"') in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and int(version.changed_at.timestamp()) <= since


def version_headers(response, *, etag: str, version: Version) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(version.changed_at.timestamp())
    response["X-Dataset-Version"] = str(version.version)
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Accept"
