"""Conditional requests.

A list carries the dataset version as ETag and Last-Modified, and a client that already
has it gets a 304 at the cost of one query. One object carries its own ETag, a digest of
its representation: it moves when what a client sees of it moves, whatever else changes,
and a write sent with `If-Match` holding an older one is refused (412), so no editor
silently overwrites another's change.
"""

from __future__ import annotations

import hashlib

from django.utils.http import http_date, parse_etags, parse_http_date_safe
from rest_framework.utils import json
from rest_framework.utils.encoders import JSONEncoder

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


def object_etag(data, representation: str = "json") -> str:
    """The strong ETag of one object's representation `data` (as serialized), in the format
    `representation` ("json", "csv"): the same state gives the same tag on every server."""
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    return f'"o-{digest}"' if representation == "json" else f'"o-{digest}-{representation}"'


def if_match_fails(request, etag: str) -> bool:
    """The request sent `If-Match` and none of its tags is `etag` (the object's JSON tag;
    the tag of its CSV form names the same state). `*` matches any existing object; a weak
    tag never matches (RFC 9110, 13.1.1: strong comparison)."""
    header = request.headers.get("If-Match")
    if header is None:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return False
    state = etag.strip('"')
    return not any(tag.strip('"').removesuffix("-csv") == state for tag in tags)
