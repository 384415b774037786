import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.synthesis import SynthesisError, knowledge_base_synthesize, synthesis_clear
from core.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Make the knowledge base N times the seeded one with synthetic copies (slugs `synth-`), "
        "replacing any earlier ones; --scale 0 or 1, or --clear, removes them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            help="Total size as a multiple of the seeded knowledge base (N-1 synthetic copies).",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Random seed; the same seed gives the same data."
        )
        parser.add_argument("--clear", action="store_true", help="Remove every synthetic row.")

    def handle(self, *args, scale, seed, clear, **options):
        if clear == (scale is not None):
            raise CommandError("Give either --scale N or --clear.")
        if scale is not None and scale < 0:
            raise CommandError(f"--scale must be 0 or more; got {scale}")
        started = time.monotonic()
        try:
            with progress_bar(desc="Copies", unit="copy") as bar:
                report = (
                    synthesis_clear()
                    if clear
                    else knowledge_base_synthesize(scale=scale, seed=seed, progress=bar)
                )
        except SynthesisError as error:
            raise CommandError(f"Nothing written: {error}") from None
        if not clear and scale > 1:
            self.tidy()
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))

    @staticmethod
    def tidy() -> None:
        """Leave the database as a steady one would be after a bulk write, as autovacuum
        would, in time: fresh planner statistics (stale ones made a keyword-filtered matrix
        take 300 ms instead of 1 ms at scale 1000), and on PostgreSQL no dead rows left by the
        copies replaced (every search read and rechecked them). VACUUM cannot run inside a
        transaction, so within one (a test) only ANALYZE runs.

        Not after removing the copies: statistics of the near-empty tables would then steer
        the next synthesis's trigger queries to plans that slow down as the tables grow
        (scale 1000 took ten minutes instead of two)."""
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
