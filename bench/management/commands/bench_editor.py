from django.conf import settings
from django.core.management.base import BaseCommand

from bench.workbench import (
    EDITOR,
    FLAGS,
    ORPHANED,
    editor_ensure,
    editor_session,
    flags_ensure,
    orphans_ensure,
)


class Command(BaseCommand):
    help = (
        f"Make the benchmark's editor ({EDITOR}) if missing, {ORPHANED} orphaned citations with "
        f"their suggestions and {FLAGS} open readers' flags (a second run writes nothing), and "
        "print, last, the cookie of a new signed-in session of the editor (name=key)."
    )

    def handle(self, *args, **options):
        editor = editor_ensure()
        orphaned, stored = orphans_ensure()
        flagged = flags_ensure()
        self.stdout.write(
            f"{EDITOR}: {orphaned} citations orphaned, {stored} suggestions stored, "
            f"{flagged} flags made"
        )
        self.stdout.write(f"{settings.SESSION_COOKIE_NAME}={editor_session(editor)}")
