"""What a flag points at: a claim, named by its `api_url` (absolute or a path).

The URL is resolved by the URLconf itself; the view it reaches names the model, and the
model must be a claim (`core.registry.ClaimType`). Nothing here knows the content apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve

from core import registry
from core.links import link
from core.registry import ClaimType
from core.text import parameter_problem, stored_text_problem

NOT_A_CLAIM = (
    "Give the `api_url` of a claim (a cell, level, activity, institution, function "
    "status, relationship, document...), such as /api/v1/cells/12/."
)


@dataclass(frozen=True)
class Target:
    claim: ClaimType
    obj: Any
    serializer_class: Any  # its API resource's serializer: the write path of its text

    @property
    def text_field(self) -> str | None:
        """The field holding the claim's words (`Content.text`), if any."""
        declaration = registry.declaration(self.claim.model)
        return declaration.text if declaration is not None else None

    @property
    def label(self) -> str:
        return self.claim.label(self.obj)

    @property
    def url(self) -> str | None:
        return self.claim.url(self.obj)

    @property
    def text(self) -> str:
        field = self.text_field
        return str(getattr(self.obj, field) or "") if field else ""


def _claim_view(path: str):
    """(the view class, its lookup field, the lookup value) of an API detail route."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    view = getattr(match.func, "cls", None)
    if match.namespace != "api" or view is None or "format" in match.kwargs:
        return None
    if not (match.url_name or "").endswith("-detail"):
        return None
    lookup: str | None = getattr(view, "lookup_field", None)
    if lookup is None or getattr(view, "serializer_class", None) is None:
        return None
    value = match.kwargs.get(getattr(view, "lookup_url_kwarg", None) or lookup)
    if value is None:
        return None
    return view, lookup, value


def target_resolve(url: str) -> Target:
    """The claim `url` names, or a ValidationError on `target` saying why not."""
    if len(url) > 2000 or stored_text_problem(url) or parameter_problem(url.strip()):
        raise ValidationError({"target": [NOT_A_CLAIM]})
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[": not a URL
        raise ValidationError({"target": [NOT_A_CLAIM]}) from None
    if parts.scheme not in ("", "http", "https") or not parts.path:
        raise ValidationError({"target": [NOT_A_CLAIM]})
    found = _claim_view(unquote(parts.path))
    if found is None:
        raise ValidationError({"target": [NOT_A_CLAIM]})
    view, lookup, value = found
    model: type[models.Model] = view.serializer_class.Meta.model
    claim = registry.claim_type(model._meta.app_label, str(model._meta.model_name))
    if claim is None:
        raise ValidationError({"target": [NOT_A_CLAIM]})
    obj = model._default_manager.filter(**{lookup: value}).first()
    if obj is None:
        raise ValidationError({"target": [f"No {claim.kind.lower()} has this address."]})
    return Target(claim, obj, view.serializer_class)


def target_of(obj: Any) -> Target | None:
    """The flag target `obj` is (a claim with an API route), or None."""
    declaration = registry.declaration(type(obj))
    claim = registry.claim_type(obj._meta.app_label, obj._meta.model_name)
    if declaration is None or claim is None or declaration.api is None:
        return None
    path = api_path(obj)
    found = _claim_view(path) if path else None
    return Target(claim, obj, found[0].serializer_class) if found else None


def api_path(obj: Any) -> str | None:
    """The path of `obj`'s API detail route (its `api_url` without the host), if it has one."""
    declaration = registry.declaration(type(obj))
    if declaration is None or declaration.api is None:
        return None
    key = obj.pk if declaration.key == "pk" else getattr(obj, declaration.key)
    return link(f"api:{declaration.api}-detail", key)
