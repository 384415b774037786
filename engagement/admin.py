"""Admin for levels, activities, frameworks and their cells.

A framework's page lists its cells in grid order (activity, then level); each cell's own
page holds its citations (a passage that says otherwise is cited with the role
"contradicts"). The "complete the grid" action gives a new framework an empty
cell for every activity and level, ready to be filled.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from core.admin import AtlasAdmin, AtlasInlineMixin, OpenedOnForm, slug_filter
from engagement.models import (
    Activity,
    Cell,
    EngagementLevel,
    Framework,
    evidence_fitting,
    evidence_problems,
)
from engagement.services import AlreadyPublished, framework_cells_complete, framework_publish
from sources.admin import CitationInline


@admin.register(EngagementLevel)
class EngagementLevelAdmin(AtlasAdmin):
    list_display = ["ordinal", "name", "slug", "updated_at"]
    list_display_links = ["name"]
    search_fields = ["name", "definition", "conditions"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CitationInline]


@admin.register(Activity)
class ActivityAdmin(AtlasAdmin):
    list_display = ["ordinal", "name", "slug", "updated_at"]
    list_display_links = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CitationInline]


def _check_evidence(form: forms.ModelForm, data: dict) -> None:
    """A cell's evidence and note as the API takes them (`evidence_problems`): a new kind
    with the evidence left as it was takes the evidence that fits it; evidence or a note
    the editor changed must fit the kind (refused on the field, never quietly made to fit),
    and an inferred cell keeps its note."""
    changed = set(form.changed_data)
    kind = data.get("kind") or form.instance.kind
    evidence = data.get("evidence") or ""
    if "evidence" not in changed:
        if "kind" in changed:
            evidence = data["evidence"] = evidence_fitting(kind, evidence)
        if "note" not in changed:
            return
    for name, problem in evidence_problems(
        kind=kind, evidence=evidence, note=data.get("note") or ""
    ).items():
        form.add_error(name, problem)


class CellForm(OpenedOnForm):
    def clean(self):
        data = super().clean()
        _check_evidence(self, data)
        return data


class CellInlineForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        _check_evidence(self, data)
        return data


class CellInline(AtlasInlineMixin, admin.TabularInline):
    """A framework's cells in grid order; their citations are edited on the cell's page."""

    model = Cell
    form = CellInlineForm
    extra = 0
    fields = ["activity", "level", "kind", "evidence", "text", "note", "emphasised"]
    readonly_fields = ["activity", "level"]
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("framework", "activity", "level")
            .order_by("activity__ordinal", "level__ordinal")
        )

    def has_add_permission(self, request, obj=None):
        # New positions come from the "complete the grid" action or the cell admin.
        return False


@admin.register(Framework)
class FrameworkAdmin(AtlasAdmin):
    list_display = ["name", "slug", "status", "document", "ordinal", "updated_at"]
    list_filter = [
        "status",
        slug_filter("institutions", "institution"),
        slug_filter("document", "document"),
    ]
    list_select_related = ["document"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["document", "institutions"]
    inlines = [CellInline]
    actions = ["complete_grid", "publish"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__text")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "status" in form.base_fields:
            # Left out of a form (a script's POST, as before drafts), it is published.
            form.base_fields["status"].required = False
        return form

    def get_readonly_fields(self, request, obj=None):
        # A draft is published by the action, never by editing a form.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "status"] if obj is not None else readonly

    @admin.action(description="Publish the selected drafts: everyone sees them at once")
    def publish(self, request, queryset):
        if not request.user.has_perm("engagement.change_framework"):
            self.message_user(request, "You may not publish frameworks.", messages.ERROR)
            return
        for framework in queryset:
            try:
                framework_publish(framework=framework, changed_by=request.user)
            except AlreadyPublished as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, f"{framework}: published.")

    @admin.action(description="Complete the grid: add an empty cell for every missing position")
    def complete_grid(self, request, queryset):
        if not request.user.has_perm("engagement.add_cell"):
            self.message_user(request, "You may not add cells.", messages.ERROR)
            return
        for framework in queryset:
            created = framework_cells_complete(framework=framework, changed_by=request.user)
            self.message_user(request, f"{framework}: {len(created)} empty cells added.")


@admin.register(Cell)
class CellAdmin(AtlasAdmin):
    form = CellForm
    list_display = [
        "framework",
        "activity",
        "level",
        "kind",
        "evidence",
        "emphasised",
        "text",
        "updated_at",
    ]
    list_filter = [
        slug_filter("framework", "framework"),
        "level",
        "kind",
        "evidence",
        "emphasised",
        slug_filter("activity", "activity"),
    ]
    list_select_related = ["framework", "activity", "level"]
    search_fields = ["text", "activity__name", "framework__name"]
    ordering = ["framework__ordinal", "framework__name", "activity__ordinal", "level__ordinal"]
    fields = [
        "framework",
        "activity",
        "level",
        "kind",
        "evidence",
        "text",
        "note",
        "emphasised",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]
    autocomplete_fields = ["framework", "activity"]
    inlines = [CitationInline]
    history_list_display = ["kind", "evidence", "text", "emphasised"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("framework", "activity", "level")
