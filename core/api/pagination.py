"""`?page=` and `?page_size=` on every list.

A page past the last is bad input like any other: a 400 naming `page` and saying how many
pages there are (the search API answers the same), not a 404, which would say that the
resource does not exist.
"""

from __future__ import annotations

from django.db.models import Count, Window
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def positive_int(name: str, raw: str) -> int:
    """`raw` as a whole number of 1 or more, or a 400 naming the parameter `name`."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise exceptions.ValidationError({name: [f"“{raw}” is not a whole number of 1 or more."]})
    return number


def past_the_end(pages: int) -> str:
    """Why a page number past the last is refused."""
    return "There is only 1 page." if pages == 1 else f"There are only {pages} pages."


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (default 50, at most 500: larger sizes are capped)."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(positive_int(self.page_size_query_param, raw), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        raw = request.query_params.get(self.page_query_param)
        number = 1 if raw is None else positive_int(self.page_query_param, raw)
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        if number > paginator.num_pages:  # an empty list still has its first page
            raise exceptions.ValidationError(
                {self.page_query_param: [past_the_end(paginator.num_pages)]}
            )
        self.page = paginator.page(number)
        return list(self.page)

    def paginate_values(self, queryset, request) -> list[dict]:
        """The page of a `values()` queryset, as `paginate_queryset` gives it, with the number
        of rows counted in the same query (a window count): one query, not a count and a
        page. Only a page past the last, which has no row to carry the count, counts apart;
        a DISTINCT queryset (a window is counted before DISTINCT) goes the usual way."""
        if queryset.query.distinct:
            return self.paginate_queryset(queryset, request)
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        number = 1 if raw is None else positive_int(self.page_query_param, raw)
        offset = (number - 1) * page_size
        rows = list(queryset.annotate(_page_count=Window(Count("pk")))[offset : offset + page_size])
        count = rows[0]["_page_count"] if rows else queryset.count()
        for row in rows:
            del row["_page_count"]
        paginator = self.django_paginator_class(queryset, page_size)
        paginator.__dict__["count"] = count  # a cached_property, known already
        if number > paginator.num_pages:  # as `paginate_queryset`: bad input, a 400
            raise exceptions.ValidationError(
                {self.page_query_param: [past_the_end(paginator.num_pages)]}
            )
        self.page = paginator.page(number)
        self.page.object_list = rows
        return rows

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_query_param:
                parameter["description"] = "The page, from 1; past the last page is a 400."
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page: default {self.page_size}, at most {self.max_page_size} "
                    "(a larger value is capped)."
                )
        return parameters
