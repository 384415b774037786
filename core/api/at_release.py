"""`?release=<tag>` on API reads: the objects as they stood at that release.

A viewset that takes it mixes in `ReleaseReadsMixin` and, in `get_queryset()`, answers
`self.release_queryset()` while `self.release` is set: the model's objects at the release
(`core.history.State`), with `release_lookups` loaded at the same release. Links in the
answer keep the release; the ETag names it; a tag that names no release is a 400 naming
`release`, and so is a write that gives one.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

from core.at_release import PARAMETER, ReleaseParameterError, at_release, release_param
from core.history import State, StateQuerySet
from core.models import Release

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

if TYPE_CHECKING:
    from core.api.viewsets import AtlasViewSetMixin as _Base
else:
    _Base = object


RELEASE_PARAMETER = OpenApiParameter(
    PARAMETER,
    OpenApiTypes.STR,
    description="A release's tag: the objects as they stood at that release (see "
    "/api/v1/releases/). An unknown tag is a 400.",
)


class ReleaseReadsMixin(_Base):
    read_parameters = (RELEASE_PARAMETER,)
    release_model: type[Model]
    release_lookups: tuple[str, ...] = ()
    release: Release | None = None
    extra_query_parameters = frozenset({PARAMETER})
    _release_links: AbstractContextManager | None = None

    def initial(self, request, *args, **kwargs):
        try:
            self.release = release_param(request.query_params)
        except ReleaseParameterError as error:
            raise exceptions.ValidationError({PARAMETER: [str(error)]}) from None
        if self.release is not None and request.method not in SAFE_METHODS:
            raise exceptions.ValidationError(
                {PARAMETER: ["A release never changes: write to the current state, without it."]}
            )
        if self.release is not None:
            self._release_links = at_release(self.release)
            self._release_links.__enter__()
        super().initial(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._release_links is not None:
                self._release_links.__exit__(None, None, None)
                self._release_links = None

    def etag(self, request) -> str:
        tag = super().etag(request)
        if self.release is None:
            return tag
        return f'{tag[:-1]}-{self.release.tag}"'

    def release_queryset(self) -> StateQuerySet:
        """The model's objects as they stood at `self.release`, their relations loaded."""
        assert self.release is not None
        return (
            State(self.release.version)
            .objects(self.release_model)
            .prefetch_state(*self.release_lookups)
        )
