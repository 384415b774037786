"""Whole GET responses cached for anonymous visitors, keyed on the dataset version.

The key holds the release, the dataset version (and when it last changed), the scheme,
host, full path with query string, and the Accept header. A write bumps the version in
the database (core/dataset.py), so the next request on every app server computes a
new key: nothing has to be deleted, and no server can serve a page older than the data it
would read. Old entries simply expire.

The version is read before the view runs. A write that lands while the view renders can
only put newer content under the older key, never older content under the newer one.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from core.dataset import dataset_version

logger = logging.getLogger("atlas.cache")

# `no-cache` is for caches downstream (revalidate with us); this cache is the origin itself.
_NOT_SHARED = ("private", "no-store")


def response_cache_key(request, version_key: str) -> str:
    accept = request.headers.get("Accept", "")
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(f"{url}\n{accept}".encode()).hexdigest()
    return f"response:{settings.ATLAS_RELEASE}:{version_key}:{digest}"


def _may_use_cache(request) -> bool:
    # A request with credentials goes to the view, which checks them: a wrong token is a
    # 401 whether or not the page is cached (only the session is known here).
    return (
        settings.ATLAS_RESPONSE_CACHE
        and request.method == "GET"
        and not request.path.startswith(settings.ATLAS_RESPONSE_CACHE_EXCLUDE)
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.user.is_authenticated
    )


def _may_store(request, response) -> bool:
    """Only a response that is the same for every anonymous visitor may be shared."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if len(response.content) > settings.ATLAS_RESPONSE_CACHE_MAX_BYTES:
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in _NOT_SHARED):
        return False
    # A CSRF token, a session write or a CSP nonce makes the page this visitor's own.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return getattr(request, "_csp_nonce", None) is None


def _serialise(response) -> dict:
    return {
        "status": response.status_code,
        "headers": [(k, v) for k, v in response.items() if k.lower() != "x-cache"],
        "content": response.content,
    }


def _rebuild(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for key, value in entry["headers"]:
        response[key] = value
    return response


class DatasetVersionCacheMiddleware:
    """Serves a stored response when one exists for this URL, Accept and dataset version.

    Marks each response it considers with `X-Cache: hit` or `miss`. A cache that cannot be
    reached is logged and bypassed: pages then come from the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_use_cache(request):
            return self.get_response(request)
        version = dataset_version()
        key = response_cache_key(request, f"{version.version}.{version.changed_at.timestamp()}")
        try:
            entry = cache.get(key)
        except Exception:
            logger.warning("response cache unreachable; serving uncached", exc_info=True)
            return self.get_response(request)
        if entry is not None:
            response = _rebuild(entry)
            response["X-Cache"] = "hit"
            if response.has_header("ETag") or response.has_header("Last-Modified"):
                return get_conditional_response(
                    request,
                    etag=response.get("ETag"),
                    last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                    response=response,
                )
            return response
        response = self.get_response(request)
        if _may_store(request, response):
            try:
                cache.set(key, _serialise(response), settings.ATLAS_RESPONSE_CACHE_SECONDS)
            except Exception:
                logger.warning("response cache unreachable; not stored", exc_info=True)
            response["X-Cache"] = "miss"
        return response
