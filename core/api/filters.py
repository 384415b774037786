"""Strict query strings: an unknown parameter, a credential in the URL, a filter value that
names nothing, an unknown ordering field: each is a 400 naming the parameter."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter

from core.history import StateQuerySet

# Query parameters every list understands besides its FilterSet's.
ALLOWED_PARAMETERS = frozenset({"page", "page_size", "ordering", "format"})
# Credentials in a URL end up in logs, proxies and browser history: refused outright.
QUERY_STRING_CREDENTIALS = ("token", "auth_token", "access_token", "api_key", "apikey", "key")


def query_string_check(
    params,
    filterset_class=None,
    *,
    parameters: frozenset[str] | None = None,
    extra: frozenset[str] = frozenset(),
) -> None:
    """A 400 for credentials in the query string and for parameters nobody reads: those of
    the FilterSet and ALLOWED_PARAMETERS, or exactly `parameters` when a view names them,
    and `extra`, those the view reads itself (such as `release`)."""
    credentials = [name for name in QUERY_STRING_CREDENTIALS if name in params]
    if credentials:
        raise exceptions.ValidationError(
            {
                name: [
                    "Credentials are never accepted in the URL; send "
                    "`Authorization: Bearer <key>` instead."
                ]
                for name in credentials
            }
        )
    if parameters is not None:
        known = set(parameters) | extra
    else:
        known = set(getattr(filterset_class, "base_filters", ())) | ALLOWED_PARAMETERS | extra
    unknown = sorted(set(params) - known)
    if unknown:
        raise exceptions.ValidationError(
            {name: [f"Unknown parameter; known: {', '.join(sorted(known))}."] for name in unknown}
        )


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with a value that names nothing answered by a 400 naming the parameter.

    The objects as they stood at a release (`core.history.StateQuerySet`) are filtered by
    their model's own FilterSet: their records have the model's fields."""

    raise_exception = True

    def get_filterset_class(self, view, queryset=None):
        filterset_class = getattr(view, "filterset_class", None)
        if isinstance(queryset, StateQuerySet) and filterset_class is not None:
            assert queryset.model.instance_type is filterset_class._meta.model
            return filterset_class
        return super().get_filterset_class(view, queryset)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` over the view's `ordering_fields`; an unknown field is a 400, not ignored.

    Several fields, most significant first, repeated (`?ordering=a&ordering=-b`) or
    comma-separated (`?ordering=a,-b`), as every filter takes several values. The schema
    enumerates the fields and their descending (`-`) forms.
    """

    ordering_description = (
        "Sort by these fields, most significant first; `-` before a field sorts it descending. "
        "Repeat the parameter or separate fields with commas."
    )

    def get_ordering(self, request, queryset, view):
        values = request.query_params.getlist(self.ordering_param)
        if values:
            fields = [part.strip() for value in values for part in value.split(",")]
            return self.remove_invalid_fields(queryset, fields, view, request)
        return self.get_default_ordering(view)

    def field_names(self, view) -> list[str]:
        """The fields a client may order by, in the view's order."""
        context = {"request": getattr(view, "request", None)}
        return [name for name, _label in self.get_valid_fields(view.get_queryset(), view, context)]

    def get_schema_operation_parameters(self, view):
        names = self.field_names(view)
        if not names:
            return []
        values = [value for name in names for value in (name, f"-{name}")]
        constants = [
            constant
            for name in names
            for base in [name.replace("__", "_").upper()]
            for constant in (base, f"{base}_DESC")
        ]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": self.ordering_description,
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": values, "x-enum-varnames": constants},
                },
                "style": "form",
                "explode": True,
            }
        ]

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {item[0] for item in self.get_valid_fields(queryset, view, {"request": request})}
        invalid = [term for term in fields if term.removeprefix("-") not in valid]
        if invalid:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Cannot order by {', '.join(invalid)}; use one of {', '.join(sorted(valid))} "
                        "(prefix - for descending)."
                    ]
                }
            )
        return list(fields)
