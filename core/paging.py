"""`?page=` on the pages that list many things: bounded pages, `rel="prev"`/`rel="next"` links,
and a 400 naming the parameter for a page that is not one.

Every page that lists objects without a natural bound (frameworks, institutions, documents,
an activity or a level across frameworks, an institution's ties) shows one page of them, in
two queries whatever the size of the list: the count and the page. `paginate()` does that
for a view; `PageParametersMixin` answers the `BadParameters` a view raises (a bad page, a
filter value that names nothing, an unknown parameter) with its own template and a 400, as
the matrix page does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

PAGE_PARAMETER = "page"
# A page number is a few ASCII digits: "²", "1e3", " 2" and 10**100 are not page numbers.
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")
# Numbered links shown on each side of the current page (the first and last always are).
_WINDOW = 2


class BadParameters(Exception):
    """Query parameters a page cannot be shown with, as {parameter: [messages]}: a 400."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = dict(sorted(errors.items()))


def page_number(params: Mapping[str, Any], name: str = PAGE_PARAMETER) -> int:
    """The page asked for (1 when none is), or BadParameters naming `name`."""
    raw = params.get(name)
    if raw is None:
        return 1
    raw = str(raw)
    if not _PAGE_NUMBER.fullmatch(raw) or int(raw) < 1:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise BadParameters({name: [f"“{shown}” is not a page number; use a whole number from 1."]})
    return int(raw)


@dataclass(frozen=True)
class PageLink:
    """One entry of the page list: a page (its number and URL) or a gap (both None)."""

    number: int | None
    url: str | None
    current: bool = False


@dataclass(frozen=True)
class Page:
    """One page of a list, and how to reach the others with the rest of the query kept."""

    items: list
    number: int
    count: int
    per_page: int
    path: str
    params: QueryDict
    name: str = PAGE_PARAMETER

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def start(self) -> int:
        """The position of the first item shown (1-based; 0 when there is none)."""
        return 0 if not self.count else (self.number - 1) * self.per_page + 1

    @property
    def end(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)

    def url(self, number: int) -> str:
        """This page's URL at page `number`; page 1 without the parameter (one URL a page)."""
        query = self.params.copy()
        query.pop(self.name, None)
        if number > 1:
            query[self.name] = str(number)
        encoded = query.urlencode(safe=",")
        return f"{self.path}?{encoded}" if encoded else self.path

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.pages else None

    @property
    def links(self) -> list[PageLink]:
        """The first and last pages, those around the current one, gaps between."""
        shown = sorted(
            {1, self.pages}
            | set(range(max(1, self.number - _WINDOW), min(self.pages, self.number + _WINDOW) + 1))
        )
        links: list[PageLink] = []
        for number in shown:
            if links and links[-1].number is not None and number > links[-1].number + 1:
                links.append(PageLink(None, None))
            links.append(PageLink(number, self.url(number), current=number == self.number))
        return links


def paginate(
    items: QuerySet | Sequence,
    params: QueryDict,
    *,
    per_page: int,
    path: str,
    name: str = PAGE_PARAMETER,
) -> Page:
    """The page of `items` that `params[name]` asks for: two queries for a queryset (the
    count, then the page), whatever its length. A page that is not a number, or past the
    last, is BadParameters naming `name`.

    Not one query with a window count: that reads every row of the list on each request,
    where the count alone reads an index and the page, ordered by an indexed column, only
    its own rows."""
    number = page_number(params, name)
    count = items.count() if isinstance(items, QuerySet) else len(items)
    pages = max(1, math.ceil(count / per_page))
    if number > pages:
        raise BadParameters(
            {
                name: [
                    f"There is no page {number}: "
                    + ("there is one page." if pages == 1 else f"there are {pages} pages.")
                ]
            }
        )
    offset = (number - 1) * per_page
    return Page(
        items=list(items[offset : offset + per_page]),
        number=number,
        count=count,
        per_page=per_page,
        path=path,
        params=params,
        name=name,
    )


class PageParametersMixin:
    """For a TemplateView whose `get_context_data` may raise BadParameters: the same
    template answers with the errors and a 400, its context from `error_context()`."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)  # type: ignore[misc]
        except BadParameters as error:
            context = self.error_context(**kwargs)
            context["errors"] = error.errors
            return self.render_to_response(context, status=400)  # type: ignore[attr-defined]

    def error_context(self, **kwargs) -> dict:
        """What the page shows around its errors (title, breadcrumbs, its form)."""
        return {}


def only_parameters(params: Mapping[str, Any], allowed: Sequence[str] = (PAGE_PARAMETER,)) -> None:
    """BadParameters naming each parameter of `params` a page does not read."""
    unknown = sorted(name for name in params if name not in allowed)
    if unknown:
        takes = ", ".join(sorted(allowed))
        raise BadParameters(
            {name: [f"Unknown parameter; this page takes {takes}."] for name in unknown}
        )


def filtered(
    filterset_class, params: QueryDict, queryset: QuerySet, *, allowed: Sequence[str] = ()
) -> Any:
    """The FilterSet of a list page over `queryset`, validated: a parameter that neither the
    filters nor `allowed` (besides `page`) know, or a value that names nothing, is
    BadParameters naming it. Read `.qs` for the rows, `.form.cleaned_data` for the values."""
    from core.filtering import unknown_parameters

    known = {PAGE_PARAMETER, *allowed}
    unknown = unknown_parameters(params, filterset_class, allowed=known)
    if unknown:
        names = ", ".join(sorted({*filterset_class.base_filters, *known}))
        raise BadParameters(
            {name: [f"Unknown parameter; this page takes {names}."] for name in unknown}
        )
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise BadParameters({name: list(messages) for name, messages in filterset.errors.items()})
    return filterset
