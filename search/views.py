"""The search page: a GET form, ranked results with highlighted snippets, facet links."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.views.generic import TemplateView

from core.pages import fragment
from search.engine import FACETS, PAGE_SIZE, search
from search.forms import SearchForm

FACET_TITLES = {
    "type": "Kind of result",
    "document": "Document",
    "framework": "Framework",
    "level": "Level",
    "activity": "Activity",
}


def _query_string(params: dict[str, list[str]], **changes) -> str:
    """The query string with `changes` applied (a value of None removes the parameter)."""
    merged = {name: values for name, values in params.items() if values and name != "page"}
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = [value] if isinstance(value, str | int) else value
    return urlencode([(name, value) for name, values in merged.items() for value in values])


class SearchView(TemplateView):
    """`/search/?q=`: every kind of result in one ranked list; the URL is the whole state."""

    template_name = "search/search_results.html"

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET)
        context = {"form": form, "facet_titles": FACET_TITLES}
        if not form.is_valid():
            return self.render_to_response({**context, "errors": form.errors}, status=400)
        parsed = form.cleaned_data["q"]
        if parsed is None:
            return self.render_to_response(context)
        page = form.cleaned_data.get("page") or 1
        results = search(parsed, filters=form.filters, page=page, labels=form.labels)
        if page > results.pages:
            form.add_error("page", f"There are only {results.pages} pages of results.")
            return self.render_to_response({**context, "errors": form.errors}, status=400)
        params = {"q": [parsed.text], **form.filters}
        facets = [
            (
                name,
                FACET_TITLES[name],
                [
                    (
                        value,
                        "?"
                        + _query_string(params, **{name: None if value.selected else value.slug}),
                    )
                    for value in results.facets[name]
                ],
                results.facets_omitted.get(name, 0),
            )
            for name in FACETS
            if results.facets[name]
        ]
        api_url = reverse("search-api") + "?" + _query_string(params)
        pager = {
            "previous": "?" + _query_string(params, page=page - 1) if page > 1 else None,
            "next": "?" + _query_string(params, page=page + 1) if page < results.pages else None,
        }
        shown = {
            "results": results,
            "facets": facets,
            "pager": pager,
            "clear_url": "?" + _query_string({"q": params["q"]}),
            "filtered": any(form.filters.values()),
            "start": (page - 1) * PAGE_SIZE + 1,
        }
        return self.render_to_response(
            {
                **context,
                "results": results,
                "results_html": fragment("search/results.html", shown),
                "api_url": api_url,
                # A new search keeps the filters; the facet links remove them.
                "hidden": [(name, value) for name in FACETS for value in form.filters[name]],
            }
        )
