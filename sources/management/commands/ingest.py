"""Add or update a source document from a Markdown, plain-text or PDF file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.progress import progress_bar
from core.text import normalised_summary
from sources.ingest import INGEST_MAX_BYTES, IngestError, published_parse, source_read
from sources.models import Document, DocumentKind
from sources.services import document_upsert
from sources.uploads import document_values


def parse_published(value: str) -> tuple[date, str]:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY`, with the precision it gives."""
    try:
        return published_parse(value)
    except IngestError as error:
        raise CommandError(f"--published: {error}") from None


class Command(BaseCommand):
    help = (
        "Add a document from a Markdown (.md), plain-text (.txt) or PDF (.pdf) file, split into "
        "passages with stable anchors; with --update, replace an existing document's text, "
        "keeping unchanged passages' anchors and orphaning citations whose quote no longer "
        f"stands. Files over {INGEST_MAX_BYTES} bytes are refused. Nothing is written on error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--title", help="Required for a new document.")
        parser.add_argument("--kind", help=f"One of {', '.join(DocumentKind.values)}.")
        parser.add_argument("--published", help="YYYY-MM-DD (or YYYY-MM, YYYY).")
        parser.add_argument("--url")
        parser.add_argument("--authors", help='Names separated by semicolons: "A; B".')
        parser.add_argument("--publisher")
        parser.add_argument("--language")
        parser.add_argument(
            "--update", action="store_true", help="Replace the text of the document with this slug."
        )

    def handle(self, *args, file: Path, slug: str, update: bool, **options):
        # Checks that need no database come first; nothing is written before all pass.
        if options["kind"] is not None and options["kind"] not in DocumentKind.values:
            raise CommandError(
                f"--kind: {options['kind']!r} is not one of {', '.join(DocumentKind.values)}"
            )
        if options["published"] is not None:
            options["published"] = parse_published(options["published"])
        try:
            source = source_read(file)
        except IngestError as error:
            raise CommandError(str(error)) from None
        existing = Document.objects.filter(slug=slug).first()
        if existing is not None and not update:
            raise CommandError(
                f"--slug: {slug!r} already names the document “{existing.title}”; "
                "pass --update to replace its text"
            )
        if existing is None:
            for name in ("title", "kind"):
                if not options[name]:
                    raise CommandError(f"--{name} is required for a new document")
        metadata = self.metadata(existing, options)

        try:
            with transaction.atomic(), progress_bar(desc="Passages", unit="passage") as bar:
                document, summary = document_upsert(
                    slug=slug,
                    text=source.text,
                    format=source.format,
                    page_starts=list(source.page_starts),
                    progress=bar,
                    **metadata,
                )
        except ValidationError as error:
            raise CommandError(f"{slug}: {self.describe(error)}") from None

        verb = "Added" if summary.created else "Updated" if summary.changed else "Unchanged:"
        pages = f", {len(source.page_starts)} pages" if source.page_starts else ""
        self.stdout.write(
            f"{verb} {document.slug} ({source.kind}{pages}, sha256 {document.sha256[:12]})"
        )
        if source.normalised:
            self.stdout.write("  characters normalised: " + normalised_summary(source.normalised))
        metadata_changed = [f for f in summary.metadata_changed if f not in {"text", "sha256"}]
        if metadata_changed and not summary.created:
            self.stdout.write(f"  metadata changed: {', '.join(metadata_changed)}")
        for label, anchors in (
            ("passages added", summary.passages_added),
            ("passages removed", summary.passages_removed),
            ("passages changed", summary.passages_changed),
        ):
            self.stdout.write(f"  {label}: {len(anchors)}{self.listed(anchors)}")
        orphaned = summary.citations_orphaned
        self.stdout.write(f"  citations still valid: {summary.citations_valid}")
        self.stdout.write(
            f"  citations orphaned: {len(orphaned)}"
            + self.listed([f"{c.pk} ({c.passage.anchor})" for c in orphaned])
        )
        if orphaned:
            self.stdout.write(
                self.style.WARNING(
                    "  Orphaned citations are listed by `manage.py verify_citations`; editors "
                    "repair them, on suggestions, at /editors/citations/orphaned/."
                )
            )

    @staticmethod
    def listed(items: list[str], limit: int = 20) -> str:
        if not items:
            return ""
        more = f", … {len(items) - limit} more" if len(items) > limit else ""
        return f" ({', '.join(items[:limit])}{more})"

    @staticmethod
    def describe(error: ValidationError) -> str:
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
        return "; ".join(error.messages)

    @staticmethod
    def metadata(existing: Document | None, options: dict) -> dict:
        """Values given on the command line; for an update, the others stay as they are."""
        names = ("title", "kind", "url", "publisher", "language", "authors")
        given = {name: options[name] for name in names if options[name] is not None}
        return document_values(existing, given, options["published"])
