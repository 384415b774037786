"""Create an editor: a staff account in the "editors" group.

The password is read from the environment variable ATLAS_EDITOR_PASSWORD, or asked for
twice at the terminal; it never appears on the command line (`core.accounts`).
"""

from __future__ import annotations

from atlas.editors import EDITORS_GROUP, editors_group_sync
from core.accounts import PASSWORD_VARIABLE, AccountCommand


class Command(AccountCommand):
    help = (
        "Create a staff account in the editors group. The password comes from "
        f"{PASSWORD_VARIABLE} or a prompt."
    )
    kind = "editor"
    group_name = EDITORS_GROUP
    staff = True
    group_sync = staticmethod(editors_group_sync)
