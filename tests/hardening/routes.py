"""Every page, export and API route of the URLconf, with real objects in its path.

Built from the URLconf and the API router as they are, so a route added later is drawn
too; its parameters are the ones it declares (`query_parameters` of an export, the
FilterSet of an API list) or, for a page, the names any page of the project reads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from core.api.filters import ALLOWED_PARAMETERS
from engagement.models import Activity, EngagementLevel, Framework
from institutions.models import Institution
from sources.models import Document, Passage

# Not pages, exports or API routes of the knowledge base: the admin (its own forms, for
# editors), the schema and docs of the API, its catch-all 404 and its root.
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_NAMES = ("api:schema", "api:docs", "api:not-found", "api:api-root")
# Parameter names the pages of the project read (any page may be given any of them).
PAGE_PARAMETERS = frozenset(
    {
        "q",
        "level",
        "activity",
        "kind",
        "evidence",
        "emphasised",
        "view",
        "a",
        "b",
        "cite",
        "page",
        "type",
        "document",
        "framework",
        "institution",
        "release",
        "since",
        "excel",
    }
)
# Format names tried where a path ends in `.<fmt>`; those the route answers are kept.
FORMATS = ("csv", "xlsx", "json", "md", "bib", "txt", "zip", "atom")
# The model whose slug a `slug` in a path names, by the path's first segment.
SLUG_MODELS = {
    "frameworks": Framework,
    "activities": Activity,
    "levels": EngagementLevel,
    "institutions": Institution,
    "documents": Document,
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str
    view_class: type | None
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.view_class is not None and issubclass(self.view_class, APIView)

    @property
    def parameters(self) -> frozenset[str]:
        declared = getattr(self.view_class, "query_parameters", None)
        if declared is not None:
            return frozenset(declared) | {"unexpected"}
        filterset = getattr(self.view_class, "filterset_class", None)
        if filterset is not None:
            return frozenset(filterset.base_filters) | ALLOWED_PARAMETERS
        return PAGE_PARAMETERS


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), namespace, pattern


def routes() -> list[Route]:
    """Every route of the URLconf but the skipped ones, each once (format suffixes of the
    API router, which name the same view, are left out)."""
    found: dict[str, Route] = {}
    for text, namespace, pattern in _walk(get_resolver().url_patterns):
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        kwargs = tuple(pattern.pattern.regex.groupindex)
        if namespace in SKIPPED_NAMESPACES or name in SKIPPED_NAMES or "format" in kwargs:
            continue
        callback = pattern.callback
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        found.setdefault(name, Route(name, text, view_class, kwargs))
    return list(found.values())


def _first_slug(model) -> str:
    return model.objects.order_by("pk").values_list("slug", flat=True).first() or "none"


def _path_values(route: Route) -> dict[str, str]:
    """A value for each argument of the route's path, naming a real object."""
    values: dict[str, str] = {}
    # A random id (an upload, a job): one that names nothing is as good as any to a stranger.
    uuids = {kwarg for kwarg in route.kwargs if f"<uuid:{kwarg}>" in route.pattern}
    values.update({kwarg: str(uuid.UUID(int=1)) for kwarg in uuids})
    if route.is_api:
        filterset = getattr(route.view_class, "filterset_class", None)
        model = filterset._meta.model if filterset is not None else None
        for kwarg in set(route.kwargs) - uuids:
            obj = model.objects.order_by("pk").first() if model is not None else None
            values[kwarg] = str(getattr(obj, kwarg, obj.pk) if obj is not None else 1)
        return values
    first = route.pattern.split("/", 1)[0]
    document = Document.objects.order_by("pk").first()
    framework = Framework.objects.order_by("pk").first()
    for kwarg in set(route.kwargs) - uuids:
        if kwarg == "slug":
            model = SLUG_MODELS.get(first)
            values[kwarg] = _first_slug(model) if model else "none"
        elif kwarg == "activity":
            values[kwarg] = _first_slug(Activity)
        elif kwarg == "level":
            values[kwarg] = _first_slug(EngagementLevel)
        elif kwarg in ("anchor", "section", "section_anchor", "passage"):
            passage = Passage.objects.filter(document=document, kind="heading").order_by("ordinal")
            values[kwarg] = passage.values_list("anchor", flat=True).first() or "none"
        elif kwarg == "framework":
            values[kwarg] = framework.slug if framework else "none"
        elif kwarg == "fmt":
            values[kwarg] = FORMATS[0]
        elif kwarg == "pk":
            values[kwarg] = "1"
        else:
            values[kwarg] = "none"
    return values


def concrete_urls(route: Route) -> list[str]:
    """The route's URLs with real objects in the path: one per format it has."""
    values = _path_values(route)
    if "fmt" not in values:
        return [reverse(route.name, kwargs=values)]
    return [reverse(route.name, kwargs={**values, "fmt": fmt}) for fmt in FORMATS]
