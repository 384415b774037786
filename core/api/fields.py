"""URL fields: an object's own API and page URLs, and those of the objects it refers to.

Declared, not written as a method each: `api_url = ApiUrlField("cell", source="pk")`,
`framework_html_url = HtmlUrlField(source="framework")`. URLs are absolute when the
serializer has a request in its context. A related object that is None gives None.
"""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.links import link


class _UrlField(serializers.Field):
    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@extend_schema_field(OpenApiTypes.URI)
class ApiUrlField(_UrlField):
    """The API detail URL of the resource `basename`, from the lookup value at `source`
    (`"slug"` or `"pk"` for the object itself, `"framework.slug"` for a related one)."""

    def __init__(self, basename: str, **kwargs) -> None:
        self.basename = basename
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return self.absolute(link(f"api:{self.basename}-detail", value))


@extend_schema_field(OpenApiTypes.URI)
class ApiListUrlField(_UrlField):
    """The API list of `basename` filtered by `filter` = the value at `source`:
    `ApiListUrlField("cell", filter="level", source="slug")` is a level's cells."""

    def __init__(self, basename: str, *, filter: str, **kwargs) -> None:
        self.basename = basename
        self.filter = filter
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        query = urlencode({self.filter: value})
        url = link(f"api:{self.basename}-list")
        return self.absolute(f"{url}{'&' if '?' in url else '?'}{query}")


@extend_schema_field(OpenApiTypes.URI)
class HtmlUrlField(_UrlField):
    """The page of the object at `source` (the object itself by default): its
    `get_absolute_url()`."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return self.absolute(value.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class UrlField(_UrlField):
    """A URL the object holds already (a path), made absolute; None stays None."""

    def to_representation(self, value) -> str | None:
        return self.absolute(value) if value else None
