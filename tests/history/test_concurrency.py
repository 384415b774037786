"""Concurrent writers and a client polling the changes API: the client misses nothing and
sees nothing twice, and each transaction's writes share one version.

The writers are processes committing for real, as app servers do, against a database of
the suite's kind made for the test (a file for SQLite, `<suite database>_changes` for
PostgreSQL); tests/history/concurrent_changes.py runs them and the client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers import drop_postgres, recreate_postgres

pytestmark = pytest.mark.server

WRITERS = 4
ROUNDS = 12


def database_url(tmp_path) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if connection.vendor == "postgresql":
        parts = urlsplit(configured)
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_changes"))
    return f"sqlite:///{tmp_path / 'changes.sqlite3'}"


def run(url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "testserver",
        "API_THROTTLE_ANON": "1000000/hour",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(args)}: {result.stderr[-3000:]}"
    return result.stdout


def test_a_polling_client_misses_nothing_and_sees_nothing_twice(tmp_path):
    url = database_url(tmp_path)
    if url.startswith("postgres"):
        recreate_postgres(url)
    try:
        run(url, "manage.py", "migrate", "--no-input", "-v0")
        run(url, "manage.py", "seed")
        report = json.loads(
            run(url, "-m", "tests.history.concurrent_changes", str(WRITERS), str(ROUNDS))
        )
    finally:
        if url.startswith("postgres"):
            drop_postgres(url)
    seen = [tuple(change[:5]) for change in report["seen"]]
    expected = [tuple(change) for change in report["expected"]]

    # Each writer round: a cell changed and a relationship created, every other one
    # deleted again (with no citation to take along).
    assert len(expected) == WRITERS * ROUNDS * 2 + WRITERS * (ROUNDS // 2)
    # The client read while the writers wrote: some changes in one poll, more in a later.
    assert report["polls_with_changes"] >= 2, report["polls"]
    # Nothing twice, nothing missed.
    assert len(set(seen)) == len(seen)
    assert Counter(seen) == Counter(expected)
    # In the order of the versions.
    assert [change[0] for change in seen] == sorted(change[0] for change in seen)
    # One transaction, one version: each version holds one writer's round, whole: one
    # cell rewritten, one relationship made (and perhaps deleted again).
    by_version = defaultdict(list)
    for version, kind, key, action, *_ in seen:
        by_version[version].append((kind, key, action))
    assert len(by_version) == WRITERS * ROUNDS
    for version, changes in by_version.items():
        kinds = Counter(kind for kind, _, _ in changes)
        assert kinds["cell"] == 1, (version, changes)
        assert len({key for kind, key, _ in changes if kind == "relationship"}) == 1, changes
