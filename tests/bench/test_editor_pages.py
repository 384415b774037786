"""The editors' pages in the benchmark: `manage.py bench_editor` makes the editor, the
orphaned citations and the flags once, and its session signs in to every page of
`EDITOR_PAGES`; the runner loads them with its cookie and reports them as the index pages."""

from __future__ import annotations

import argparse
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from bench import run
from bench.endpoints import EDITOR_PAGES, ENDPOINTS, INDEX_PAGES
from bench.largedoc import BENCH_SLUG, large_document_ingest
from bench.synthesis import knowledge_base_synthesize
from bench.workbench import BRIEF_FRAMEWORK, EDITOR, FLAGS, ORPHANED, READER
from engagement.models import Cell
from review.models import Flag, FlagStatus
from sources.models import Citation, Document, Passage, StoredSuggestions
from tests.bench.fakes import FakeServer, fake_wrk

pytestmark = pytest.mark.usefixtures("kb")


def bench_editor() -> tuple[str, str]:
    """`manage.py bench_editor`: (its summary, the cookie it prints last)."""
    out = io.StringIO()
    call_command("bench_editor", stdout=out)
    *said, cookie = out.getvalue().strip().splitlines()
    return "\n".join(said), cookie


def signed_in(client, cookie: str):
    name, _, key = cookie.partition("=")
    client.cookies[name] = key
    return client


def state() -> dict:
    orphaned = Citation.objects.filter(orphaned=True)
    return {
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "orphaned": sorted(orphaned.values_list("pk", "exact")),
        "suggestions": sorted(
            StoredSuggestions.objects.values_list("citation_id", "fingerprint", "computed_at")
        ),
        "flags": sorted(Flag.objects.values_list("pk", "status", "object_id")),
    }


def brief_cells():
    return Cell.objects.filter(framework__slug=BRIEF_FRAMEWORK).values("pk")


def test_a_second_run_writes_nothing_and_each_session_signs_in(client):
    _, cookie = bench_editor()
    first = state()
    assert EDITOR in first["users"] and f"{READER}-1" in first["users"]
    # Scale 1: no synthesized framework; the seeded one beside the brief's holds fewer
    # quotable citations than ORPHANED, every one orphaned, with its suggestions.
    assert 0 < len(first["orphaned"]) <= ORPHANED
    assert {pk for pk, *_ in first["suggestions"]} == {pk for pk, _ in first["orphaned"]}
    assert Flag.objects.filter(status=FlagStatus.OPEN).count() == FLAGS
    cell = ContentType.objects.get_for_model(Cell)
    assert not Citation.objects.filter(
        orphaned=True, content_type=cell, object_id__in=brief_cells()
    ).exists()
    assert not Flag.objects.filter(content_type=cell, object_id__in=brief_cells()).exists()

    again, second_cookie = bench_editor()
    assert again == f"{EDITOR}: 0 citations orphaned, 0 suggestions stored, 0 flags made"
    assert state() == first
    assert second_cookie != cookie
    for key in (cookie, second_cookie):
        response = signed_in(client, key).get(EDITOR_PAGES["repairs"])
        assert response.status_code == 200
        assert f"{len(first['orphaned'])} orphaned citation" in response.content.decode()
    assert f"{FLAGS} open flags" in client.get(EDITOR_PAGES["flags"]).content.decode()


def test_the_synthesized_frameworks_are_worked_on_not_the_briefs():
    knowledge_base_synthesize(scale=2)
    bench_editor()
    orphaned = Citation.objects.filter(orphaned=True)
    assert orphaned.count() == ORPHANED
    cells = Cell.objects.filter(pk__in=orphaned.values("object_id"))
    assert all(c.framework.slug.startswith("synth-") for c in cells.select_related("framework"))
    flagged = Cell.objects.filter(pk__in=Flag.objects.values("object_id"))
    assert all(c.framework.slug.startswith("synth-") for c in flagged.select_related("framework"))


@pytest.fixture(scope="module")
def bench_act(django_db_setup, django_db_blocker):
    """The benchmark's large act (`manage.py bench_document`), which the cite, version and
    drafting pages name, for this module's tests."""
    with django_db_blocker.unblock():
        document = large_document_ingest()
    yield document
    with django_db_blocker.unblock():
        Citation.objects.filter(passage__document__slug=BENCH_SLUG).delete()
        Passage.objects.filter(document__slug=BENCH_SLUG).update(table_header=None)
        Passage.objects.filter(document__slug=BENCH_SLUG).delete()
        Document.objects.filter(slug=BENCH_SLUG).delete()


# A generated act of thousands of passages: `make test` only.
@pytest.mark.slow
def test_every_editors_page_answers_the_session(client, bench_act):
    _, cookie = bench_editor()
    for name, path in EDITOR_PAGES.items():
        assert client.get(path).status_code in (302, 403), name  # signed out
    signed_in(client, cookie)
    for name, path in EDITOR_PAGES.items():
        assert client.get(path).status_code == 200, name


# --- the runner's pieces, on fake runs --------------------------------------------------


def fake_run(endpoint: str, rps: float, *, scale: int = 200, status: int = 200) -> run.Run:
    path = (ENDPOINTS | INDEX_PAGES | EDITOR_PAGES)[endpoint]
    result = run.Run("sqlite", scale, "uncached", endpoint, path, status=status, rps=rps)
    result.signed_in = endpoint in EDITOR_PAGES
    result.queries, result.bytes, result.p95_ms = 7, 30_000, 12.5
    return result


def test_the_editors_pages_are_named_apart_from_every_other_page():
    assert not set(EDITOR_PAGES) & (set(ENDPOINTS) | set(INDEX_PAGES))


def test_the_held_pages_are_the_index_pages_and_the_editors_signed_in():
    args = argparse.Namespace(index_pages=True, editor_pages=True)
    held = run.held_pages(args)
    assert {name for name, (_, signed) in held.items() if signed} == set(EDITOR_PAGES)
    assert {name for name, (_, signed) in held.items() if not signed} == set(INDEX_PAGES)
    args.editor_pages = False
    assert set(run.held_pages(args)) == set(INDEX_PAGES)


def test_a_signed_in_page_is_loaded_with_the_cookie(monkeypatch):
    commands, cookies = [], []
    monkeypatch.setattr(run.subprocess, "run", fake_wrk(commands))
    monkeypatch.setattr(run, "status_of", lambda url, cookie=None: cookies.append(cookie) or 200)
    args = argparse.Namespace(wrk="wrk", threads=1, connections=1, seconds=1)
    for cookie in ("__Host-sessionid=abc", None):
        result = fake_run("repairs", 0.0)
        run.load(FakeServer(), result, args, cookie)
        assert result.status == 200 and result.rps == 10.0
    signed, plain = commands
    assert signed[signed.index("-H") + 1] == "Cookie: __Host-sessionid=abc"
    assert signed[-2:] == ["--", "signed-in"]
    assert "-H" not in plain and "--" not in plain
    assert cookies == ["__Host-sessionid=abc"] * 2 + [None] * 2  # the warm-up, a worker twice


def test_the_report_holds_the_editors_pages_as_the_index_pages(monkeypatch, capsys):
    runs = [
        fake_run("matrix", 100.0),
        fake_run("documents", 80.0),
        fake_run("repairs", 60.0),
        fake_run("flags", 40.0),  # 2.5 x the matrix page's time
        fake_run("upload", 90.0, status=302),  # the session lost: sent to sign in
        fake_run("cite", 70.0, scale=1),  # no verdict under x200
    ]
    monkeypatch.setattr(
        run, "machine", lambda: {"nproc": 2, "python": "3", "sqlite": "3", "wrk": "wrk"}
    )
    args = argparse.Namespace(
        workers=2,
        threads=2,
        connections=16,
        seconds=1,
        index_pages=True,
        editor_pages=True,
        json=None,
    )
    run._report(args, runs, [], [], [])
    out = capsys.readouterr().out
    index, editors = out.split("Pages that list many things")[1].split("Editors' pages")
    assert "| documents |" in index and "| repairs |" not in index
    rows = {line.split("|")[3].strip(): line for line in editors.splitlines() if "| sqlite" in line}
    assert set(rows) == {"repairs", "flags", "upload", "cite"}
    # status, kB, queries, req/s, p95 ms, time x matrix
    cells = [cell.strip() for cell in rows["flags"].split("|")[4:10]]
    assert cells == ["200", "30", "7", "40", "12.5", "2.50"]
    lines = out.splitlines()
    met = "MET: repairs signed in sqlite x200: 30 kB (< 400), 1.67 x the matrix page's time"
    assert any(line.startswith(met) for line in lines)
    assert any(line.startswith("NOT MET: flags signed in sqlite x200") for line in lines)
    assert any(line.startswith("NOT MET: upload signed in sqlite x200") for line in lines)
    assert not any(line.startswith(("MET: cite", "NOT MET: cite")) for line in lines)
    assert any(line.startswith("MET: documents sqlite x200") for line in lines)
