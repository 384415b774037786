"""Two gunicorn app servers over one database and one Redis, in the production configuration.

PostgreSQL pass (DATABASE_URL is postgres://): the servers share a database of their own
next to the test database, created, migrated and seeded here and dropped at the end.
SQLite pass: they share one SQLite file. Both share the Redis at ATLAS_TEST_REDIS_URL.
If PostgreSQL or Redis cannot be reached the tests fail: they never skip.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.servers import (
    REQUEST_SECONDS,
    manage,
    prepare,
    server_database,
    server_env,
    start_on_a_free_port,
    stop,
)

pytestmark = pytest.mark.server

REDIS_URL = os.environ.get("ATLAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
FRAMEWORK = "/frameworks/eu-ai-office-uk-aisi/"
HTTPS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


def fetch(port: int, path: str, headers: dict[str, str] | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_SECONDS)
    try:
        connection.request("GET", path, headers=headers if headers is not None else HTTPS)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Starts two app servers; yields their ports, environment and log files; always stops them."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {error}")
    tmp = tmp_path_factory.mktemp("cluster")
    with server_database(tmp, "servers") as database_url:
        env = server_env(
            tmp,
            "cluster",
            database_url,
            REDIS_URL=REDIS_URL,
            WEB_CONCURRENCY="1",
            GUNICORN_THREADS="2",
            # Low enough to reach in a test; the count is kept in the shared Redis. Per hour,
            # not per minute: however slow the machine, no request leaves the window while
            # the module runs.
            API_THROTTLE_ANON="30/hour",
            # Counters and cached responses of this run only.
            CACHE_KEY_PREFIX=f"atlas-test-{secrets.token_hex(8)}",
        )
        prepare(env)
        processes, ports, logs = [], [], []
        try:
            for _server in range(2):
                process, port, log = start_on_a_free_port(
                    env, lambda port: tmp / f"server-{port}.log"
                )
                processes.append(process)
                ports.append(port)
                logs.append(log)
            yield {"ports": ports, "env": env, "logs": logs}
        finally:
            for process in processes:
                stop(process, seconds=10)


def _heading(body: bytes) -> str:
    return re.search(r"<h1>(.*?)</h1>", body.decode()).group(1)


def test_a_write_is_served_by_the_other_server_on_the_next_request(cluster):
    a, b = cluster["ports"]
    status, headers, body = fetch(a, FRAMEWORK)
    assert status == 200
    assert headers["x-cache"] == "miss"
    original = _heading(body)
    # B serves the page A stored: the cache is shared, not per process.
    status, headers, body = fetch(b, FRAMEWORK)
    assert (status, headers["x-cache"], _heading(body)) == (200, "hit", original)

    renamed = f"Renamed {secrets.token_hex(4)}"
    manage(
        cluster["env"],
        "shell",
        "-c",
        "from engagement.models import Framework; "
        f"Framework.objects.filter(slug='eu-ai-office-uk-aisi').update(name={renamed!r})",
    )
    status, headers, body = fetch(b, FRAMEWORK)
    assert (status, headers["x-cache"], _heading(body)) == (200, "miss", renamed)
    status, headers, body = fetch(a, FRAMEWORK)
    assert (status, headers["x-cache"], _heading(body)) == (200, "hit", renamed)


def test_an_edit_to_one_framework_leaves_the_others_pages_cached_on_every_server(cluster):
    a, b = cluster["ports"]
    article = "/frameworks/eu-ai-office-us-aisi/?level=collaboration"
    brief = "/frameworks/eu-ai-office-uk-aisi/?level=communication"
    for path in (article, brief):
        assert fetch(a, path)[1]["x-cache"] == "miss"
        assert fetch(b, path)[1]["x-cache"] == "hit"
    text = f"Share incident reports {secrets.token_hex(4)}"
    manage(
        cluster["env"],
        "shell",
        "-c",
        "from engagement.models import Cell; "
        "Cell.objects.filter(framework__slug='eu-ai-office-uk-aisi', "
        f"activity__slug='incident-reporting', level__slug='communication').update(text={text!r})",
    )
    status, headers, _ = fetch(b, article)
    assert (status, headers["x-cache"]) == (200, "hit")
    status, headers, body = fetch(b, brief)
    assert (status, headers["x-cache"]) == (200, "miss")
    assert text in body.decode()
    assert fetch(a, brief)[1]["x-cache"] == "hit"


def test_concurrent_misses_on_both_servers_build_the_page_once(cluster):
    """Requests for a page nobody has cached, on both servers at once: one builds it, the
    others wait for it in the shared cache."""
    ports = cluster["ports"]
    path = f"/levels/collaboration/?q={secrets.token_hex(6)}"
    start = threading.Barrier(8)

    def get(number):
        start.wait()
        status, headers, body = fetch(ports[number % 2], path)
        return status, headers.get("x-cache"), body

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(get, range(8)))
    assert sorted(state for _, state, _ in results) == ["hit"] * 7 + ["miss"]
    assert len({(status, body) for status, _, body in results}) == 1


def _csp(headers) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split("; ")
    }


def _assert_security_headers(headers) -> None:
    csp = _csp(headers)
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == csp["base-uri"] == csp["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    hsts = dict(
        item.strip().partition("=")[::2] for item in headers["strict-transport-security"].split(";")
    )
    assert int(hsts["max-age"]) >= 31_536_000
    assert "includeSubDomains" in hsts


def test_a_page_carries_the_security_headers(cluster):
    status, headers, _ = fetch(cluster["ports"][0], "/")
    assert status == 200
    _assert_security_headers(headers)
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=evaluations",
        "/api/v1/search/?q=evaluations",
        "/frameworks/",
        "/frameworks/eu-ai-office-uk-aisi/?level=collaboration",
        "/documents/synergies-eu-ai-office-uk-aisi-2025/",
        "/institutions/eu-ai-office/",
        "/levels/collaboration/",
        "/api/v1/cells/?framework=eu-ai-office-uk-aisi&level=coordination",
        "/api/v1/institutions/eu-ai-office/",
        "/api/v1/docs/",
    ],
)
def test_pages_and_api_carry_the_headers_and_are_shared(cluster, path):
    a, b = cluster["ports"]
    status, headers, body = fetch(a, path)
    assert status == 200
    _assert_security_headers(headers)
    assert headers["cross-origin-opener-policy"] == "same-origin"
    status, headers, cached = fetch(b, path)
    _assert_security_headers(headers)
    if path.startswith("/api/v1/docs/"):
        assert "x-cache" not in headers  # it carries a CSRF token: never shared
    else:
        assert (status, headers["x-cache"], cached) == (200, "hit", body)


def test_static_files_are_hashed_compressed_and_carry_the_headers(cluster):
    port = cluster["ports"][1]
    page = fetch(port, "/")[2].decode()
    href = re.search(r'href="(/static/css/atlas\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, _ = fetch(port, href, {**HTTPS, "Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "immutable" in headers["cache-control"]
    _assert_security_headers(headers)


def test_plain_http_is_redirected_except_the_probes(cluster):
    port = cluster["ports"][0]
    status, headers, _ = fetch(port, "/", {"Host": "127.0.0.1"})
    assert (status, headers["location"]) == (301, "https://127.0.0.1/")
    status, _, body = fetch(port, "/readyz", {"Host": "127.0.0.1"})
    assert (status, json.loads(body)) == (
        200,
        {"status": "ready", "checks": {"database": "ok", "cache": "ok"}},
    )


def test_a_missing_page_is_friendly_and_leaks_nothing(cluster):
    status, headers, body = fetch(cluster["ports"][0], "/documents/no-such-document/")
    assert status == 404
    html = body.decode()
    assert "<h1>Page not found</h1>" in html
    assert "Traceback" not in html and "DEBUG" not in html and "urlpatterns" not in html
    _assert_security_headers(headers)


def test_requests_are_logged_as_json_lines(cluster):
    port = cluster["ports"][0]
    fetch(port, "/healthz", {"X-Request-ID": "two-servers-log"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = [
            json.loads(line)
            for line in cluster["logs"][0].read_text().splitlines()
            if line.startswith("{") and "two-servers-log" in line
        ]
        if lines:
            break
        time.sleep(0.1)
    (line,) = lines
    assert (line["logger"], line["method"], line["path"], line["status"]) == (
        "atlas.request",
        "GET",
        "/healthz",
        200,
    )


def test_the_rate_limit_is_shared_by_both_servers(cluster):
    """30 anonymous API requests an hour from one address, counted in Redis across servers.

    Each request asks for a different page, so none is answered from the response cache
    (a cached answer costs one query and is not counted).
    """
    a, b = cluster["ports"]
    statuses = []
    for number in range(32):
        port = a if number % 2 else b
        status, _, _ = fetch(port, f"/api/v1/cells/?q=probe{number}")
        statuses.append(status)
    # Other tests of this module made anonymous API reads in the same hour too.
    assert 429 in statuses
    first = statuses.index(429)
    assert statuses[first:] == [429] * (len(statuses) - first)
    assert 0 < first <= 30
    assert {
        statuses[first],
        fetch(a, "/api/v1/cells/?q=probeagain")[0],
        fetch(b, "/api/v1/cells/?q=probeagain")[0],
    } == {429}
