from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from atlas.seeding import SeedError, knowledge_base_seed


class Command(BaseCommand):
    help = "Load (or reload, idempotently) the seeded knowledge base from fixtures/."

    def handle(self, *args, **options):
        try:
            report = knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)
        except SeedError as error:
            raise CommandError(f"Seed refused, nothing written: {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        verdict = (
            "Seeded knowledge base loaded."
            if report.changed
            else "Seeded knowledge base already up to date."
        )
        self.stdout.write(self.style.SUCCESS(verdict))
