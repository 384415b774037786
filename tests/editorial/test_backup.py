"""`backup` and `restore` round-trip the knowledge base and its history between SQLite and
PostgreSQL. Both directions run in each CI pass; PostgreSQL must be reachable (the test
fails, never skips, when it is not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from atlas.releases import release_create
from core.dataset import dataset_version
from engagement.models import Cell
from review.services import flag_create, flag_decline
from tests import servers
from tests.helpers import drop_postgres, postgres_admin, recreate_postgres

pytestmark = pytest.mark.server

# The PostgreSQL database the restore goes to when the suite runs on SQLite; on
# PostgreSQL, the suite's own database name with "_restore" appended, on the same server.
RESTORE_DEFAULT = "postgres://postgres@127.0.0.1:5432/atlas_editorial_restore"


def postgres_restore_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(configured)
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_restore"))
    return os.environ.get("ATLAS_RESTORE_DATABASE_URL", RESTORE_DEFAULT)


def manage(url: str, *args: str) -> str:
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    return servers.manage({**env, "DATABASE_URL": url}, *args)


def content(path: Path) -> list[dict]:
    """A backup's objects, but the dataset version (restore moves it on, by design)."""
    return [e for e in entries(path) if e["model"] != "core.datasetversion"]


def entries(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def recorded_version(path: Path) -> int:
    """The dataset version a backup records: the last its source served."""
    (row,) = [e for e in entries(path) if e["model"] == "core.datasetversion"]
    return row["fields"]["version"]


def test_backup_restores_identically_into_the_other_database_and_back(kb, tmp_path):
    # Some history with an author, so the backup carries users and their edits.
    editor = User.objects.create_user("backup-editor", password="a-long-passphrase-here")
    cell = Cell.objects.exclude(kind="empty").order_by("pk").first()
    cell.text += " (edited before the backup)"
    cell._history_user = editor
    cell.save()
    # A release, with its data package, goes with the backup.
    release = release_create(tag="backup-1", title="Before the backup")
    # So does a reader's flag, settled by the editor.
    reader = User.objects.create_user("backup-reader", password="a-long-passphrase-here")
    flag = flag_create(reader=reader, target=f"/api/v1/cells/{cell.pk}/", reason="wrong", note="n")
    flag_decline(flag=flag, editor=editor, reason="It stands.")

    first = tmp_path / "0-source.json"
    call_command("backup", str(first), stdout=open(os.devnull, "w"))  # noqa: SIM115
    original = content(first)
    models = {entry["model"] for entry in entries(first)}
    assert {"sources.historicalcitation", "engagement.historicalcell", "auth.user"} <= models
    assert {"core.datasetversion", "core.release", "core.releasepackage"} <= models
    assert "review.flag" in models
    assert recorded_version(first) == dataset_version().version >= release.version
    edited = next(
        e
        for e in original
        if e["model"] == "engagement.historicalcell"
        and e["fields"]["history_user"] == ["backup-editor"]
    )
    assert edited["fields"]["text"] == cell.text

    postgres = postgres_restore_url()
    sqlite = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    try:
        # From the suite's database to the other kind, then back to the first kind.
        targets = [postgres, sqlite] if connection.vendor == "sqlite" else [sqlite, postgres]
        source = first
        for step, url in enumerate(targets, start=1):
            if url.startswith("postgres"):
                recreate_postgres(url)
            manage(url, "migrate", "--no-input", "-v0")
            manage(url, "restore", str(source))
            assert "are valid" in manage(url, "verify_citations")
            copy = tmp_path / f"{step}-restored.json"
            manage(url, "backup", str(copy))
            assert content(copy) == original, (
                f"restore into {urlsplit(url).scheme} changed the data"
            )
            # A fresh database never serves a version number its source had served.
            assert recorded_version(copy) > recorded_version(source)
            source = copy

        # Restoring over existing data is refused without --replace, and exact with it.
        url = targets[-1]
        env = {**os.environ, "DATABASE_URL": url}
        refused = subprocess.run(
            [sys.executable, "manage.py", "restore", str(first)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 1
        assert "already holds" in refused.stderr
        manage(url, "restore", "--replace", str(first))
        manage(url, "backup", str(tmp_path / "replaced.json"))
        assert content(tmp_path / "replaced.json") == original
    finally:
        drop_postgres(postgres)  # each run its own, none left behind


def test_postgresql_for_the_restore_test_is_reachable():
    """Fails loudly (not a skip) when the restore target cannot be reached."""
    postgres_admin(postgres_restore_url())
