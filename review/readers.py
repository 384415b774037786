"""The "readers" group: accounts that may flag claims (and see their own flags), and change
nothing else. Built by the data migration that creates it and by `create_reader`."""

from __future__ import annotations

from django.apps import apps as django_apps

from core.accounts import group_sync

READERS_GROUP = "readers"
READER_CODENAMES = {"review": ["add_flag", "view_flag"]}
# Flagging, and settling flags: the permissions the pages and the API ask for.
FLAG_PERMISSION = "review.add_flag"
DECIDE_PERMISSION = "review.change_flag"


def readers_group_sync(*, apps=django_apps, using: str = "default"):
    """Create the readers group if needed and give it exactly the flag permissions."""
    return group_sync(READERS_GROUP, READER_CODENAMES, apps=apps, using=using)


def can_decide(user) -> bool:
    return user.is_authenticated and user.has_perm(DECIDE_PERMISSION)


def can_flag(user) -> bool:
    return user.is_authenticated and user.has_perm(FLAG_PERMISSION)


def public_name(user, *, fallback: str) -> str:
    """How a reader or editor is named where the public reads it (a change's reason): the
    name on their account, never their username or e-mail address."""
    return user.get_full_name().strip() or fallback
