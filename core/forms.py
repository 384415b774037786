"""Forms shared by pages and exports."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.core.validators import validate_slug
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

# Values a picker's datalist offers, and names an unknown value's error suggests: a page of
# them, however many objects there are.
SUGGESTIONS = 12
# Longer than any name or slug: the rest of a longer value is not read.
MAX_VALUE_LENGTH = 200


class PairForm(forms.Form):
    """`?a=…&b=…`: the two objects a comparison page and its exports compare.

    Each value is a slug or a name, typed or picked: a slug names its object; otherwise the
    object whose name (any field of `names`, case aside) is the value, or else the only one
    whose name contains it. A value that names none is an error, and when several names
    contain it, up to SUGGESTIONS of them are offered (`suggestions`), so a reader finds the
    object without JavaScript and without a list of every object. One form, so that the
    page and every export of it read and refuse the same values with the same messages;
    `cleaned_data["a"]` and `["b"]` are the objects, in one query for two slugs, one more
    for each value that is not one.
    """

    a = forms.CharField(required=False, strip=True)
    b = forms.CharField(required=False, strip=True)

    def __init__(
        self, data, *, queryset: QuerySet, noun: str, names: tuple[str, ...] = ("name",)
    ) -> None:
        super().__init__(data)
        self.queryset = queryset
        self.noun = noun
        self.names = names
        self.suggestions: dict[str, list[Model]] = {}
        # The fields whose value was a name rather than the object's slug.
        self.by_name: set[str] = set()

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        values: dict[str, str] = {}
        for name in ("a", "b"):
            value = (data.get(name) or "")[:MAX_VALUE_LENGTH]
            if not value:
                self.add_error(
                    name, f"Required: the name or slug of {_article(self.noun)} {self.noun}."
                )
            else:
                values[name] = value
        slugs = {value for value in values.values() if _is_slug(value)}
        found = (
            {getattr(obj, "slug"): obj for obj in self.queryset.filter(slug__in=slugs)}  # noqa: B009
            if slugs
            else {}
        )
        for name, value in values.items():
            if value in found:
                data[name] = found[value]
                continue
            obj = self._by_name(name, value)
            if obj is not None:
                data[name] = obj
                self.by_name.add(name)
        return data

    def _by_name(self, field: str, value: str) -> Model | None:
        """The object `value` names, or None with the error (and suggestions) on `field`.

        Exact names are asked for apart rather than annotated onto the search: the objects
        of a release (`core.history.State`) are rebuilt from their history rows, which
        carry no annotation."""
        contains = reduce(or_, (Q(**{f"{name}__icontains": value}) for name in self.names))
        exact = reduce(or_, (Q(**{f"{name}__iexact": value}) for name in self.names))
        ordering = (*self.queryset.model._meta.ordering, "pk")
        exact_matches = _distinct(self.queryset.filter(exact).order_by(*ordering)[:2])
        if len(exact_matches) == 1:
            return exact_matches[0]
        # An alias join can bring an object more than once: keep its first (best) row.
        candidates = _distinct(
            [
                *exact_matches,
                *self.queryset.filter(contains).order_by(*ordering).distinct()[: SUGGESTIONS + 1],
            ]
        )[: SUGGESTIONS + 1]
        if len(candidates) == 1:
            return candidates[0]
        shown = value if len(value) <= 80 else value[:80] + "…"
        if not candidates:
            self.add_error(field, f"No {self.noun} is called or has the slug “{shown}”.")
            return None
        # Several match: the reader chooses.
        self.suggestions[field] = candidates[:SUGGESTIONS]
        more = " (the first few are listed)" if len(candidates) > SUGGESTIONS else ""
        self.add_error(
            field, f"Several {self.noun}s match “{shown}”{more}: choose one below, or type more."
        )
        return None

    @property
    def slugs(self) -> dict[str, str]:
        """What was asked for, as typed (stripped), for the page to show back."""
        return {name: (self.data.get(name) or "").strip() for name in ("a", "b")}

    def canonical_query(self) -> str | None:
        """`a=<slug>&b=<slug>` when a valid pair was named by a name: the URL to redirect
        to, so that the address holds slugs; None when it already does."""
        if not self.by_name or self.errors:
            return None
        return f"a={self.cleaned_data['a'].slug}&b={self.cleaned_data['b'].slug}"

    def choice_links(self, path: str) -> dict[str, list[tuple[Model, str]]]:
        """For each value that matched several objects: each of them, with the URL that
        picks it (the other value kept as typed)."""
        links: dict[str, list[tuple[Model, str]]] = {}
        for field, objects in self.suggestions.items():
            links[field] = []
            for obj in objects:
                query = QueryDict(mutable=True)
                for name in ("a", "b"):
                    query[name] = getattr(obj, "slug") if name == field else self.slugs[name]  # noqa: B009
                links[field].append((obj, f"{path}?{query.urlencode()}"))
        return links


def picker_suggestions(queryset: QuerySet) -> list[Model]:
    """The bounded set a picker's `<datalist>` offers: the first SUGGESTIONS of `queryset`."""
    return list(queryset[:SUGGESTIONS])


def _is_slug(value: str) -> bool:
    try:
        validate_slug(value)
    except forms.ValidationError:
        return False
    return True


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _distinct(objects) -> list[Model]:
    """`objects` with each object once, at its first place."""
    first: dict[object, Model] = {}
    for obj in objects:
        first.setdefault(obj.pk, obj)
    return list(first.values())
