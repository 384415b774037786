import sys

from django.core.management.base import BaseCommand, CommandError

from core.progress import progress_bar
from sources.models import Citation

CHUNK_SIZE = 2000


class Command(BaseCommand):
    help = "Check that every citation's quote stands exactly at its offsets; exit 1 listing each that does not."

    def handle(self, *args, **options):
        total = broken = 0
        citations = Citation.objects.with_passage().select_related("content_type").order_by("pk")
        bar = progress_bar(desc="Citations", total=Citation.objects.count(), unit="citation")
        with bar:
            for citation in citations.iterator(chunk_size=CHUNK_SIZE):
                total += 1
                bar.update(1)
                if not citation.valid:
                    broken += 1
                    # The bar steps aside (it is on stderr) while the line is written.
                    with bar.external_write_mode(file=sys.stderr):
                        self.report(citation)
        if broken:
            raise CommandError(f"{broken} of {total} citations are broken.")
        self.stdout.write(self.style.SUCCESS(f"All {total} citations are valid."))

    def report(self, citation: Citation) -> None:
        found = citation.passage.text[citation.start : citation.end]
        reason = "marked orphaned" if citation.orphaned else f"found “{found[:80]}”"
        self.stdout.write(
            f"citation {citation.pk} ({citation.content_type.app_label}.{citation.content_type.model} "
            f"{citation.object_id}, {citation.role}) at {citation.passage}[{citation.start}:{citation.end}]: "
            f"expected “{citation.exact[:80]}”, {reason}"
        )
