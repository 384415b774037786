"""API of the knowledge base over time: `/api/v1/changes/` and `/api/v1/releases/`."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, viewsets
from rest_framework.response import Response

from atlas.serializers import (
    DatasetChangePageSerializer,
    DatasetChangeSerializer,
    ReleaseSerializer,
)
from core import changes
from core.api import csv
from core.api.pagination import positive_int
from core.api.schema import AtlasAutoSchema
from core.api.viewsets import AtlasViewSetMixin
from core.models import Release

CHANGES_PAGE_SIZE = 100
CHANGES_MAX_PAGE_SIZE = 1000

_SCOPE_HELP = {
    "type": "Only changes of these types (comma-separated): cell, citation, passage...",
    "framework": "Only changes concerning these frameworks (slugs): the framework, its cells, "
    "their citations.",
    "document": "Only changes concerning these documents (slugs): the document, its passages, "
    "the citations into it, the frameworks built on it and their cells.",
    "institution": "Only changes concerning these institutions (slugs): the institution, its "
    "names, mandates and relationships, the frameworks it is part of, their citations.",
    "activity": "Only changes concerning these activities (slugs): the activity and its cells.",
    "level": "Only changes concerning these levels (slugs): the level and its cells.",
}


def version_parameter(name: str, raw: str | None) -> int:
    """A dataset version given in the query string: a whole number from 0; a 400 naming the
    parameter for anything else."""
    if raw is None or raw == "":
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > changes.MAX_VERSION:
        raise exceptions.ValidationError(
            {name: [f"Not a dataset version: a whole number from 0 to {changes.MAX_VERSION}."]}
        )
    return int(raw)


class OnePageSchema(AtlasAutoSchema):
    """The list answers one object (a page with its `next` link), not an array; it is a
    list all the same, and named so (`changes_list`)."""

    def _is_list_view(self, serializer=None) -> bool:
        return False

    def get_operation_id(self) -> str:
        return super().get_operation_id().replace("_retrieve", "_list")


class ChangeViewSet(AtlasViewSetMixin, viewsets.GenericViewSet):
    """Every creation, change and deletion of a content object after a dataset version,
    oldest first. Keep the `version` of the last change you saw (follow `next` to the end
    first) and ask `?since=` it next time: you miss nothing and see nothing twice, even while
    editors write."""

    serializer_class = DatasetChangeSerializer
    pagination_class = None
    filter_backends: list = []
    permission_classes = [permissions.AllowAny]  # reads only: it has no write route
    schema = OnePageSchema()
    extra_query_parameters = frozenset({"since", "cursor", *changes.PARAMETERS})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.INT,
                description="Changes after this dataset version (default 0: all of them); "
                "beyond the current version, an empty list.",
            ),
            OpenApiParameter(
                "cursor", OpenApiTypes.STR, description="Where a page starts (from `next`)."
            ),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                description=f"Changes per page: default {CHANGES_PAGE_SIZE}, at most "
                f"{CHANGES_MAX_PAGE_SIZE} (a larger value is capped).",
            ),
            *(
                OpenApiParameter(name, OpenApiTypes.STR, description=help_text)
                for name, help_text in _SCOPE_HELP.items()
            ),
        ],
        responses=DatasetChangePageSerializer,
    )
    def list(self, request, *args, **kwargs):
        params = request.query_params
        since = version_parameter("since", params.get("since"))
        try:
            query = changes.change_query(params)
        except changes.ChangeParameterError as error:
            raise exceptions.ValidationError(error.errors) from None
        if isinstance(getattr(request, "accepted_renderer", None), csv.CSVRenderer):
            table = csv.CsvTable(DatasetChangeSerializer().fields)
            rows = (
                DatasetChangeSerializer(change).data
                for change in changes.all_changes(query, since=since)
            )
            renderer = csv.CSVRenderer
            return StreamingHttpResponse(
                table.lines(rows), content_type=f"{renderer.media_type}; charset={renderer.charset}"
            )
        cursor = changes.Cursor.after_version(since)
        if params.get("cursor") is not None:
            try:
                cursor = changes.Cursor.decode(params["cursor"])
            except ValueError:
                raise exceptions.ValidationError(
                    {"cursor": ["Not a cursor of this feed: follow the `next` links."]}
                ) from None
        raw_size = params.get("page_size")
        size = CHANGES_PAGE_SIZE
        if raw_size is not None:
            size = min(positive_int("page_size", raw_size), CHANGES_MAX_PAGE_SIZE)
        page = changes.change_page(query, cursor=cursor, newest_first=False, limit=size)
        following = None
        if page.next is not None:
            query_string = params.copy()
            query_string["cursor"] = page.next.encode()
            following = request.build_absolute_uri(f"{request.path}?{query_string.urlencode()}")
        serializer = DatasetChangeSerializer(
            page.changes, many=True, context=self.get_serializer_context()
        )
        return Response({"since": since, "next": following, "results": serializer.data})


class ReleaseViewSet(AtlasViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Releases: frozen states of the knowledge base, newest first. A release never
    changes; its data package is the same bytes at every download. Read any page, export or
    the cells, levels, activities, institutions, mandates and relationships API at a release
    with `?release=<tag>`."""

    serializer_class = ReleaseSerializer
    ordering_fields = ["version", "created_at", "tag"]
    lookup_field = "tag"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9.-]*"

    def get_queryset(self):
        return Release.objects.listing()
