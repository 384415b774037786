"""The editors' workbench at every scale (`manage.py bench_editor`): the benchmark's editor,
signed in, and something in each of the lists the editors' pages show.

The pages of `bench.endpoints.EDITOR_PAGES` are signed-in pages: the runner loads them with
the cookie of a session made here. The orphaned citations (with their stored suggestions)
and the open readers' flags are made on the cells of the last synthesized frameworks, never
on the brief's framework, whose pages other endpoints measure; a knowledge base without
copies (scale 1) has none, and the seeded frameworks but the brief's stand in. Every
function is idempotent: a second run writes nothing, and `synthesize` or `seed`, which
replace or restore those citations, are followed by a run that makes them again.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Iterator
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction

from bench.synthesis import PREFIX
from core.accounts import PASSWORD_VARIABLE
from engagement.models import Cell, Framework
from review.models import Flag, FlagReason
from review.readers import can_decide, can_flag
from review.services import flag_create, open_flag_limit
from review.targets import target_of
from sources.citing_views import may_cite
from sources.models import Citation, StoredSuggestions
from sources.suggestions import fingerprint, suggestions_store

EDITOR = "bench-editor"
READER = "bench-reader"  # readers bench-reader-1, -2, ...
# The brief's framework: its pages are measured signed out, as they are.
BRIEF_FRAMEWORK = "eu-ai-office-uk-aisi"
# A few dozen of each: two pages of the orphaned citations and of the flags' queue.
ORPHANED = 40
FLAGS = 36
FLAGS_PER_READER = 12


@contextlib.contextmanager
def _password_given() -> Iterator[None]:
    """A throwaway password where the account commands read it (nobody signs in with it:
    the runner's session is made here)."""
    before = os.environ.get(PASSWORD_VARIABLE)
    os.environ[PASSWORD_VARIABLE] = secrets.token_urlsafe(32)
    try:
        yield
    finally:
        if before is None:
            del os.environ[PASSWORD_VARIABLE]
        else:
            os.environ[PASSWORD_VARIABLE] = before


def account_ensure(command: str, username: str, name: str, *, allowed) -> object:
    """The account `username`, made by `manage.py <command>` (`create_editor`,
    `create_reader`) if it does not exist; a CommandError if it exists but `allowed(user)`
    says it may not do its work."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        with _password_given():
            call_command(command, username, name=name, stdout=io.StringIO())
        user = User.objects.get(username=username)
    if not allowed(user):
        raise CommandError(f"The account {username!r} exists but may not do the bench's work.")
    return user


def editor_ensure():
    """The benchmark's editor: a staff account in the editors group, as `create_editor`
    makes one."""
    return account_ensure(
        "create_editor",
        EDITOR,
        "Bench Editor",
        allowed=lambda user: may_cite(user) and can_decide(user),
    )


def frameworks_worked_on() -> list[int]:
    """The frameworks whose cells' citations are orphaned and cells flagged (their ids): the
    synthesized ones, the last copy first; without copies, the seeded ones but the brief's."""
    synthetic = Framework.objects.filter(slug__startswith=PREFIX).order_by("-slug")
    seeded = Framework.objects.exclude(slug=BRIEF_FRAMEWORK).order_by("slug")
    return list((synthetic if synthetic.exists() else seeded).values_list("pk", flat=True))


def _cells(framework: int):
    return Cell.objects.filter(framework_id=framework).order_by(
        "activity__ordinal", "level__ordinal"
    )


def orphan_reworded(citations: list[Citation]) -> None:
    """Orphan `citations` as a new version of their text would: each quote as an older
    version worded it, two of its words swapped (its length kept, so the offsets still
    fit). Each quote must have three words or more."""
    for citation in citations:
        words = citation.exact.split(" ")
        words[1], words[2] = words[2], words[1]
        citation.exact = " ".join(words)
        citation.orphaned = True
    Citation.objects.bulk_update(citations, ["exact", "orphaned"], batch_size=500)


def orphans_ensure(count: int = ORPHANED) -> tuple[int, int]:
    """At least `count` orphaned citations (fewer when the frameworks hold fewer), each with
    its suggestions stored: citations of cells whose quote has three words or more, reworded
    as an older version had it (two words swapped, the length kept, so the offsets still
    fit: `bench.editors.repairs_work`), marked orphaned. (Orphaned, stored) this run."""
    cell_type = ContentType.objects.get_for_model(Cell)
    chosen: list[Citation] = []
    for framework in frameworks_worked_on():
        citations = (
            Citation.objects.filter(
                content_type=cell_type, object_id__in=_cells(framework).values("pk")
            )
            .with_passage()
            .order_by("pk")
        )
        chosen += [c for c in citations if len(c.exact.split(" ")) >= 3]
        if len(chosen) >= count:
            break
    chosen = chosen[:count]
    with transaction.atomic():
        fresh = [citation for citation in chosen if not citation.orphaned]
        orphan_reworded(fresh)
        stored = dict(
            StoredSuggestions.objects.filter(citation__in=chosen).values_list(
                "citation_id", "fingerprint"
            )
        )
        missing = [c for c in chosen if stored.get(c.pk) != fingerprint(c)]
        suggestions_store(citations=missing)
    return len(fresh), len(missing)


def readers_ensure(count: int) -> list:
    """`count` readers (`create_reader`) for the flags: a reader may hold only so many open
    ones (`ATLAS_READER_OPEN_FLAGS`)."""
    return [
        account_ensure("create_reader", f"{READER}-{n}", f"Bench Reader {n}", allowed=can_flag)
        for n in range(1, count + 1)
    ]


def flags_ensure(count: int = FLAGS) -> int:
    """`count` open flags of the bench's readers on the cells of `frameworks_worked_on`
    (several on a cell when they hold fewer), every other one proposing a new text. The
    readers' flags are all replaced when they are not exactly those (a new synthesis
    replaced the cells they were on). Flags made."""
    per_reader = min(FLAGS_PER_READER, open_flag_limit())
    readers = readers_ensure(-(-count // per_reader))
    cells: list[Cell] = []
    for framework in frameworks_worked_on():
        cells += list(_cells(framework))
        if len(cells) >= count:
            break
    if not cells:
        return 0
    wanted = [(readers[n // per_reader], cells[n % len(cells)]) for n in range(count)]
    cell_type = ContentType.objects.get_for_model(Cell)
    have = Flag.objects.filter(reader__in=readers)
    current = sorted(have.values_list("reader_id", "content_type_id", "object_id", "status"))
    if current == sorted((r.pk, cell_type.pk, c.pk, "open") for r, c in wanted):
        return 0
    reasons = FlagReason.values
    with transaction.atomic():
        have.delete()
        for n, (reader, cell) in enumerate(wanted):
            proposed = f"{cell.text} (as the source now reads)" if n % 2 and cell.text else ""
            flag_create(
                reader=reader,
                target=target_of(cell),
                reason=reasons[n % len(reasons)],
                note=f"Benchmark flag {n + 1}: the cell no longer reads as its source does.",
                proposed_text=proposed,
            )
    return count


def editor_session(user) -> str:
    """A new signed-in session of `user` (as signing in makes one, with the session engine
    of the settings): its key."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
