"""The search parameters, shared by the page and the API: same checks, same messages."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_slug
from django.db.models import CharField, Value

from core.filtering import CommaSeparatedMultiple
from engagement.models import Activity, EngagementLevel, Framework
from search.engine import FACETS
from search.models import EntryKind
from search.query import MAX_QUERY_LENGTH, QueryError, parse_query
from sources.models import Document

# The deepest page anyone may ask for (20 results a page: 200,000 results).
PAGE_LIMIT = 10_000

_SLUG_MODELS = {
    "document": (Document, "title"),
    "framework": (Framework, "name"),
    "level": (EngagementLevel, "name"),
    "activity": (Activity, "name"),
}


class SlugListField(forms.MultipleChoiceField):
    """Slugs, repeated or comma-separated; whether they exist is checked by the form."""

    widget = CommaSeparatedMultiple

    def valid_value(self, value):
        try:
            validate_slug(value)
        except forms.ValidationError:
            return False
        return True


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        label="Search",
        error_messages={
            "max_length": f"The query is too long: at most {MAX_QUERY_LENGTH} characters."
        },
    )
    type = forms.MultipleChoiceField(
        choices=EntryKind.choices, required=False, widget=CommaSeparatedMultiple
    )
    document = SlugListField(required=False)
    framework = SlugListField(required=False)
    level = SlugListField(required=False)
    activity = SlugListField(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=PAGE_LIMIT)

    def __init__(self, *args, require_query: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_query = require_query
        self.labels: dict[tuple[str, str], str] = {}

    def clean_q(self):
        text = self.cleaned_data["q"].strip()
        if not text and not self.require_query:
            return None
        try:
            return parse_query(text)
        except QueryError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def clean(self):
        data = super().clean()
        wanted = {name: data.get(name) or [] for name in _SLUG_MODELS}
        querysets = [
            model.objects.filter(slug__in=slugs)
            .order_by()
            .values_list(Value(name, output_field=CharField()), "slug", label)
            for name, slugs in wanted.items()
            if slugs
            for model, label in [_SLUG_MODELS[name]]
        ]
        if querysets:
            # One query, however many facets are filtered.
            found = (
                querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
            )
            for name, slug, label in found:
                self.labels[(name, slug)] = label
            for name, slugs in wanted.items():
                missing = [slug for slug in slugs if (name, slug) not in self.labels]
                if missing:
                    self.add_error(
                        name, f"No {name} is called {', '.join(f'“{s}”' for s in missing)}."
                    )
        return data

    @property
    def filters(self) -> dict[str, list[str]]:
        return {name: self.cleaned_data.get(name) or [] for name in FACETS}
