"""`/api/v1/search/`: the search page's results and facets as JSON."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import query_string_check
from core.api.pagination import past_the_end
from core.api.viewsets import StrictFormatMixin
from search.engine import FACET_LIMIT, FACETS, PAGE_SIZE, search
from search.forms import PAGE_LIMIT, SearchForm
from search.models import EntryKind


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=EntryKind.choices)
    title = serializers.CharField()
    context = serializers.CharField(help_text="The framework of a cell, the document of a passage.")
    snippet = serializers.CharField(
        help_text="HTML: the matching text, escaped, the matched words in <mark>."
    )
    url = serializers.CharField(
        help_text="The result's page; a passage's is its anchor in the reader."
    )
    rank = serializers.FloatField(
        help_text="Relevance; higher is better. Compare within one response."
    )
    document = serializers.CharField(allow_null=True)
    framework = serializers.CharField(allow_null=True)
    level = serializers.CharField(allow_null=True)
    activity = serializers.CharField(allow_null=True)


def _facet_counts(name: str) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.IntegerField(),
        help_text=(
            f"Each {name} (its {'value' if name == 'type' else 'slug'}) → how many results "
            f"choosing it would give: the {FACET_LIMIT} with most results, and the selected ones."
        ),
    )


def _facet_omitted(name: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        help_text=f"Values of {name} with results that `facets.{name}` does not list (0 when "
        "it lists them all)."
    )


SearchResponseSerializer = inline_serializer(
    "SearchResponse",
    {
        "query": serializers.CharField(),
        "count": serializers.IntegerField(help_text="Results under the filters, on all pages."),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "results": SearchResultSerializer(many=True),
        # A field each: one field instance bound under five names describes only the last.
        "facets": inline_serializer("SearchFacets", {name: _facet_counts(name) for name in FACETS}),
        "facets_omitted": inline_serializer(
            "SearchFacetsOmitted", {name: _facet_omitted(name) for name in FACETS}
        ),
    },
)

_SLUGS = "Slugs; several values (repeated or comma-separated) mean any of them."
# The query string a search reads; anything else is a 400 naming it, as on every endpoint.
PARAMETERS = (*SearchForm.base_fields, "format")


class SearchAPIView(StrictFormatMixin, APIView):
    """Full-text search over cells, passages, institutions and documents, with facets.

    Bad input is a 400 in the API's one error shape, `{"detail", "errors": {parameter:
    [reasons]}}`; a page past the last is one too, as on the lists.
    """

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        query_string_check(request.query_params, parameters=PARAMETERS)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="search",
        summary="Full-text search over cells, passages, institutions and documents",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description='Words (AND), "a phrase", -excluded, a or b. At most 200 characters.',
            ),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                many=True,
                explode=True,
                enum=EntryKind.values,
                description="Kinds of result; several values mean any of them.",
            ),
            *(
                OpenApiParameter(
                    name, OpenApiTypes.STR, many=True, explode=True, description=_SLUGS
                )
                for name in ("document", "framework", "level", "activity")
            ),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1, "maximum": PAGE_LIMIT},
                description=f"From 1; {PAGE_SIZE} results a page. Past the last page is a 400.",
            ),
        ],
        responses={200: SearchResponseSerializer},
    )
    def get(self, request):
        form = SearchForm(request.query_params, require_query=True)
        if not form.is_valid():
            raise ValidationError(
                {
                    name: [error["message"] for error in errors]
                    for name, errors in form.errors.get_json_data().items()
                }
            )
        page = form.cleaned_data.get("page") or 1
        results = search(
            form.cleaned_data["q"], filters=form.filters, page=page, labels=form.labels
        )
        if page > results.pages:
            raise ValidationError({"page": [past_the_end(results.pages)]})
        return Response(
            {
                "query": results.query,
                "count": results.count,
                "page": results.page,
                "pages": results.pages,
                "results": SearchResultSerializer(results.results, many=True).data,
                "facets": {
                    name: {value.slug: value.count for value in values}
                    for name, values in results.facets.items()
                },
                "facets_omitted": {name: results.facets_omitted[name] for name in FACETS},
            }
        )
