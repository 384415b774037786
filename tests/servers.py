"""Real app servers for the tests that need one: gunicorn in the production configuration.

`serving(tmp, **env)` migrates and seeds a database of its own (a SQLite file, or on the
PostgreSQL pass a database next to the test database, dropped afterwards), starts gunicorn
with `config/gunicorn.conf.py`, and yields its port, environment and log. Nothing here
skips: a server that does not start fails the test with its log.

A server is up when its own log says it listens on its port and `/healthz` answers there:
another run's server on the same machine may answer on a port this one could not take
(then this one moves to the next free port). The deadlines are generous, for a loaded
machine; they bound a failure, they are not what a test measures.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.helpers import drop_postgres, recreate_postgres
from tests.tiers import require_marker

PORTS = range(8350, 8400)
# How long a server may take to start, and a request to be answered, on a loaded machine.
START_SECONDS = 180
REQUEST_SECONDS = 120


@dataclass
class Server:
    port: int
    env: dict[str, str]
    log: Path

    def request(self, method: str, path: str, *, body: bytes | None = None, headers=None):
        """(status, headers with lower-case names, body) of one request on a new connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_SECONDS)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def manage(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        return manage({**self.env, **(extra_env or {})}, *args)


def free_port() -> int:
    """A port nothing listens on, from a random start: runs side by side rarely collide."""
    offset = random.randrange(len(PORTS))
    for port in [*PORTS[offset:], *PORTS[:offset]]:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def manage(env: dict[str, str], *args: str) -> str:
    require_marker("server", "runs manage.py in a process of its own")
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


@contextmanager
def server_database(tmp: Path, suffix: str) -> Iterator[str]:
    """A database of the servers' own, on the engine the tests run on; dropped at the end."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / f'{suffix}.sqlite3'}"
        return
    parts = urlsplit(url)
    own = urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/')}_{suffix}"))
    recreate_postgres(own)
    try:
        yield own
    finally:
        drop_postgres(own)


def server_env(tmp: Path, name: str, database_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a production server (DEBUG=0) over `database_url`: this process's,
    without its TLS, gunicorn and Redis settings, then `overrides`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "GUNICORN_", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp / f"{name}-static"),
        # A fresh release per run: nothing cached by an earlier run can be served.
        RELEASE=f"test-{secrets.token_hex(8)}",
        HOST="127.0.0.1",
    )
    env.update(overrides)
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate and seed the servers' database, collect their static files."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed")
    manage(env, "collectstatic", "--noinput", "-v0")


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """gunicorn with `config/gunicorn.conf.py` on `port`, writing to `log`."""
    require_marker("server", "starts gunicorn")
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env={**env, "PORT": str(port)},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


class PortTaken(Exception):
    """Another process took the port between the probe and gunicorn's bind."""


def wait_until_up(process: subprocess.Popen, port: int, log: Path, *, seconds: float) -> None:
    """Until this gunicorn listens on `port` and `/healthz` answers 200 there; the test fails
    with the log if it never does (PortTaken if the port was another's)."""
    server = Server(port=port, env={}, log=log)
    listening = f"Listening at: http://127.0.0.1:{port} "
    deadline = time.monotonic() + seconds
    while True:
        text = log.read_text()
        if process.poll() is not None:
            if "Connection in use" in text:
                raise PortTaken(port)
            pytest.fail(f"gunicorn on {port} exited:\n{text}")
        if listening in text:
            try:
                if server.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
        if time.monotonic() > deadline:
            pytest.fail(f"gunicorn on {port} did not start in {seconds:.0f} s:\n{text}")
        time.sleep(0.2)


def start_on_a_free_port(
    env: dict[str, str], log_of, *, seconds: float = START_SECONDS
) -> tuple[subprocess.Popen, int, Path]:
    """gunicorn started and up on a free port: (process, port, log), `log_of(port)` its log.
    A port taken meanwhile by another process is left for the next free one."""
    for _attempt in range(5):
        port = free_port()
        log = log_of(port)
        process = start(env, port, log)
        try:
            wait_until_up(process, port, log, seconds=seconds)
        except PortTaken:
            stop(process, seconds=10)
            continue
        except BaseException:
            stop(process, seconds=10)
            raise
        return process, port, log
    pytest.fail("no port could be bound in five attempts")


def stop(process: subprocess.Popen, *, seconds: float) -> None:
    """SIGTERM (a graceful shutdown), SIGKILL after `seconds`."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def serving(tmp: Path, name: str, **overrides: str) -> Iterator[Server]:
    """One gunicorn server (DEBUG=0) over a freshly seeded database of its own."""
    with server_database(tmp, name) as database_url:
        defaults = {
            "SECURE_SSL_REDIRECT": "0",
            "CACHE_DIR": str(tmp / f"{name}-cache"),
            "LOG_LEVEL": "WARNING",
        }
        env = server_env(tmp, name, database_url, **{**defaults, **overrides})
        prepare(env)
        process, port, log = start_on_a_free_port(env, lambda port: tmp / f"{name}-{port}.log")
        try:
            yield Server(port=port, env=env, log=log)
        finally:
            stop(process, seconds=40)
