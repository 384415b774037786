"""Freeze the current state of the knowledge base under a tag."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from atlas.releases import ReleaseError, release_create


class Command(BaseCommand):
    help = (
        "Make a release: freeze the current state under TAG (letters, digits, '.' and '-'), "
        "with its dataset version, counts and data package. A release never changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("tag")
        parser.add_argument("--title", default="", help="A title, e.g. “Spring 2025”.")
        parser.add_argument("--notes", default="", help="What the release holds, in words.")

    def handle(self, *args, tag: str, title: str, notes: str, **options):
        try:
            release = release_create(
                tag=tag, title=title, notes=notes, site_url=settings.ATLAS_SITE_URL
            )
        except ReleaseError as error:
            raise CommandError(f"No release made: {error}") from None
        package = release.package
        self.stdout.write(
            self.style.SUCCESS(
                f"Release {release.tag} made: dataset version {release.version}, "
                f"{release.counts.get('cells', 0)} cells, data package "
                f"{filesizeformat(package.size)} (SHA-256 {package.sha256})."
            )
        )
