"""Who sees what is not yet published: one rule, applied where rows are read.

Some content is private until an editor publishes it (a draft framework, its cells, their
citations, the activities only drafts hold). Each content model says which of its rows are
private (`core.registry.Content.private`, over its rows now, and `private_history`, over its
history records); the apps never ask "is this a draft?" view by view:

- the models' default managers (`VisibleManager`) leave private rows out while a request
  that may not see them is being answered, so every page, export, API read, related
  manager and prefetch built on them hides them, whatever route reads them;
- the readers that bypass the managers apply the same declarations: the state at a release
  (`core.history.State`), the changes feed (`core.changes`), the data package's join
  tables, and the plain SQL of the matrix and the search.

Who may see private content: an editor (a staff account, as `manage.py create_editor`
makes, a superuser, or a member of the editors group: `sees_private`). The request being answered is held in a context variable (set by
`VisibilityMiddleware`) and its user read when a query is built, so an API key
authenticated by the view counts as much as a session. Outside any request (management
commands, the shell, tests calling functions directly) everything is visible, except inside
`public()`, which `manage.py release` uses to freeze the published state only.

The response cache stores and serves anonymous requests only (`core.cache`), so an editor's
view of a draft is never served to the public, nor the public's to an editor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.db.models import Q

_PUBLIC = object()
_viewer: ContextVar[Any] = ContextVar("atlas_viewer", default=None)


_permissions: set[str] = set()


def register_viewer_permission(permission: str) -> None:
    """Declare a permission ("app_label.codename") whose holders are editors who see private
    content (from an app's `ready()`: the editors group holds it)."""
    _permissions.add(permission)


def sees_private(user) -> bool:
    """Whether `user` may see what is not published: an active staff account (as
    `create_editor` makes), a superuser, or a holder of a permission an app declared (a
    member of the editors group)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(user.has_perm(permission) for permission in sorted(_permissions))


def private_hidden() -> bool:
    """Whether the rows being read now must leave private content out."""
    viewer = _viewer.get()
    if viewer is None:
        return False
    if viewer is _PUBLIC:
        return True
    return not sees_private(getattr(viewer, "user", None))


@contextlib.contextmanager
def public() -> Iterator[None]:
    """Read as the public does (a release freezes only what is published)."""
    token = _viewer.set(_PUBLIC)
    try:
        yield
    finally:
        _viewer.reset(token)


@contextlib.contextmanager
def viewing(request) -> Iterator[None]:
    """Read as `request`'s user may (its user read when each query is built)."""
    token = _viewer.set(request)
    try:
        yield
    finally:
        _viewer.reset(token)


class VisibilityMiddleware:
    """Holds the request being answered, so that reads leave out what its user may not see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with viewing(request):
            response = self.get_response(request)
            if getattr(response, "streaming", False):
                # A streamed body is read after this returns: keep the rule for each chunk.
                response.streaming_content = _streamed(request, response.streaming_content)
            return response


def _streamed(request, chunks):
    iterator = iter(chunks)
    while True:
        with viewing(request):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def private_q(model: type[models.Model]) -> Q | None:
    """The rows of `model` (or of a content model's many-to-many table) that are private
    now; None when none can be."""
    from core import registry

    return registry.private_rule(model)


def visible(queryset: models.QuerySet) -> models.QuerySet:
    """`queryset` without the private rows, when they must be left out now."""
    if not private_hidden():
        return queryset
    rule = private_q(queryset.model)
    return queryset if rule is None else queryset.exclude(rule)


class VisibleManager(models.Manager):
    """The default manager of a content model some of whose rows may be private: they are
    left out while a request that may not see them is answered (see the module)."""

    def get_queryset(self) -> models.QuerySet:
        return visible(super().get_queryset())
