"""`?release=<tag>`: a page, an export or an API read as the knowledge base stood at a
release. The one place that reads the parameter, and that makes the links of a page shown
at a release keep it.

Views that take the parameter call `release_param()` (a `ReleaseParameterError` naming
`release` for a tag that names no release), then run the rest of the request inside
`at_release(release)`: every link `core.links.link()` makes to a page, export or API read
registered as taking `?release=` (`core.registry.register_release_views`) then carries it.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.db.models import Model
from django.shortcuts import redirect

from core import registry
from core.cache import depends_on
from core.history import State, changed_since
from core.links import keeping_release
from core.models import RELEASE_TAG_PATTERN, Release

PARAMETER = "release"
_TAG = re.compile(RELEASE_TAG_PATTERN)
_current: contextvars.ContextVar[Release | None] = contextvars.ContextVar(
    "atlas_release", default=None
)


class ReleaseParameterError(ValueError):
    """`?release=` names no release: the message says so, for a 400 naming `release`."""


def release_param(params: Mapping) -> Release | None:
    """The release `?release=` names (one query), None when the parameter is absent."""
    if PARAMETER not in params:
        return None
    getlist = getattr(params, "getlist", None)
    values = getlist(PARAMETER) if getlist else [params[PARAMETER]]
    if len(values) != 1:
        raise ReleaseParameterError("Give one release.")
    tag = values[0]
    if not isinstance(tag, str) or not _TAG.match(tag):
        raise ReleaseParameterError(
            "Not a release tag: letters, digits, “.” and “-”, at most 64; see /releases/."
        )
    release = Release.objects.filter(tag=tag).first()
    if release is None:
        raise ReleaseParameterError(f"No release “{tag}”; see /releases/.")
    return release


def current_release() -> Release | None:
    """The release the request being answered shows, if any."""
    return _current.get()


@contextmanager
def at_release(release: Release | None) -> Iterator[None]:
    """Within this block, links to pages that take `?release=` keep `release`."""
    token = _current.set(release)
    try:
        with keeping_release(release.tag if release is not None else None):
            yield
    finally:
        _current.reset(token)


def release_query(viewname: str | None = None) -> str:
    """`?release=<tag>` while a release is shown (and `viewname`, when given, takes it),
    else empty: to append to a URL without a query string."""
    release = _current.get()
    if release is None:
        return ""
    if viewname is not None and viewname not in registry.release_views():
        return ""
    return f"?{PARAMETER}={quote(release.tag, safe='')}"


def state(release: Release | None) -> State | None:
    """The state a release froze, read from the history; None for the current state."""
    return State(release.version) if release is not None else None


# --- what has changed since -----------------------------------------------------------------


@dataclass(frozen=True)
class Since:
    """A shown object that changed after the release: what it is now (None once deleted)
    and when it last changed."""

    label: str
    changed_at: datetime
    current: Any  # the object as it is now, or None when it is gone
    text: str  # its words now ("" when it is gone, or has no words)
    url: str | None  # its page now


@dataclass
class ReleaseBanner:
    """What a page shown at a release says about it."""

    release: Release
    changed: list[Since] = field(default_factory=list)
    more: int = 0  # changed objects beyond those listed

    LIMIT = 20


def release_banner(release: Release, shown: Mapping[type[Model], list]) -> ReleaseBanner:
    """The banner of a page that shows `shown` ({model: [objects as at the release]}): which
    of them changed since the release, with their current text and page. Two queries per
    model, at most."""
    tracked = {t.model: t for t in registry.tracked_types().values()}
    banner = ReleaseBanner(release)
    for model, objects in shown.items():
        by_id = {obj.pk: obj for obj in objects if obj is not None}
        if not by_id:
            continue
        changed = changed_since(model, by_id, release.version)
        if not changed:
            continue
        kind = tracked.get(model)
        related = kind.related if kind is not None else ()
        now = {
            obj.pk: obj
            for obj in model._default_manager.select_related(*related).filter(pk__in=changed)
        }
        for pk, changed_at in sorted(changed.items(), key=lambda item: item[1], reverse=True):
            current = now.get(pk)
            label_of = kind.label if kind is not None else str
            label = label_of(current if current is not None else by_id[pk])
            with at_release(None):
                url = kind.url(current) if kind is not None and current is not None else None
            text = ""
            if current is not None and kind is not None and kind.text:
                text = str(getattr(current, kind.text) or "")
            banner.changed.append(Since(label, changed_at, current, text, url))
    banner.changed.sort(key=lambda since: since.changed_at, reverse=True)
    banner.more = max(0, len(banner.changed) - ReleaseBanner.LIMIT)
    banner.changed = banner.changed[: ReleaseBanner.LIMIT]
    return banner


# --- pages ----------------------------------------------------------------------------------


def release_error_page(request, message: str):
    """The 400 page for a `release` that names no release."""
    from django.shortcuts import render

    return render(request, "base.html", {"errors": {PARAMETER: [message]}}, status=400)


class ReleasePageMixin:
    """A page that takes `?release=<tag>`: `self.release` (None for the current state) and
    `self.state` to read it from, a 400 naming `release` for a tag that names no release,
    and links that keep the release while the page is made (and rendered)."""

    release: Release | None = None
    state: State | None = None

    def dispatch(self, request, *args, **kwargs):
        try:
            self.release = release_param(request.GET)
        except ReleaseParameterError as error:
            return release_error_page(request, str(error))
        self.state = state(self.release)
        with at_release(self.release):
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response = response.render()
        return response

    def release_context(self, shown: Mapping[type[Model], list]) -> dict:
        """The banner of a page shown at a release (`shown`: the objects it shows,
        {model: [objects]}, to tell which changed since)."""
        if self.release is None:
            return {}
        return {"release_banner": release_banner(self.release, shown)}

    def declare_scopes(self, *scopes: str) -> None:
        """What the page shows (`core.cache.depends_on`), for its cached copy. A page shown
        at a release declares nothing: its banner tells of every later change, so any write
        makes its copy stale."""
        if self.release is None:
            depends_on(self.request, *scopes)  # type: ignore[attr-defined]

    def pair_redirect(self, form):
        """A pair picked by names (`core.forms.PairForm`), redirected to the address of its
        slugs, the release kept; None when the address already holds slugs."""
        canonical = form.canonical_query()
        if canonical is None:
            return None
        if self.release is not None:
            canonical += f"&{PARAMETER}={self.release.tag}"
        return redirect(f"{self.request.path}?{canonical}")  # type: ignore[attr-defined]

    def render_to_response(self, context, **kwargs):
        if self.release is not None:
            request = self.request  # type: ignore[attr-defined]
            query = request.GET.copy()
            query.pop(PARAMETER, None)
            context.setdefault("release", self.release)
            context.setdefault("release_query", release_query())
            context.setdefault(
                "current_url", request.path + (f"?{query.urlencode()}" if query else "")
            )
        return super().render_to_response(context, **kwargs)  # type: ignore[misc]


def streamed_at(release: Release | None, chunks):
    """A streamed body made chunk by chunk with the release's links kept: each chunk is
    made inside `at_release`, so nothing leaks into the server between chunks."""
    iterator = iter(chunks)
    while True:
        with at_release(release):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
