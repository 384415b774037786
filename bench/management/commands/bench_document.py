from django.core.management.base import BaseCommand

from bench.largedoc import BENCH_SLUG, large_document_ingest


class Command(BaseCommand):
    help = (
        f"Ingest the benchmark's large generated act ({BENCH_SLUG}: over 1 MB of Markdown, "
        "2,000 passages, tables, footnotes) with citations into it; a second run changes nothing."
    )

    def handle(self, *args, **options):
        document = large_document_ingest()
        passages = document.passages.count()
        self.stdout.write(
            f"{document.slug}: {len(document.text.encode())} bytes, {passages} passages"
        )
