"""Admin for institutions, their names, functions, mandates and relationships."""

from __future__ import annotations

from django.contrib import admin

from core.admin import AtlasAdmin, AtlasInlineMixin, slug_filter
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship
from sources.admin import CitationInline


class AliasInline(AtlasInlineMixin, admin.TabularInline):
    model = InstitutionAlias
    extra = 0
    fields = ["name", "is_former", "valid_from", "valid_until", "note"]
    show_change_link = True


class MandateInline(AtlasInlineMixin, admin.TabularInline):
    model = Mandate
    extra = 0
    fields = ["function", "status", "statement"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("function", "institution")


@admin.register(Institution)
class InstitutionAdmin(AtlasAdmin):
    list_display = ["name", "short_name", "slug", "kind", "jurisdiction", "parent", "updated_at"]
    list_filter = ["kind", "jurisdiction"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "slug", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [AliasInline, MandateInline, CitationInline]


@admin.register(InstitutionAlias)
class InstitutionAliasAdmin(AtlasAdmin):
    list_display = ["name", "institution", "is_former", "valid_from", "valid_until"]
    list_filter = ["is_former", slug_filter("institution", "institution")]
    list_select_related = ["institution"]
    search_fields = ["name", "institution__name"]
    autocomplete_fields = ["institution"]
    inlines = [CitationInline]


@admin.register(Function)
class FunctionAdmin(AtlasAdmin):
    list_display = ["ordinal", "name", "slug"]
    list_display_links = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CitationInline]


@admin.register(Mandate)
class MandateAdmin(AtlasAdmin):
    list_display = ["institution", "function", "status", "statement", "updated_at"]
    list_filter = ["status", "function", slug_filter("institution", "institution")]
    list_select_related = ["institution", "function"]
    search_fields = ["statement", "institution__name", "function__name"]
    autocomplete_fields = ["institution"]
    inlines = [CitationInline]
    history_list_display = ["status", "statement"]


@admin.register(Relationship)
class RelationshipAdmin(AtlasAdmin):
    list_display = ["slug", "subject", "kind", "object", "date", "updated_at"]
    list_filter = [
        "kind",
        slug_filter("subject", "subject"),
        slug_filter("object", "object"),
    ]
    list_select_related = ["subject", "object"]
    search_fields = ["slug", "description", "subject__name", "object__name"]
    autocomplete_fields = ["subject", "object"]
    inlines = [CitationInline]
