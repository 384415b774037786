"""Releases in the admin: make one (tag, title, notes), see them all; never change one."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from atlas.releases import CURRENT, RESERVED_TAGS, ReleaseError, release_create
from core.models import Release


class ReleaseForm(forms.ModelForm):
    class Meta:
        model = Release
        fields = ["tag", "title", "notes"]

    def clean_tag(self) -> str:
        tag = self.cleaned_data["tag"]
        if tag.lower() in RESERVED_TAGS | {CURRENT}:
            raise ValidationError(f"“{tag}” is a word of the releases' pages, not a tag.")
        return tag


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Adding a release freezes the current state (`atlas.releases.release_create`): its
    dataset version, counts and data package. A release is read-only from then on."""

    form = ReleaseForm
    list_display = ["tag", "title", "created_at", "version"]
    search_fields = ["tag", "title", "notes"]
    readonly_fields = ["tag", "title", "notes", "created_at", "version", "counts", "package_sha256"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("package").defer("package__content")

    def get_fields(self, request, obj=None):
        return ["tag", "title", "notes"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description="Data package SHA-256")
    def package_sha256(self, release: Release) -> str:
        return release.package.sha256

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Release, form, change: bool) -> None:
        try:
            made = release_create(
                tag=obj.tag,
                title=obj.title,
                notes=obj.notes,
                site_url=request.build_absolute_uri("/"),
            )
        except ReleaseError as error:
            # Another editor took the tag between the form's check and now.
            raise ValidationError(str(error)) from None
        obj.pk, obj.created_at, obj.version, obj.counts = (
            made.pk,
            made.created_at,
            made.version,
            made.counts,
        )
