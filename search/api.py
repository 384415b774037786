"""`/api/v1/search/`: the search page's results and facets as JSON."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from search.engine import FACET_LIMIT, FACETS, search
from search.forms import SearchForm
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


_FACET_COUNTS = serializers.DictField(
    child=serializers.IntegerField(),
    help_text=(
        f"Value (slug) → number of results: the {FACET_LIMIT} values with most results, and "
        "the selected ones."
    ),
)
_FACET_OMITTED = serializers.IntegerField(
    help_text="Values with results that `facets` does not list (0 when it lists them all)."
)

SearchResponseSerializer = inline_serializer(
    "SearchResponse",
    {
        "query": serializers.CharField(),
        "count": serializers.IntegerField(help_text="Results under the filters, on all pages."),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "results": SearchResultSerializer(many=True),
        "facets": inline_serializer("SearchFacets", {name: _FACET_COUNTS for name in FACETS}),
        "facets_omitted": inline_serializer(
            "SearchFacetsOmitted", {name: _FACET_OMITTED for name in FACETS}
        ),
    },
)

_SLUGS = "Slugs, repeated or comma-separated; several values mean any of them."


class SearchAPIView(APIView):
    permission_classes = [AllowAny]

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
                description="cell, passage, institution, document; " + _SLUGS,
            ),
            OpenApiParameter("document", OpenApiTypes.STR, description=_SLUGS),
            OpenApiParameter("framework", OpenApiTypes.STR, description=_SLUGS),
            OpenApiParameter("level", OpenApiTypes.STR, description=_SLUGS),
            OpenApiParameter("activity", OpenApiTypes.STR, description=_SLUGS),
            OpenApiParameter("page", OpenApiTypes.INT, description="1 or more; 20 results a page."),
        ],
        responses={
            200: SearchResponseSerializer,
            400: inline_serializer(
                "SearchError",
                {"q": serializers.ListField(child=serializers.CharField(), required=False)},
            ),
        },
    )
    def get(self, request):
        form = SearchForm(request.query_params, require_query=True)
        if not form.is_valid():
            return Response(form.errors, status=400)
        page = form.cleaned_data.get("page") or 1
        results = search(
            form.cleaned_data["q"], filters=form.filters, page=page, labels=form.labels
        )
        if page > results.pages:
            return Response(
                {"page": [f"There are only {results.pages} pages of results."]}, status=400
            )
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
