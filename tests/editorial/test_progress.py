"""Long commands show progress on a terminal, and write nothing more when not on one."""

from __future__ import annotations

import io
import json
import sys
from contextlib import contextmanager

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from bench.synthesis import PREFIX
from core.progress import interactive, progress_bar
from engagement.models import Framework

pytestmark = pytest.mark.usefixtures("kb")


class Terminal(io.StringIO):
    """stderr as a terminal: what a person running the command sees."""

    def isatty(self) -> bool:
        return True


@contextmanager
def stderr_as(stream):
    """The command's stderr for the duration (set in the test itself: pytest's capture
    puts its own back between a fixture and the test)."""
    saved = sys.stderr
    sys.stderr = stream
    try:
        yield stream
    finally:
        sys.stderr = saved


@pytest.fixture(autouse=True)
def _progress_on(monkeypatch):
    monkeypatch.delenv("ATLAS_PROGRESS", raising=False)


def test_a_bar_is_drawn_only_on_a_terminal(monkeypatch):
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        with progress_bar(desc="Rows", total=3, stream=stream) as bar:
            bar.update(3)
    assert "Rows: 100%" in terminal.getvalue()
    assert log.getvalue() == ""
    monkeypatch.setenv("ATLAS_PROGRESS", "0")
    assert not interactive(terminal)


def test_verify_citations_shows_its_progress_on_a_terminal():
    out = io.StringIO()
    with stderr_as(Terminal()) as terminal:
        call_command("verify_citations", stdout=out)
    assert "Citations: 100%" in terminal.getvalue()
    assert "citation/s" in terminal.getvalue()
    # What the command reports is unchanged, on stdout.
    assert out.getvalue().startswith("All ") and "citations are valid." in out.getvalue()


def test_verify_citations_in_a_log_writes_no_bar():
    # A CI log, a pipe, a file: not a terminal.
    with stderr_as(io.StringIO()) as log:
        call_command("verify_citations", stdout=io.StringIO())
    assert log.getvalue() == ""


def test_synthesize_counts_its_copies():
    with stderr_as(Terminal()) as terminal:
        call_command("synthesize", "--scale", "3", stdout=io.StringIO())
    assert "Copies: 100%" in terminal.getvalue()
    assert "2/2" in terminal.getvalue()
    assert Framework.objects.filter(slug__startswith=PREFIX).count() == 4


def test_ingest_counts_the_passages(tmp_path):
    source = tmp_path / "note.md"
    source.write_text("# Note\n\nOne paragraph.\n\nAnother paragraph.\n", encoding="utf-8")
    with stderr_as(Terminal()) as terminal:
        call_command(
            "ingest",
            str(source),
            "--slug",
            "a-note",
            "--title",
            "A note",
            "--kind",
            "report",
            stdout=io.StringIO(),
        )
    assert "Passages: 100%" in terminal.getvalue()
    assert "3/3" in terminal.getvalue()


@pytest.fixture
def content_types_forgotten():
    """Restoring with --replace recreates the content types; once the test's transaction
    is rolled back, the ids this process cached are wrong: forget them."""
    yield
    ContentType.objects.clear_cache()


def test_backup_and_restore_show_their_progress(tmp_path, content_types_forgotten):
    backup = tmp_path / "atlas.json"
    # dumpdata draws the serializer's progress when its own stdout is a terminal too.
    with stderr_as(Terminal()) as terminal:
        call_command("backup", str(backup), stdout=Terminal())
    assert "Backing up: 100%" in terminal.getvalue()
    rows = len(json.loads(backup.read_text(encoding="utf-8")))
    with stderr_as(Terminal()) as terminal:
        call_command("restore", str(backup), "--replace", stdout=io.StringIO())
    assert f"{rows}/{rows}" in terminal.getvalue()
    assert "Restoring: 100%" in terminal.getvalue()
