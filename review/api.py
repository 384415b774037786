"""The flags API: readers flag claims, editors list and settle the flags.

Flags are no part of the public knowledge base: every route needs a signed-in account,
a reader sees only their own flags, and answers are never cached (no dataset-version
ETag: a flag's writes do not move the dataset version)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.errors import Conflict, ErrorSerializer
from core.api.filters import StrictFilterBackend, query_string_check
from core.api.pagination import Pagination
from core.api.parsers import BoundedJSONParser
from core.api.renderers import JSONRenderer
from core.api.viewsets import SAFE_METHODS, StrictFormatMixin
from review.filters import FlagFilter
from review.models import Flag
from review.readers import can_decide, can_flag
from review.selectors import flags_for
from review.serializers import (
    AcceptSerializer,
    DeclineSerializer,
    FlagCreateSerializer,
    FlagSerializer,
)
from review.services import FlagConflict, flag_accept, flag_create, flag_decline

_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="The flag is settled already (another editor was first), or its proposal no "
    "longer applies (the claim's text changed since, the claim is gone, the quote no longer "
    "stands): nothing was changed.",
)


class FlagPermissions(permissions.IsAuthenticated):
    """Signed-in accounts only: flagging needs `review.add_flag` (readers, editors), settling
    `review.change_flag` (editors); reading, an account (a reader sees their own)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if view.action in ("accept", "decline"):
            return can_decide(request.user)
        if view.action == "create":
            return can_flag(request.user)
        return True


class FlagViewSet(
    StrictFormatMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Readers' flags on claims, newest first: `status` (open, accepted, declined), `reason`
    and `framework` filter them. A reader sees their own flags; editors see every one."""

    serializer_class = FlagSerializer
    filterset_class = FlagFilter
    filter_backends = [StrictFilterBackend]
    pagination_class = Pagination
    permission_classes = [FlagPermissions]
    renderer_classes = [JSONRenderer]
    parser_classes = [BoundedJSONParser]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator, no user
            return Flag.objects.none()
        return flags_for(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        """Each write is one transaction: all of it is saved, or (any error answer) nothing."""
        if request.method in SAFE_METHODS:
            response = super().dispatch(request, *args, **kwargs)
        else:
            with transaction.atomic():
                response = super().dispatch(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
        response["Cache-Control"] = "private, no-store"
        return response

    def initial(self, request, *args, **kwargs):
        query_string_check(request.query_params, self.filterset_class)
        super().initial(request, *args, **kwargs)

    def _answer(self, flag, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=flag.pk)
        response = Response(self.get_serializer(fresh).data, status=code)
        if code == status.HTTP_201_CREATED:
            response["Location"] = response.data["api_url"]
        return response

    @extend_schema(request=FlagCreateSerializer, responses={201: FlagSerializer})
    def create(self, request, *args, **kwargs):
        """Flag a claim as outdated, wrong or unsourced, with a note and perhaps a correction.
        A reader has at most `ATLAS_READER_OPEN_FLAGS` open flags (20 unless configured): one
        more is a 400 under `non_field_errors`."""
        given = FlagCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # A ValidationError of the service (the target, the quote, the limit) is a 400 naming
        # the field (`core.api.errors`).
        flag = flag_create(reader=request.user, **given.validated_data)
        return self._answer(flag, status.HTTP_201_CREATED)

    @extend_schema(
        request=AcceptSerializer,
        responses={200: FlagSerializer, 409: _CONFLICT},
        filters=False,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk: str):
        """Accept an open flag: its proposal is applied as a normal write whose history names
        the editor and, in its reason, the flag and its reader."""
        flag = self.get_object()
        given = AcceptSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            flag = flag_accept(flag=flag, editor=request.user, **given.validated_data)
        except FlagConflict as error:
            raise Conflict(str(error)) from None
        return self._answer(flag)

    @extend_schema(
        request=DeclineSerializer,
        responses={200: FlagSerializer, 409: _CONFLICT},
        filters=False,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk: str):
        """Decline an open flag with a `reason`, which its reader sees."""
        flag = self.get_object()
        given = DeclineSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            flag = flag_decline(flag=flag, editor=request.user, **given.validated_data)
        except FlagConflict as error:
            raise Conflict(str(error)) from None
        return self._answer(flag)
