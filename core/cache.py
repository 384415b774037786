"""Whole GET responses cached for anonymous visitors, each kept while what it shows stands.

An entry is stored under the release, the URL (scheme, host, full path with query string)
and the Accept header, with the versions of what the page showed:
- a page that declared its scopes while rendering (`depends_on(request, "framework:12",
  ...)`; see `core.scopes`) keeps the version of each; a write moves only the scopes it
  touches, so editing one framework leaves every page of the others cached;
- any other page keeps the dataset version, which every write moves.
A request finds the entry by its URL and serves it only when those versions are still the
current ones, read in one query: nothing is ever deleted, no server can serve a page older
than the data it would read, and old entries expire on their own.

Consistency. The dataset version is read before the view runs and again once the scopes'
versions are read after it; an entry is stored only if it did not move in between. So a
write that lands while a page renders can never leave the old page stored under the new
versions.

Concurrent misses of one URL, on one server or on several sharing the cache (Redis), build
the page once: the first takes a lock in the cache (an atomic add) and renders; the others
wait for its entry (up to LOCK_WAIT_SECONDS), and render themselves only if none comes.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from core.dataset import Version, dataset_version
from core.scopes import scope_versions

logger = logging.getLogger("atlas.cache")

# `no-cache` is for caches downstream (revalidate with us); this cache is the origin itself.
_NOT_SHARED = ("private", "no-store")
# How long the first of concurrent misses may take to build a page before another builds it
# too, and how long the others wait for it, polling every LOCK_POLL_SECONDS.
LOCK_SECONDS = 10
LOCK_WAIT_SECONDS = 5.0
LOCK_POLL_SECONDS = 0.02
_SCOPES_ATTRIBUTE = "_atlas_cache_scopes"


def depends_on(request, *scopes: str) -> None:
    """Declare that the page being rendered shows what `scopes` name (`core.scopes`): its
    cached copy then stays valid until a write moves one of them, rather than until any
    write. A page must declare every scope of what it shows, or none."""
    declared = getattr(request, _SCOPES_ATTRIBUTE, None)
    if declared is None:
        declared = set()
        setattr(request, _SCOPES_ATTRIBUTE, declared)
    declared.update(scopes)


def declared_scopes(request) -> set[str] | None:
    """The scopes the page declared, or None when it declared none."""
    return getattr(request, _SCOPES_ATTRIBUTE, None)


def response_cache_key(request) -> str:
    accept = request.headers.get("Accept", "")
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(f"{url}\n{accept}".encode()).hexdigest()
    return f"response:{settings.ATLAS_RELEASE}:{digest}"


def _dataset_key(version: Version) -> str:
    # With the time it moved: a database restored or recreated may reuse a number.
    return f"{version.version}.{version.changed_at.timestamp()}"


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


def _entry(response, *, scopes: dict[str, int] | None, dataset: str | None) -> dict:
    return {
        "scopes": scopes,
        "dataset": dataset,
        "status": response.status_code,
        "headers": [(k, v) for k, v in response.items() if k.lower() != "x-cache"],
        "content": response.content,
    }


def _current(entry: dict) -> bool:
    """The versions the entry was stored with are still the current ones (one query)."""
    if entry.get("scopes") is not None:
        return scope_versions(entry["scopes"]) == entry["scopes"]
    return entry.get("dataset") == _dataset_key(dataset_version())


def _rebuild(request, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for key, value in entry["headers"]:
        response[key] = value
    response["X-Cache"] = "hit"
    if response.has_header("ETag") or response.has_header("Last-Modified"):
        conditional = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
        return conditional if conditional is not None else response
    return response


class ResponseCacheMiddleware:
    """Serves a stored response while the versions it was stored with stand.

    Marks each response it considers with `X-Cache: hit` or `miss`. A cache that cannot be
    reached is logged and bypassed: pages then come from the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_use_cache(request):
            return self.get_response(request)
        key = response_cache_key(request)
        try:
            entry = cache.get(key)
        except Exception:
            logger.warning("response cache unreachable; serving uncached", exc_info=True)
            return self.get_response(request)
        if entry is not None and _current(entry):
            return _rebuild(request, entry)
        return self._miss(request, key)

    def _miss(self, request, key: str):
        """Build the page, once for all concurrent misses of `key` (see the module)."""
        lock, token = f"{key}:lock", uuid.uuid4().hex
        try:
            locked = cache.add(lock, token, LOCK_SECONDS)
        except Exception:
            logger.warning("response cache unreachable; serving uncached", exc_info=True)
            return self.get_response(request)
        if not locked:
            waited = self._wait(request, key, lock)
            if waited is not None:
                return waited
            return self._build(request, key)
        try:
            # The holder before us may have stored it between our read and our lock.
            entry = cache.get(key)
            if entry is not None and _current(entry):
                return _rebuild(request, entry)
            return self._build(request, key)
        finally:
            try:
                if cache.get(lock) == token:
                    cache.delete(lock)
            except Exception:
                logger.warning("response cache unreachable; lock left to expire", exc_info=True)

    def _wait(self, request, key: str, lock: str):
        """The entry another request is building, once stored; None if none comes."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(LOCK_POLL_SECONDS)
            try:
                entry = cache.get(key)
                if entry is not None and _current(entry):
                    return _rebuild(request, entry)
                if cache.get(lock) is None:
                    return None  # built, but not storable (an error, a personal page)
            except Exception:
                logger.warning("response cache unreachable; serving uncached", exc_info=True)
                return None
        return None

    def _build(self, request, key: str):
        before = dataset_version()
        response = self.get_response(request)
        if not _may_store(request, response):
            return response
        scopes = declared_scopes(request)
        versions = scope_versions(scopes) if scopes else None
        after = dataset_version()
        if after != before:
            # A write landed while the page was built: it may show either side of it.
            return response
        entry = _entry(response, scopes=versions, dataset=_dataset_key(before))
        try:
            cache.set(key, entry, settings.ATLAS_RESPONSE_CACHE_SECONDS)
        except Exception:
            logger.warning("response cache unreachable; not stored", exc_info=True)
            return response
        response["X-Cache"] = "miss"
        return response
