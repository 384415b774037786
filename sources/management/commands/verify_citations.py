from django.core.management.base import BaseCommand, CommandError

from sources.models import Citation


class Command(BaseCommand):
    help = "Check that every citation's quote stands exactly at its offsets; exit 1 listing each that does not."

    def handle(self, *args, **options):
        total = Citation.objects.count()
        broken = 0
        for citation in (
            Citation.objects.broken().select_related("content_type").iterator(chunk_size=500)
        ):
            broken += 1
            reason = "marked orphaned" if citation.orphaned else f"found “{citation.found[:80]}”"
            self.stdout.write(
                f"citation {citation.pk} ({citation.content_type.app_label}.{citation.content_type.model} "
                f"{citation.object_id}, {citation.role}) at {citation.passage}[{citation.start}:{citation.end}]: "
                f"expected “{citation.exact[:80]}”, {reason}"
            )
        if broken:
            raise CommandError(f"{broken} of {total} citations are broken.")
        self.stdout.write(self.style.SUCCESS(f"All {total} citations are valid."))
