"""Serving under load and under races: a real gunicorn, in the production configuration.

- Workers recycled every 50 requests (`GUNICORN_MAX_REQUESTS`) drop no connection: wrk
  counts no socket error (config/gunicorn_worker.py).
- Editors creating the same object at the same instant get one 201 and JSON 400s or 409s
  naming the field, never a 500.
- A cached page is no way around authentication: a wrong token is a 401 either way.
- Static files carry X-Frame-Options like every other response.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time

import pytest

from tests.servers import REQUEST_SECONDS, serving

pytestmark = pytest.mark.server

WRK_SECONDS = 3
# wrk runs again until both workers were recycled under it; a loaded machine serves fewer
# requests a run, so takes more runs, never a weaker check.
WRK_DEADLINE_SECONDS = 180


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(
        tmp_path_factory.mktemp("serving"),
        "serving",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="2",
        GUNICORN_MAX_REQUESTS="50",
        GUNICORN_LOG_LEVEL="info",
        API_THROTTLE_ANON="1000000/hour",
        API_THROTTLE_USER="1000000/hour",
    ) as server:
        yield server


@pytest.fixture(scope="module")
def token(server) -> str:
    server.manage(
        "create_editor",
        "racer",
        "--email",
        "racer@example.org",
        extra_env={"ATLAS_EDITOR_PASSWORD": "a-long-racing-passphrase"},
    )
    output = server.manage("drf_create_token", "racer")
    return re.search(r"Generated token (\w+) for user racer", output).group(1)


def restarts(server) -> int:
    return server.log.read_text().count("Autorestarting worker")


@pytest.mark.wrk
@pytest.mark.parametrize("path", ["/healthz", "/frameworks/eu-ai-office-uk-aisi/"])
def test_recycling_workers_under_wrk_drops_no_connection(server, path):
    wrk = shutil.which("wrk")
    if wrk is None:
        pytest.fail("wrk is missing: `make test` installs it (apt)")
    before = restarts(server)
    deadline = time.monotonic() + WRK_DEADLINE_SECONDS
    requests = 0
    # The workers are recycled while wrk runs: every 50 requests, each of the two. Nothing
    # else sends this server requests meanwhile.
    while restarts(server) - before < 2:
        assert time.monotonic() < deadline, f"{requests} requests, workers not recycled"
        result = subprocess.run(
            [
                wrk,
                "-t2",
                "-c16",
                f"-d{WRK_SECONDS}s",
                "--timeout",
                "30s",
                f"http://127.0.0.1:{server.port}{path}",
            ],
            capture_output=True,
            text=True,
            timeout=WRK_SECONDS + 120,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        requests += int(re.search(r"(\d+) requests in", output).group(1))
        # wrk prints these lines only when there is something to count.
        assert "Socket errors" not in output, output
        assert "Non-2xx" not in output, output
    assert requests >= 100  # two recycles: fifty requests each at least


def race(server, token: str, path: str, body: dict, runners: int = 8) -> list[tuple[int, dict]]:
    """`runners` threads POST the same body at the same instant."""
    barrier = threading.Barrier(runners)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def run():
        barrier.wait()
        status, headers, content = server.request(
            "POST",
            path,
            body=json.dumps(body).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        assert headers["content-type"] == "application/json", content[:300]
        with lock:
            answers.append((status, json.loads(content)))

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_SECONDS + 60)
    assert len(answers) == runners, answers
    return answers


def assert_one_created(answers, field: str) -> None:
    statuses = sorted(status for status, _ in answers)
    assert statuses.count(201) == 1, answers
    assert set(statuses) <= {201, 400, 409}, answers
    for status, body in answers:
        if status != 201:
            assert field in body["errors"], body


def test_simultaneous_duplicate_creates_are_one_201_and_400s_or_409s(server, token):
    assert_one_created(
        race(
            server,
            token,
            "/api/v1/institutions/",
            {"slug": "race-institute", "name": "Race", "kind": "unit", "jurisdiction": "EU"},
        ),
        "slug",
    )
    assert_one_created(
        race(
            server,
            token,
            "/api/v1/activities/",
            {"slug": "race-activity", "name": "Race", "ordinal": 99},
        ),
        "slug",
    )
    # The same cell position, on the activity just made.
    assert_one_created(
        race(
            server,
            token,
            "/api/v1/cells/",
            {
                "framework": "eu-ai-office-uk-aisi",
                "activity": "race-activity",
                "level": "coordination",
                "kind": "analyst",
                "text": "Raced.",
            },
        ),
        "non_field_errors",
    )


def test_a_cached_read_with_a_wrong_token_is_a_401_like_an_uncached_one(server):
    path = "/api/v1/levels/"
    assert server.request("GET", path)[0] == 200
    status, headers, _ = server.request("GET", path)
    assert (status, headers["x-cache"]) == (200, "hit")
    status, _, content = server.request("GET", path, headers={"Authorization": "Token wrong"})
    assert status == 401
    assert json.loads(content) == {"detail": "Invalid token."}


def test_static_files_carry_x_frame_options(server):
    page = server.request("GET", "/")[2].decode()
    href = re.search(r'href="(/static/css/atlas\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, _ = server.request("GET", href)
    assert status == 200
    assert headers["x-frame-options"] == "DENY"


# In process, on the test database.


@pytest.mark.usefixtures("kb", "response_cache")
def test_credentials_bypass_the_response_cache(client):
    url = "/api/v1/cells/?level=coordination"
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    wrong = client.get(url, HTTP_AUTHORIZATION="Token not-a-token")
    assert wrong.status_code == 401
    assert "X-Cache" not in wrong
