"""Strict query strings: an unknown parameter, a credential in the URL, a filter value that
names nothing, an unknown ordering field: each is a 400 naming the parameter."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter

from core.filtering import unknown_parameters
from core.history import StateQuerySet

# Query parameters every list understands besides its FilterSet's.
ALLOWED_PARAMETERS = frozenset({"page", "page_size", "ordering", "format"})
# Credentials in a URL end up in logs, proxies and browser history: refused outright.
QUERY_STRING_CREDENTIALS = ("token", "auth_token", "access_token", "api_key", "apikey", "key")


def query_string_check(params, filterset_class=None, extra: frozenset[str] = frozenset()) -> None:
    """A 400 for credentials in the query string and for parameters nobody reads (`extra`:
    those the view reads itself, such as `release`)."""
    credentials = [name for name in QUERY_STRING_CREDENTIALS if name in params]
    if credentials:
        raise exceptions.ValidationError(
            {
                name: [
                    "Credentials are never accepted in the URL; send "
                    "`Authorization: Token <key>` instead."
                ]
                for name in credentials
            }
        )
    allowed = ALLOWED_PARAMETERS | extra
    if filterset_class is not None:
        unknown = unknown_parameters(params, filterset_class, allowed)
    else:
        unknown = sorted(set(params) - allowed)
    if unknown:
        known = sorted(set(getattr(filterset_class, "base_filters", ())) | allowed)
        raise exceptions.ValidationError(
            {name: [f"Unknown parameter; known: {', '.join(known)}."] for name in unknown}
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
    """`?ordering=` over the view's `ordering_fields`; an unknown field is a 400, not ignored."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {item[0] for item in self.get_valid_fields(queryset, view, {"request": request})}
        invalid = [term for term in fields if term.lstrip("-") not in valid]
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
