"""Two editors accept the same flag at the same moment, and a reader sends flags at once
past the limit: each settles as if one came after the other (committed for real, one
thread and connection each, as two app servers would)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from engagement.models import Cell
from review.models import Flag, FlagStatus
from review.services import FlagConflict, flag_accept, flag_create

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def patiently(call):
    """`call()`, tried again while the database is locked by another thread's transaction.
    The test database of SQLite lives in memory, shared between the threads, where a writer
    meeting another's lock fails at once (a file database, as served, waits for it)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return call()
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def at_once(*calls) -> list:
    """Run each call in its own thread (and database connection), all released together;
    their results or exceptions, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = patiently(call)
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def cell(kb, reseed) -> Cell:
    return Cell.objects.get(
        framework__slug="eu-ai-office-us-aisi",
        activity__slug="develop-evaluations",
        level__slug="collaboration",
    )


def test_of_two_editors_accepting_one_flag_one_wins(reader, flag_editor, cell, monkeypatch):
    from tests.conftest import account_create

    other_editor = account_create("create_editor", "dora", "Dora Editor", monkeypatch)
    flag = flag_create(
        reader=reader,
        target=f"/api/v1/cells/{cell.pk}/",
        reason="wrong",
        note="n",
        proposed_text="Concurrent text.",
    )
    outcomes = at_once(
        lambda: flag_accept(flag=flag, editor=flag_editor),
        lambda: flag_accept(flag=flag, editor=other_editor),
    )
    won = [o for o in outcomes if isinstance(o, Flag)]
    lost = [o for o in outcomes if isinstance(o, FlagConflict)]
    assert (len(won), len(lost)) == (1, 1), outcomes
    assert "accepted already" in str(lost[0])
    settled = Flag.objects.get(pk=flag.pk)
    assert settled.status == FlagStatus.ACCEPTED and settled.decided_by == won[0].decided_by
    # The text was written once: one history record of the flag's change.
    assert cell.history.filter(history_change_reason__startswith=f"flag {flag.pk} ").count() == 1


@override_settings(ATLAS_READER_OPEN_FLAGS=2)
def test_flags_sent_at_once_never_pass_the_limit(reader, cell):
    target = f"/api/v1/cells/{cell.pk}/"
    outcomes = at_once(
        *[lambda: flag_create(reader=reader, target=target, reason="wrong", note="n")] * 4
    )
    assert sum(isinstance(o, Flag) for o in outcomes) == 2, outcomes
    assert Flag.objects.open().filter(reader=reader).count() == 2
