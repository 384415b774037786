"""Filter building blocks shared by every FilterSet: strict, and several values per parameter.

A parameter may repeat (`?level=a&level=b`, as an HTML form sends it) or list values with
commas (`?level=a,b`, as scripts write it); both mean the same. A value that names nothing
is an error naming the value, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import django_filters
from django import forms
from django.db import connection
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.text import shown
from core.visibility import visible


class CommaSeparatedMultiple(forms.SelectMultiple):
    """Reads repeated and comma-separated values alike."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        raw = getlist(name) if getlist else ([data[name]] if name in data else [])
        if isinstance(raw, str):
            raw = [raw]
        return [part.strip() for value in raw for part in str(value).split(",") if part.strip()]

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class CheckboxMultiple(CommaSeparatedMultiple, forms.CheckboxSelectMultiple):  # type: ignore[misc]
    """The same parsing, rendered as checkboxes on the pages."""


class SlugMultipleField(django_filters.fields.ModelMultipleChoiceField):
    """The objects of a plain `Model.objects.all()` named by their slugs, found with one
    SELECT written here: Django's own check builds a queryset per value and compiles the
    query of every filter of every request (several times what running it costs). The
    same objects, the same errors; a queryset with conditions of its own is left to Django."""

    def _check_values(self, value):
        # A slug of what the request may not see (a draft) is unknown, as any other: the
        # queryset built when the filter was declared is narrowed now (`core.visibility`).
        queryset: QuerySet = visible(self.queryset)  # type: ignore[has-type]
        self.queryset = queryset
        key = self.to_field_name or "pk"
        if key == "pk" or queryset.query.has_filters() or self.null_label is not None:
            return super()._check_values(value)
        try:
            wanted = sorted(frozenset(value))
        except TypeError:
            raise forms.ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for slug in wanted:
            self.validate_no_null_characters(slug)
        model = queryset.model
        fields = model._meta.concrete_fields
        names = [field.attname for field in fields]
        column = model._meta.get_field(key).column
        sql = (
            f"SELECT {', '.join(connection.ops.quote_name(f.column) for f in fields)} "
            f"FROM {connection.ops.quote_name(model._meta.db_table)} "
            f"WHERE {connection.ops.quote_name(column)} IN ({', '.join(['%s'] * len(wanted))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [str(slug) for slug in wanted])
            found = [model.from_db(queryset.db, names, row) for row in cursor.fetchall()]
        known = {str(getattr(obj, key)) for obj in found}
        for slug in wanted:
            if str(slug) not in known:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": slug},
                )
        return found


# Documented as slugs (strings), not as the foreign keys' integer ids.
@extend_schema_field(OpenApiTypes.STR)
class SlugMultipleFilter(django_filters.ModelMultipleChoiceFilter):
    """Objects named by slug; several values OR-ed."""

    field_class = SlugMultipleField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", CheckboxMultiple)
        # A foreign key cannot repeat a row; a filter across a many-to-many says distinct=True.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # No choice cleans to `queryset.none()`, and the parent's `if not value` would compile
        # and run it on every request; a choice is a list of the objects the form found.
        if isinstance(value, QuerySet) and value.query.is_empty():
            return qs
        return super().filter(qs, value)

    def get_filter_predicate(self, v):
        # The parent filters on `getattr(v, to_field_name)`, a slug, against the foreign key's
        # id; compare the object itself instead.
        return {self.field_name: v}


class ChoiceMultipleFilter(django_filters.MultipleChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CheckboxMultiple)
        super().__init__(*args, **kwargs)


BOOLEAN_CHOICES = [("true", "Yes"), ("false", "No")]
_BOOLEAN_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class StrictBooleanField(forms.CharField):
    """true/false (or 1/0, yes/no); anything else is an error rather than "no filter"."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return _BOOLEAN_VALUES[value.strip().lower()]
        except KeyError:
            # The value goes in `params`, never into the message itself: django-filter
            # formats every message with `%` (a "%" typed in would break it).
            raise forms.ValidationError(
                "“%(value)s” is not a boolean; use true or false.",
                code="invalid",
                params={"value": shown(value)},
            ) from None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value})


def unknown_parameters(
    params, filterset_class, allowed: AbstractSet[str] = frozenset()
) -> list[str]:
    """The query parameters that neither the FilterSet nor `allowed` knows."""
    known = set(filterset_class.base_filters) | set(allowed)
    return sorted(name for name in params if name not in known)


class StaticFormFilterSet(django_filters.FilterSet):
    """A FilterSet whose form class is built once per process rather than per request: for
    filters whose fields do not depend on the data (choices fixed in the code, slugs looked
    up when validated). Not for one with AllValuesFilter and the like, whose choices are read
    from the database when the field is made."""

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_static_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._static_form_class = form_class
        return form_class


class NameFilterSet(django_filters.FilterSet):
    """A FilterSet whose `q` keeps the objects whose name contains it (any case): the
    search box of a list of named things."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
