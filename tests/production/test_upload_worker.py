"""A background upload whose worker is killed mid-task (SIGKILL), as production runs it: a
`db_worker` process over a database of its own. Nothing of the document is written, and
the job, left `running`, is shown failed once it has made no progress for
`ATLAS_UPLOAD_STALE_SECONDS`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.servers import manage, server_database, server_env

pytestmark = pytest.mark.server

# Long enough that the worker is still writing it when killed: thousands of passages.
TEXT = "# A long plan\n\n" + "".join(
    f"Paragraph {n} of the plan, long enough to be a passage.\n\n" for n in range(20000)
)

ENQUEUE = """
from django.contrib.auth.models import User
from sources.uploads import upload_create, upload_start
owner = User.objects.create_user("ada")
upload = upload_create(owner=owner, filename="long.md", data=open({path!r}, "rb").read(),
    slug="long-plan", update=False, metadata={{"title": "A long plan", "kind": "report"}})
upload_start(upload)
print(upload.pk)
"""

STATE = """
import json
from sources.models import Document, Passage, Upload
from sources.uploads import upload_state
upload = Upload.objects.get(pk={pk!r})
print(json.dumps({{"state": upload_state(upload), "stored": upload.status,
    "documents": Document.objects.filter(slug="long-plan").count(),
    "passages": Passage.objects.filter(document__slug="long-plan").count()}}))
"""


def state(env: dict[str, str], pk: str) -> dict:
    return json.loads(manage(env, "shell", "-c", STATE.format(pk=pk)).strip().splitlines()[-1])


def test_a_worker_killed_mid_task_writes_nothing_and_its_job_is_shown_failed(tmp_path):
    with server_database(tmp_path, "worker") as database_url:
        env = server_env(tmp_path, "worker", database_url, ATLAS_UPLOAD_INLINE_BYTES="0")
        manage(env, "migrate", "--noinput", "-v0")
        path = tmp_path / "long.md"
        path.write_text(TEXT, encoding="utf-8")
        pk = manage(env, "shell", "-c", ENQUEUE.format(path=str(path))).strip().splitlines()[-1]
        assert state(env, pk)["state"]["status"] == "queued"

        log = tmp_path / "worker.log"
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval=0.1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # Killed once the document is being written (progress 50: checked and planned).
            deadline = time.monotonic() + 120
            while (now := state(env, pk))["state"]["progress"] < 50:
                assert worker.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"the task never started:\n{log.read_text()}"
                time.sleep(0.2)
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        assert now["stored"] == "running", "the task finished before the worker was killed"

        after = state(env, pk)
        assert (after["documents"], after["passages"]) == (0, 0)
        assert after["state"]["status"] == "running"  # nothing tells it yet

        time.sleep(2)
        stale = state({**env, "ATLAS_UPLOAD_STALE_SECONDS": "1"}, pk)
        assert stale["state"]["status"] == "failed"
        assert "worker stopped" in stale["state"]["error"]["message"]
        assert (stale["documents"], stale["passages"]) == (0, 0)
