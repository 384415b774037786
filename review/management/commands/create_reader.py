"""Create a reader: an account in the "readers" group, which may flag claims and change
nothing else.

The password is read from the environment variable ATLAS_EDITOR_PASSWORD, as
`create_editor` reads it, or asked for twice at the terminal (`core.accounts`).
"""

from __future__ import annotations

from core.accounts import PASSWORD_VARIABLE, AccountCommand
from review.readers import READERS_GROUP, readers_group_sync


class Command(AccountCommand):
    help = (
        "Create an account in the readers group (may flag claims, edits nothing). The "
        f"password comes from {PASSWORD_VARIABLE} or a prompt."
    )
    kind = "reader"
    group_name = READERS_GROUP
    staff = False
    group_sync = staticmethod(readers_group_sync)
