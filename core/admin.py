"""What every admin page of the knowledge base shares.

- Text is checked as the API checks it (`core.text`): a control character other than tab
  and line feed is refused, naming the field. Browsers send a textarea's line breaks as
  "\\r\\n" (HTML's form encoding, not the editor's choice): they are stored as "\\n".
- No change is saved over another editor's. The change form carries, hidden, the state it
  was opened on: the newest history entry of the object and of the rows its inlines edit
  (django-simple-history). A save made after someone else changed any of them is refused
  with an error naming who changed it and when; nothing is written. The check and the save
  run under a row lock, in the admin's own transaction.

The apps' admin classes use `AtlasAdmin` and `AtlasInlineMixin`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.contenttypes.admin import GenericInlineModelAdmin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import _get_foreign_key
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from core.text import stored_text_problem

# The hidden field of a change form holding the state it was opened on.
OPENED_ON = "opened_on"


def validate_stored_text(value) -> None:
    """Text, or every string in a JSON value (a document's authors), as `core.text` allows."""
    strings = [value]
    while strings:
        item = strings.pop()
        if isinstance(item, str):
            problem = stored_text_problem(item)
            if problem:
                raise ValidationError(problem, code="control_character")
        elif isinstance(item, dict):
            strings.extend([*item.keys(), *item.values()])
        elif isinstance(item, list | tuple):
            strings.extend(item)


class _LineBreaksAsNewlines:
    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)  # type: ignore[misc]


_CHECKED_FIELDS: dict[type, type] = {}


def checked_text(field: forms.Field | None) -> forms.Field | None:
    """A form field for text, with line breaks made "\n" and `core.text`'s rule applied."""
    if isinstance(field, forms.CharField) and not isinstance(field, _LineBreaksAsNewlines):
        base = type(field)
        if base not in _CHECKED_FIELDS:
            _CHECKED_FIELDS[base] = type(
                f"Checked{base.__name__}", (_LineBreaksAsNewlines, base), {}
            )
        field.__class__ = _CHECKED_FIELDS[base]
        field.validators.append(validate_stored_text)
    return field


class CheckedTextMixin:
    """Text fields of a model admin or inline checked as the API checks them."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return checked_text(super().formfield_for_dbfield(db_field, request, **kwargs))  # type: ignore[misc]


class AtlasInlineMixin(CheckedTextMixin):
    """For inlines: text checked as on the page that holds them."""


class OpenedOnForm(forms.ModelForm):
    """A change form that knows the state it was opened on (`AtlasAdmin`)."""

    opened_on = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by AtlasAdmin.get_form: the current state of an object, and who last changed it.
    state_of = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and self.state_of is not None:
            self.fields[OPENED_ON].initial = self.state_of(self.instance).token

    def clean(self):
        data = super().clean()
        opened_on = self.cleaned_data.get(OPENED_ON)
        if self.instance.pk is None or not opened_on or self.state_of is None:
            return data
        model = type(self.instance)
        # Held until the admin's transaction ends: no other save slips in between.
        model._default_manager.select_for_update().filter(pk=self.instance.pk).exists()
        state = self.state_of(self.instance)
        if state.token != opened_on:
            raise ValidationError(state.stale_message(model._meta.verbose_name), code="stale")
        return data


class State:
    """The newest history entries of an object and of the rows edited with it."""

    def __init__(self, records: list) -> None:
        self.records = records

    @property
    def token(self) -> str:
        return ",".join(str(record.history_id) if record else "0" for record in self.records)

    def stale_message(self, noun: str) -> str:
        newest = max(
            (record for record in self.records if record), key=lambda record: record.history_date
        )
        user = newest.history_user
        who = user.get_username() if user is not None else "someone (no user was recorded)"
        when = timezone.localtime(newest.history_date).strftime("%Y-%m-%d %H:%M:%S %Z")
        return (
            f"{who} changed this {noun} at {when}, after you opened this page. Nothing was "
            "saved: open the page again to see their change, then make yours."
        )


class AtlasAdmin(CheckedTextMixin, SimpleHistoryAdmin):
    """History with revert (django-simple-history), checked text, no overwritten change."""

    form = OpenedOnForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        *first, (name, options) = fieldsets
        fields = [field for field in options.get("fields", ()) if field != OPENED_ON]
        return [*first, (name, {**options, "fields": [*fields, OPENED_ON]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A static method: the form calls it with the instance alone.
        form.state_of = staticmethod(lambda instance: self.state_of(request, instance))
        return form

    def state_of(self, request, obj: Model) -> State:
        """The newest history entry of `obj`, and of the rows each inline edits with it."""
        histories = [_history(type(obj)).filter(**{type(obj)._meta.pk.attname: obj.pk})]
        for inline in self.get_inline_instances(request, obj):
            history = _inline_history(inline, obj)
            if history is not None:
                histories.append(history)
        return State(
            [
                history.select_related("history_user").order_by("-history_id").first()
                for history in histories
            ]
        )


def _history(model: type[Model]) -> QuerySet:
    """Every history entry of every object of `model` (django-simple-history)."""
    return model.history.all()  # type: ignore[attr-defined]


def _inline_history(inline: InlineModelAdmin, obj: Model) -> QuerySet | None:
    """The history of the rows `inline` shows on `obj`'s page, deleted ones included."""
    if not hasattr(inline.model, "history"):
        return None
    history = _history(inline.model)
    if isinstance(inline, GenericInlineModelAdmin):
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return history.filter(**{inline.ct_field: content_type, inline.ct_fk_field: obj.pk})
    try:
        foreign_key = _get_foreign_key(type(obj), inline.model, fk_name=inline.fk_name)
    except ValueError:
        return None
    return history.filter(**{foreign_key.attname: obj.pk})


class RelatedSlugFilter(admin.SimpleListFilter):
    """A list filter on a related object typed by its slug, not picked from a list of every
    one (a sidebar of thousands of frameworks or documents would outweigh the page).

    Declared with `slug_filter(path, title)`; its parameter is `<path>__slug`, so the
    changelist's URL says what it filters by (`?framework__slug=eu-ai-office-uk-aisi`)."""

    template = "admin/atlas_slug_filter.html"
    field_path = ""

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, value)] if value else []

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_path}__slug": value})

    def choices(self, changelist):
        # The form that types a slug keeps the changelist's other parameters.
        kept = [
            (name, value)
            for name, value in changelist.params.items()
            if name not in (self.parameter_name, PAGE_VAR)
        ]
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
            "kept": kept,
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


def slug_filter(path: str, title: str) -> type[RelatedSlugFilter]:
    """A `RelatedSlugFilter` on the object at `path` (`framework`, `passage__document`)."""
    return type(
        f"{path.title().replace('_', '')}SlugFilter",
        (RelatedSlugFilter,),
        {"title": title, "parameter_name": f"{path}__slug", "field_path": path},
    )
