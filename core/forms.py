"""Forms shared by pages and exports."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_slug
from django.db.models import Model, QuerySet


class PairForm(forms.Form):
    """`?a=<slug>&b=<slug>`: the two objects a comparison page and its exports compare.

    One form, so that the page and every export of it refuse the same values with the same
    messages; `cleaned_data["a"]` and `["b"]` are the objects, found in one query.
    """

    a = forms.CharField(required=False, strip=True)
    b = forms.CharField(required=False, strip=True)

    def __init__(
        self, data, *, queryset: QuerySet, noun: str, loaded: list[Model] | None = None
    ) -> None:
        """`loaded`: the objects of `queryset`, when the caller has them all already."""
        super().__init__(data)
        self.queryset = queryset
        self.noun = noun
        self.loaded = loaded

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        slugs: dict[str, str] = {}
        for name in ("a", "b"):
            value = data.get(name) or ""
            if not value:
                self.add_error(name, f"Required: the slug of {_article(self.noun)} {self.noun}.")
                continue
            try:
                validate_slug(value)
            except forms.ValidationError:
                self.add_error(name, f"No {self.noun} “{value}”.")
                continue
            slugs[name] = value
        if not slugs:
            found: dict[str, Model] = {}
        elif self.loaded is not None:
            found = {getattr(obj, "slug"): obj for obj in self.loaded}  # noqa: B009
        else:
            found = {
                getattr(obj, "slug"): obj  # noqa: B009
                for obj in self.queryset.filter(slug__in=set(slugs.values()))
            }
        for name, slug in slugs.items():
            if slug in found:
                data[name] = found[slug]
            else:
                self.add_error(name, f"No {self.noun} “{slug}”.")
        return data

    @property
    def slugs(self) -> dict[str, str]:
        """What was asked for, as typed (stripped), for the page to show back."""
        return {name: (self.data.get(name) or "").strip() for name in ("a", "b")}


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"
