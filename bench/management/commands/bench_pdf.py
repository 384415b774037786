from django.core.management.base import BaseCommand

from bench.pdfdoc import pdf_read_timing


class Command(BaseCommand):
    help = (
        "Read synthetic PDFs of the given numbers of pages (default 30 and 300, the limit) "
        "with the PDF reader; print the time (and CPU time, per page) and the peak memory "
        "allocated while reading, to show that reading stays linear in the pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pages", type=int, action="append", help="Repeatable.")

    def handle(self, *args, pages: list[int] | None = None, **options):
        self.stdout.write(
            "| pages | PDF KB | text KB | seconds | CPU seconds | CPU ms per page | peak MB |"
        )
        self.stdout.write("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for count in pages or [30, 300]:
            timing = pdf_read_timing(count)
            self.stdout.write(
                f"| {timing.pages} | {timing.size / 1024:.0f} | {timing.characters / 1024:.0f} "
                f"| {timing.seconds:.1f} | {timing.cpu_seconds:.1f} | {timing.per_page * 1000:.0f} "
                f"| {timing.peak / 1024 / 1024:.1f} |"
            )
