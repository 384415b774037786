"""The benchmark: serve the app with gunicorn, load it with wrk, print its tables.

    python -m bench.run [--scale 1 --scale 200 --scale 1000] [--seconds 10] [--database-url URL]
                        [--endpoints matrix,api-cells] [--cache both|cached|uncached]
                        [--port 8400] [--redis-url URL] [--no-index-pages]
                        [--no-editor-pages] [--no-datasette] [--no-hit-rate]

For each scale: the database is migrated, seeded and synthesized to that scale (unless
--no-setup), SQL queries per endpoint are counted (bench/queries.py), then for each cache
mode gunicorn serves the app (2 workers, DEBUG=0, a throwaway SECRET_KEY, ATLAS_BENCH=1 for
the trivial yardstick view) and wrk loads each endpoint for --seconds with 16 connections.
"uncached" runs the server with RESPONSE_CACHE=0, the switch the page cache honours; "cached"
leaves the cache on and repeats identical requests on an unchanged dataset version.
At every scale the pages that list many things (bench.endpoints.INDEX_PAGES) are loaded
uncached too, and their size recorded; so are the editors' pages (EDITOR_PAGES), signed in
with the cookie of a session `manage.py bench_editor` makes. On SQLite, Datasette
(installed by `make bench` in its own virtual environment, .venv/datasette) serves the same
file beside one gunicorn worker, and the pairs of DATASETTE_PAIRS are loaded side by side.
At the largest scale, with the response cache on, a set of pages is read, one cell of the
brief's framework edited, and the pages read again: how many of them are still served from
the cache. Then one request for every cell as CSV measures a worker's memory while it
streams (--memory-scale, 100k cells by default). Without --database-url each scale has its
own SQLite file under bench/out/. Ports: --port and the next four.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.endpoints import (
    DATASETTE_PAIRS,
    DEEP_SECTION,
    EDITOR_PAGES,
    ENDPOINTS,
    EXPORT_ALL_CELLS,
    INDEX_PAGES,
    READER,
    TRIVIAL,
    select,
)
from bench.largedoc import BENCH_SLUG

# `--database-url sqlite`: a SQLite file per scale under bench/out/.
SQLITE = "sqlite"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LUA = ROOT / "bench" / "report.lua"
BIN = Path(sys.executable).parent
DATASETTE = ROOT / ".venv" / "datasette" / "bin" / "datasette"

# Targets from the issues; the summary says which are met.
CACHED_RATIO, UNCACHED_RATIO, P99_MS = 0.5, 0.2, 50.0
SCALE_KEEP, SEARCH_P95_MS, EXPORT_RSS_MB = 0.8, 100.0, 150.0
TARGETED = ("matrix", "api-cells", "reader-section")
# The reader of a large act: every page under this size, uncached no slower than the matrix.
READER_PAGE_BYTES = 400_000
# Index pages: under this size, and at most this many times the matrix page's time.
INDEX_MAX_BYTES, INDEX_TIME_RATIO = 400_000, 2.0
# Of the cached pages of the other frameworks and documents, served from cache after an edit.
HIT_RATE = 0.95


@dataclass
class Run:
    database: str
    scale: int
    cache: str
    endpoint: str
    path: str
    status: int | str = 0
    rps: float = 0.0
    ratio: float | None = None
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    peak_rss_mb: list[float] = field(default_factory=list)
    queries: int | None = None
    bytes: int | None = None  # the response's size (a redirect's own, not its target's)
    signed_in: bool = False  # loaded with the editor's session cookie
    # wrk's connections for this run (None: --connections): a search's latency is also
    # measured with one connection a worker, its service time rather than the queue's.
    connections: int | None = None


@dataclass
class MemoryCheck:
    database: str
    scale: int
    path: str
    status: int | str = 0
    rows: int = 0
    bytes: int = 0
    seconds: float = 0.0
    first_byte_s: float = 0.0
    peak_rss_mb: float = 0.0


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def manage(env: dict, *args: str) -> None:
    # Their output goes to stderr: stdout is the table alone.
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=sys.stderr
    )


def database_for(args: argparse.Namespace, scale: int) -> str:
    if args.database_url:
        return args.database_url
    OUT.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{OUT / f'scale-{scale}.sqlite3'}"


def vendor(url: str) -> str:
    return "postgresql" if url.startswith("postgres") else "sqlite"


def base_env(database_url: str, redis_url: str | None = None) -> dict:
    env = dict(os.environ)
    if redis_url:
        # The shared cache of a deployment of several servers; this run's keys only.
        env.update(REDIS_URL=redis_url, CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(6)}")
    else:
        env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        # Throwaway: this run only, never written anywhere.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        ATLAS_BENCH="1",
        # Plain http on 127.0.0.1: no TLS to redirect to (as `make serve`).
        SECURE_SSL_REDIRECT="0",
        # The load generator is one client; the API's per-client limit would answer 429.
        API_THROTTLE_ANON="1000000/second",
        API_THROTTLE_USER="1000000/second",
    )
    return env


def prepare(env: dict, scale: int, seed: int) -> str:
    """Set the database up at `scale`; the editor's session cookie (`editor_cookie`)."""
    log(f"migrate, seed and synthesize --scale {scale} on {env['DATABASE_URL']}")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed")
    started = time.monotonic()
    manage(env, "synthesize", "--scale", str(scale), "--seed", str(seed))
    log(f"synthesized in {time.monotonic() - started:.1f} s")
    manage(env, "bench_document")
    cookie = editor_cookie(env)
    manage(env, "collectstatic", "--noinput", "-v0")
    return cookie


def editor_cookie(env: dict) -> str:
    """`manage.py bench_editor` (idempotent): the benchmark's editor and what the editors'
    pages list; the cookie of a new signed-in session of the editor, "name=key". The
    session is signed with `env`'s SECRET_KEY: only servers of the same `env` accept it."""
    out = subprocess.run(
        [str(BIN / "python"), "manage.py", "bench_editor"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    *said, cookie = out.stdout.strip().splitlines()
    for line in said:
        log(line)
    return cookie


def count_queries(
    env: dict, endpoints: dict[str, str], *, index_pages: bool, editor_pages: bool = False
) -> dict[str, dict]:
    extra = ["--index-pages"] if index_pages else []
    extra += ["--editor-pages"] if editor_pages else []
    out = subprocess.run(
        [str(BIN / "python"), "-m", "bench.queries", "--endpoints", ",".join(endpoints), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"bench.queries failed:\n{out.stderr}")
    # The last line: the request log (JSON lines on stdout in production) comes before it.
    return json.loads(out.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn on 127.0.0.1:port; its workers' memory is read from /proc."""

    probe = "/bench/trivial/"

    def __init__(self, env: dict, port: int, workers: int):
        self.port, self.workers = port, workers
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            # The request log (a JSON line per request) is still written, as in production,
            # but not into the benchmark's own output.
            stdout=subprocess.DEVNULL,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with status {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url(self.probe), timeout=2).read()
                if len(self.worker_pids()) == self.workers:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # not up yet, or a worker still starting on a busy machine
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer in time")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return sorted(int(child) for child in children)

    def reset_peaks(self) -> None:
        # Writing 5 to clear_refs resets the peak resident set size (VmHWM), Linux 4.0+.
        for pid in self.worker_pids():
            Path(f"/proc/{pid}/clear_refs").write_text("5")

    def memory(self, field_name: str = "VmHWM") -> list[float]:
        """Each worker's peak (VmHWM) or current (VmRSS) resident memory, in MB."""
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(rf"^{field_name}:\s+(\d+) kB", status, re.MULTILINE)
            sizes.append(round(int(match.group(1)) / 1024, 1) if match else 0.0)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class DatasetteServer(Server):
    """Datasette (one process, its defaults) serving a SQLite file on 127.0.0.1:port."""

    def __init__(self, path: Path, port: int):
        self.port, self.workers = port, 1
        self.probe = "/-/versions.json"
        self.process = subprocess.Popen(
            [str(DATASETTE), "serve", str(path), "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def worker_pids(self) -> list[int]:
        return [self.process.pid]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it is (an HTTPError), not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


# A signed-in page that redirects (to sign in) says so, instead of the sign-in page's 200.
_signed_in_open = urllib.request.build_opener(_NoRedirect).open


def status_of(url: str, cookie: str | None = None) -> int | str:
    """The status of a GET of `url`; with `cookie` ("name=value"), sent with it, and a
    redirect not followed."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = _signed_in_open if cookie else urllib.request.urlopen
    try:
        with opener(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return type(error).__name__


def load(server: Server, run: Run, args: argparse.Namespace, cookie: str | None = None) -> None:
    """Load `run.path` with wrk; with `cookie` ("name=value", for a signed-in page), every
    request sends it and only a 2xx counts as an answer (`report.lua`)."""
    url = server.url(run.path)
    # Warm up: every worker answers a few times (and fills its cache, when one is on).
    for _ in range(2 * server.workers):
        run.status = status_of(url, cookie)
    server.reset_peaks()
    signed_in = ["-H", f"Cookie: {cookie}"] if cookie else []
    command = [
        args.wrk,
        f"-t{args.threads}",
        f"-c{run.connections or args.connections}",
        f"-d{args.seconds}s",
        "--timeout",
        "10s",
        *signed_in,
        "-s",
        str(LUA),
        url,
        *(["--", "signed-in"] if cookie else []),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    run.requests = values["requests"]
    run.rps = round(values["requests"] / (values["duration_us"] / 1e6), 1)
    run.p50_ms = values["p50_us"] / 1000
    run.p95_ms = values["p95_us"] / 1000
    run.p99_ms = values["p99_us"] / 1000
    run.errors = values["non2xx"] + values["socket_errors"]
    run.peak_rss_mb = server.memory()


def memory_check(server: Server, check: MemoryCheck) -> None:
    """One request for a big export, read as it streams; the serving worker's peak RSS."""
    server.reset_peaks()
    peaks: list[float] = []
    streaming = threading.Event()
    streaming.set()

    def sample() -> None:
        while streaming.is_set():
            peaks.append(max(server.memory("VmRSS"), default=0.0))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        with urllib.request.urlopen(server.url(check.path), timeout=600) as response:
            check.status = response.status
            first = response.read(65536)
            check.first_byte_s = round(time.monotonic() - started, 2)
            check.bytes, check.rows = len(first), first.count(b"\n")
            while chunk := response.read(65536):
                check.bytes += len(chunk)
                check.rows += chunk.count(b"\n")
    except urllib.error.HTTPError as error:
        check.status = error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        check.status = type(error).__name__
    check.seconds = round(time.monotonic() - started, 2)
    streaming.clear()
    sampler.join()
    check.rows = max(check.rows - 1, 0)  # the header line
    check.peak_rss_mb = max([*server.memory("VmHWM"), *peaks], default=0.0)


def serve(env: dict, args: argparse.Namespace, port: int) -> Server:
    server = Server(env, port, args.workers)
    try:
        server.wait()
    except BaseException:
        server.stop()  # never leave a server holding the port behind
        raise
    return server


def held_pages(args: argparse.Namespace) -> dict[str, tuple[str, bool]]:
    """The pages held to the matrix page's uncached time (`_held_verdicts`): the index pages
    and the editors' pages, as asked; each (its path, whether it is loaded signed in)."""
    pages = {name: (path, False) for name, path in INDEX_PAGES.items() if args.index_pages}
    pages |= {name: (path, True) for name, path in EDITOR_PAGES.items() if args.editor_pages}
    return pages


def bench_scale(args, scale: int, endpoints: dict[str, str], runs: list[Run]) -> None:
    database_url = database_for(args, scale)
    env = base_env(database_url, args.redis_url)
    if not args.no_setup:
        cookie = prepare(env, scale, args.seed)
    else:
        # The session is signed with this run's SECRET_KEY: made anew even without setup.
        cookie = editor_cookie(env) if args.editor_pages else None
    held = held_pages(args)
    queries = count_queries(
        env, endpoints, index_pages=args.index_pages, editor_pages=args.editor_pages
    )
    modes = ["cached", "uncached"] if args.cache == "both" else [args.cache]
    for mode in modes:
        env_mode = env | {"RESPONSE_CACHE": "1" if mode == "cached" else "0"}
        loaded = {name: (path, False) for name, path in endpoints.items()}
        if mode == "uncached" and held:
            # Every held page beside the matrix page, whose time it is held to.
            loaded |= {"matrix": (ENDPOINTS["matrix"], False)} | held
        server = serve(env_mode, args, args.port)
        try:
            trivial_rps = None
            for name, (path, signed_in) in loaded.items():
                run = Run(vendor(database_url), scale, mode, name, path, signed_in=signed_in)
                run.queries = queries[name]["queries"]
                run.bytes = queries[name].get("bytes")
                log(f"{run.database} x{scale} {mode} {name}")
                load(server, run, args, cookie if signed_in else None)
                if name == TRIVIAL:
                    trivial_rps = run.rps
                run.ratio = round(run.rps / trivial_rps, 3) if trivial_rps else None
                runs.append(run)
                if mode == "uncached" and name.startswith("search"):
                    runs.append(_latency(server, run, args))
        finally:
            server.stop()


def _latency(server: Server, loaded: Run, args: argparse.Namespace) -> Run:
    """`loaded` again with one connection a worker: its p95 is the search's own time under
    load, where with --connections (16 on 2 workers) it is mostly the wait behind 7 others."""
    run = Run(
        loaded.database,
        loaded.scale,
        loaded.cache,
        f"{loaded.endpoint} ({args.workers} conn.)",
        loaded.path,
        connections=args.workers,
        queries=loaded.queries,
        bytes=loaded.bytes,
    )
    log(f"{run.database} x{run.scale} {run.cache} {run.endpoint}")
    load(server, run, args)
    run.ratio = None
    return run


def datasette_ids(path: Path) -> dict[str, object]:
    """What the Datasette URLs name by id: the brief's framework, the coordination level,
    the brief's document and its passages in the reader, the large act and the passages of
    its deep section, read from the SQLite file."""
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:

        def one(sql: str, *params) -> object:
            return connection.execute(sql, params).fetchone()[0]

        document = one(
            "SELECT id FROM sources_document WHERE slug = ?", "synergies-eu-ai-office-uk-aisi-2025"
        )
        act = one("SELECT id FROM sources_document WHERE slug = ?", BENCH_SLUG)
        return {
            "act": act,
            "section": DEEP_SECTION,
            "section_passages": one(
                "SELECT count(*) FROM sources_passage WHERE document_id = ? AND page = ? "
                "AND NOT retired",
                act,
                DEEP_SECTION,
            ),
            "db": path.stem,
            "framework": one(
                "SELECT id FROM engagement_framework WHERE slug = ?", "eu-ai-office-uk-aisi"
            ),
            "level": one(
                "SELECT id FROM engagement_engagementlevel WHERE slug = ?", "coordination"
            ),
            "document": document,
            "passages": one(
                "SELECT count(*) FROM sources_passage WHERE document_id = ? AND NOT retired",
                document,
            ),
        }


def bench_datasette(args, scale: int, runs: list[Run]) -> None:
    """One gunicorn worker and one Datasette process, uncached, on the same SQLite file: each
    pair of DATASETTE_PAIRS under the same load, and the trivial view for the ratios."""
    database_url = database_for(args, scale)
    path = Path(database_url.removeprefix("sqlite:///"))
    ids = datasette_ids(path)
    env = base_env(database_url, args.redis_url) | {"RESPONSE_CACHE": "0"}
    ours = Server(env, args.port + 2, 1)
    datasette = DatasetteServer(path, args.port + 3)
    try:
        ours.wait()
        datasette.wait(timeout=60)
        trivial = Run("sqlite", scale, "1 worker", "ours:trivial", ENDPOINTS[TRIVIAL])
        log(f"sqlite x{scale} side by side: trivial")
        load(ours, trivial, args)
        runs.append(trivial)
        for name, (our_path, their_path) in DATASETTE_PAIRS.items():
            for label, server, url in (
                (f"ours:{name}", ours, our_path),
                (f"datasette:{name}", datasette, their_path.format(**ids)),
            ):
                run = Run("sqlite", scale, "1 worker", label, url)
                log(f"sqlite x{scale} side by side: {label}")
                load(server, run, args)
                run.ratio = round(run.rps / trivial.rps, 3) if trivial.rps else None
                runs.append(run)
    finally:
        ours.stop()
        datasette.stop()


@dataclass
class HitRate:
    database: str
    scale: int
    edited: str
    pages: int = 0
    hits_before: int = 0
    others: int = 0
    others_hit: int = 0
    own: int = 0
    own_hit: int = 0
    shared: int = 0
    shared_hit: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.others_hit / self.others if self.others else 0.0


def _cache_state(url: str) -> tuple[int | str, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status, response.headers.get("X-Cache", "")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return type(error).__name__, ""


def hit_rate_pages(env: dict, count: int) -> dict[str, list[str]]:
    """The pages read: of the brief's framework and document ("own"), of `count` other
    frameworks and their documents ("others"), and pages of every framework ("shared")."""
    code = (
        "import json\n"
        "from engagement.models import Cell, Framework\n"
        "frameworks = Framework.objects.select_related('document').order_by('ordinal', 'name')\n"
        "out = []\n"
        f"for f in frameworks[:{count + 1}]:\n"
        "    cells = Cell.objects.filter(framework=f).select_related('activity', 'level')"
        ".order_by('activity__ordinal', 'level__ordinal')[:2]\n"
        "    out.append([f.slug, f.document.slug, [c.get_absolute_url() for c in cells]])\n"
        "print(json.dumps(out))\n"
    )
    out = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    pages: dict[str, list[str]] = {"own": [], "others": [], "shared": []}
    for framework, document, cells in found:
        group = "own" if framework == "eu-ai-office-uk-aisi" else "others"
        base = f"/frameworks/{framework}/"
        pages[group] += [
            base,
            f"{base}?level=coordination",
            f"{base}?view=levels",
            *cells,
            f"/documents/{document}/",
        ]
    pages["shared"] = ["/", *INDEX_PAGES.values(), "/levels/", "/search/?q=incident+registry"]
    return pages


def bench_hit_rate(args, scale: int) -> HitRate:
    """With the response cache on: read the pages until cached, edit one cell of the brief's
    framework, read them again; how many are still served from the cache."""
    database_url = database_for(args, scale)
    env = base_env(database_url, args.redis_url) | {"RESPONSE_CACHE": "1"}
    result = HitRate(vendor(database_url), scale, "one cell of eu-ai-office-uk-aisi")
    pages = hit_rate_pages(env, args.hit_rate_frameworks)
    everything = [path for group in pages.values() for path in group]
    server = serve(env, args, args.port + 4)
    edit = (
        "from engagement.models import Cell\n"
        "cell = Cell.objects.get(framework__slug='eu-ai-office-uk-aisi', "
        "activity__slug='incident-reporting', level__slug='communication')\n"
        "Cell.objects.filter(pk=cell.pk).update(emphasised=not cell.emphasised)\n"
    )
    edited = False
    try:
        log(f"x{scale} cache after one edit: reading {len(everything)} pages")
        for path in everything:
            _cache_state(server.url(path))
        states = {path: _cache_state(server.url(path)) for path in everything}
        result.pages = len(everything)
        result.hits_before = sum(state == "hit" for _, state in states.values())
        result.errors = [
            f"{path} {status}" for path, (status, _) in states.items() if status != 200
        ]
        manage(env, "shell", "-c", edit)
        edited = True
        after = {path: _cache_state(server.url(path))[1] for path in everything}
        for group in ("own", "others", "shared"):
            setattr(result, group, len(pages[group]))
            setattr(result, f"{group}_hit", sum(after[path] == "hit" for path in pages[group]))
    finally:
        if edited:
            manage(env, "shell", "-c", edit)  # and back
        server.stop()
    return result


def bench_memory(args, checks: list[MemoryCheck]) -> None:
    database_url = database_for(args, args.memory_scale)
    env = base_env(database_url, args.redis_url) | {"RESPONSE_CACHE": "0"}
    if not args.no_setup:
        prepare(env, args.memory_scale, args.seed)
    server = serve(env, args, args.port + 1)
    try:
        check = MemoryCheck(vendor(database_url), args.memory_scale, args.export_url)
        log(f"memory check: {check.path} at x{args.memory_scale}")
        memory_check(server, check)
        checks.append(check)
    finally:
        server.stop()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database `url` names when it does not exist yet."""
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(server)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                log(f"creating the database {name}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def bench_editors(args, scale: int) -> list[dict]:
    """The editors' work at two sizes, in process (`bench.editors`), on this database."""
    database_url = database_for(args, scale)
    env = base_env(database_url) | {"RESPONSE_CACHE": "0"}
    log(f"{vendor(database_url)} the editors' work at size")
    out = subprocess.run(
        [str(BIN / "python"), "-m", "bench.editors", "--fraction", str(args.editors_fraction)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    if out.returncode:
        raise SystemExit("bench.editors failed (its error is above)")
    works = json.loads(out.stdout.strip().splitlines()[-1])["works"]
    return [work | {"database": vendor(database_url)} for work in works]


def editors_table(works: list[dict]) -> str:
    head = ("db", "work", "size", "seconds", "peak MB (traced)", "what")
    rows = [
        (
            w["database"],
            w["name"],
            w["size"],
            "" if w["seconds"] is None else f"{w['seconds']:.2f}",
            "" if w["peak_mb"] is None else f"{w['peak_mb']:.1f}",
            w["note"],
        )
        for w in works
    ]
    return markdown_table(head, rows)


def editors_verdicts(works: list[dict]) -> list[str]:
    """Per database, each piece of work: linear growth (`bench.editors.growth`)."""
    from bench.editors import Work, growth

    out = []
    for database in dict.fromkeys(w["database"] for w in works):
        mine = [Work(**{k: v for k, v in w.items() if k != "database"}) for w in works]
        mine = [m for m, w in zip(mine, works, strict=True) if w["database"] == database]
        out += [f"{line} ({database})" for line in growth(mine)]
    return out


def markdown_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    rows = [head, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def held_table(runs: list[Run], pages: Collection[str]) -> str:
    """Each of `pages` (index pages, editors' pages) at each scale: its size, queries and
    uncached time against the matrix page's, measured by the same server in the same run."""
    matrix = {
        (r.database, r.scale): r for r in runs if r.cache == "uncached" and r.endpoint == "matrix"
    }
    rows = []
    for r in runs:
        if r.cache != "uncached" or r.endpoint not in pages:
            continue
        base = matrix.get((r.database, r.scale))
        times = f"{base.rps / r.rps:.2f}" if base and r.rps else ""
        rows.append(
            (
                r.database,
                str(r.scale),
                r.endpoint,
                str(r.status),
                f"{(r.bytes or 0) / 1000:.0f}",
                str(r.queries),
                f"{r.rps:.0f}",
                f"{r.p95_ms:.1f}",
                times,
            )
        )
    head = ("db", "scale", "page", "status", "kB", "queries", "req/s", "p95 ms", "time x matrix")
    return markdown_table(head, rows)


def datasette_table(runs: list[Run]) -> str:
    """Each pair side by side: our endpoint and Datasette's, one process each."""
    by = {(r.scale, r.endpoint): r for r in runs if r.cache == "1 worker"}
    rows = []
    for scale in sorted({r.scale for r in runs if r.cache == "1 worker"}):
        for name in DATASETTE_PAIRS:
            ours, theirs = by.get((scale, f"ours:{name}")), by.get((scale, f"datasette:{name}"))
            if ours is None or theirs is None:
                continue
            rows.append(
                (
                    str(scale),
                    name,
                    f"{ours.rps:.0f}",
                    f"{theirs.rps:.0f}",
                    f"{ours.rps / theirs.rps:.2f}" if theirs.rps else "",
                    "" if ours.ratio is None else f"{ours.ratio:.3f}",
                    f"{ours.p95_ms:.1f} / {theirs.p95_ms:.1f}",
                    f"{ours.errors} / {theirs.errors} ({ours.status} / {theirs.status})",
                )
            )
    head = (
        "scale",
        "endpoint",
        "ours req/s",
        "Datasette req/s",
        "x Datasette",
        "ours x trivial",
        "p95 ms ours / Datasette",
        "errors (status)",
    )
    return markdown_table(head, rows)


def table(runs: list[Run]) -> str:
    head = (
        "db",
        "scale",
        "cache",
        "endpoint",
        "status",
        "req/s",
        "x trivial",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "peak RSS MB/worker",
        "queries",
        "KB",
    )
    rows = []
    for r in runs:
        if r.cache == "1 worker":
            continue  # the side-by-side table shows them
        rows.append(
            (
                r.database,
                str(r.scale),
                r.cache,
                r.endpoint,
                str(r.status),
                f"{r.rps:.0f}",
                "" if r.ratio is None else f"{r.ratio:.2f}",
                f"{r.p50_ms:.1f}",
                f"{r.p95_ms:.1f}",
                f"{r.p99_ms:.1f}",
                str(r.errors),
                " / ".join(f"{m:.0f}" for m in r.peak_rss_mb),
                str(r.queries),
                "" if r.bytes is None else f"{r.bytes / 1000:.0f}",
            )
        )
    return markdown_table(head, rows)


def verdicts(
    runs: list[Run], checks: list[MemoryCheck], hit_rates: list[HitRate] | None = None
) -> list[str]:
    """Each target, and whether this run meets it (or what is missing to tell)."""
    by = {(r.database, r.scale, r.cache, r.endpoint): r for r in runs}
    return [
        *_throughput_verdicts(runs),
        *_scale_verdicts(runs, by),
        *_search_verdicts(runs),
        *_reader_verdicts(runs, by),
        *_against_matrix_verdicts(runs, by),
        *_memory_verdicts(checks),
        *_held_verdicts(runs, by),
        *_datasette_verdicts(runs),
        *_hit_rate_verdicts(hit_rates or []),
        _errors_verdict(runs),
    ]


RunsByKey = dict[tuple[str, int, str, str], Run]  # (database, scale, cache, endpoint)


def _ok(flag: bool) -> str:
    return "MET" if flag else "NOT MET"


def _throughput_verdicts(runs: list[Run]) -> list[str]:
    """The targeted pages' throughput against the trivial page's, and their p99."""
    out = []
    for r in runs:
        if r.endpoint in TARGETED and r.cache != "1 worker":
            need = CACHED_RATIO if r.cache == "cached" else UNCACHED_RATIO
            met = r.ratio is not None and r.ratio >= need and r.p99_ms < P99_MS and not r.errors
            out.append(
                f"{_ok(met)}: {r.endpoint} {r.database} x{r.scale} {r.cache}: status {r.status}, "
                f"{r.ratio} x trivial (>= {need}), p99 {r.p99_ms:.1f} ms (< {P99_MS:.0f})"
            )
    return out


def _scale_verdicts(runs: list[Run], by: RunsByKey) -> list[str]:
    """The same queries at the smallest and the largest scale, and the throughput kept."""
    scales = sorted({r.scale for r in runs})
    if len(scales) < 2:
        return ["NOT CHECKED: queries at two scales (give two --scale values)"]
    out = []
    small, large = scales[0], scales[-1]
    for r in runs:
        base = by.get((r.database, small, r.cache, r.endpoint))
        if r.scale != large or base is None:
            continue
        if r.queries != base.queries:
            out.append(
                f"NOT MET: {r.endpoint} {r.database} {r.cache}: {base.queries} queries at x{small}, "
                f"{r.queries} at x{large}"
            )
        if r.endpoint in TARGETED and r.database == "postgresql":
            kept = r.rps / base.rps if base.rps else 0.0
            served = r.status == base.status == 200 and not (r.errors or base.errors)
            out.append(
                f"{_ok(served and kept >= SCALE_KEEP)}: {r.endpoint} postgresql {r.cache}: "
                f"status {r.status}, x{large} keeps "
                f"{kept:.2f} of the x{small} throughput (>= {SCALE_KEEP})"
            )
    if not any(line.startswith("NOT MET") and "queries at" in line for line in out):
        out.append(f"MET: the same number of SQL queries at x{small} and x{large}, everywhere")
    return out


def _search_verdicts(runs: list[Run]) -> list[str]:
    """Search on PostgreSQL at the largest scale, uncached, every kind of query: its p95
    with one connection a worker (its own time under load); with --connections, the p95
    is told too, as the wait in the queue it mostly is."""
    largest = max((r.scale for r in runs), default=None)
    out = []
    for r in runs:
        if not (
            r.endpoint.startswith("search")
            and r.scale == largest
            and r.database == "postgresql"
            and r.cache == "uncached"
        ):
            continue
        line = (
            f"{r.endpoint} postgresql x{r.scale} {r.cache}: status {r.status}, "
            f"p95 {r.p95_ms:.1f} ms"
        )
        if r.connections is None:
            out.append(f"NOTE: {line} with every connection of the run (mostly the queue)")
            continue
        out.append(
            f"{_ok(r.status == 200 and r.p95_ms < SEARCH_P95_MS and not r.errors)}: {line} "
            f"(< {SEARCH_P95_MS:.0f})"
        )
    return out


def _reader_verdicts(runs: list[Run], by: RunsByKey) -> list[str]:
    """The reader's pages: their size (their time: `_against_matrix_verdicts`)."""
    out = []
    for r in runs:
        if r.endpoint not in READER:
            continue
        if r.bytes is not None and r.endpoint != "reader-permalink":
            out.append(
                f"{_ok(r.bytes < READER_PAGE_BYTES)}: {r.endpoint} {r.database} x{r.scale} "
                f"{r.cache}: {r.bytes / 1000:.0f} KB (< {READER_PAGE_BYTES / 1000:.0f})"
            )
    return out


def _against_matrix_verdicts(runs: list[Run], by: RunsByKey) -> list[str]:
    """The search and the reader's pages, uncached at x200 and over: at most
    INDEX_TIME_RATIO times the matrix page's time, as the index pages."""
    out = []
    for r in runs:
        held = r.endpoint.startswith("search") or r.endpoint in ("reader-front", "reader-section")
        if not held or r.cache != "uncached" or r.scale < 200:
            continue
        matrix = by.get((r.database, r.scale, "uncached", "matrix"))
        if matrix is None:
            continue
        times = matrix.rps / r.rps if r.rps else float("inf")
        met = r.status == 200 and not r.errors and times <= INDEX_TIME_RATIO
        out.append(
            f"{_ok(met)}: {r.endpoint} {r.database} x{r.scale} uncached: {times:.2f} x the "
            f"matrix page's time (<= {INDEX_TIME_RATIO}); {r.rps:.0f} req/s against "
            f"{matrix.rps:.0f}"
        )
    return out


def _memory_verdicts(checks: list[MemoryCheck]) -> list[str]:
    """The streaming export: its rows, and the worker's peak memory."""
    return [
        f"{_ok(c.status == 200 and c.rows >= 100_000 and c.peak_rss_mb < EXPORT_RSS_MB)}: "
        f"streaming {c.path} {c.database} x{c.scale}: status {c.status}, {c.rows} rows, "
        f"{c.bytes / 1e6:.1f} MB in {c.seconds} s, worker peak RSS {c.peak_rss_mb:.0f} MB "
        f"(< {EXPORT_RSS_MB:.0f}, 100k rows)"
        for c in checks
    ]


def _held_verdicts(runs: list[Run], by: RunsByKey) -> list[str]:
    """The pages that list many things and the editors' pages (signed in), at x200 and
    over: their size and time."""
    out = []
    for r in runs:
        held = r.endpoint in INDEX_PAGES or r.endpoint in EDITOR_PAGES
        if r.cache != "uncached" or not held or r.scale < 200:
            continue
        base = by.get((r.database, r.scale, "uncached", "matrix"))
        times = base.rps / r.rps if base and r.rps else float("inf")
        met = r.status == 200 and (r.bytes or 0) < INDEX_MAX_BYTES and times <= INDEX_TIME_RATIO
        signed_in = " signed in" if r.signed_in else ""
        out.append(
            f"{_ok(met)}: {r.endpoint}{signed_in} {r.database} x{r.scale}: "
            f"{(r.bytes or 0) / 1000:.0f} kB "
            f"(< {INDEX_MAX_BYTES // 1000}), {times:.2f} x the matrix page's time (<= {INDEX_TIME_RATIO})"
        )
    return out


def _datasette_verdicts(runs: list[Run]) -> list[str]:
    """Our pages beside Datasette's, one process each."""
    out = []
    side = {(r.scale, r.endpoint): r for r in runs if r.cache == "1 worker"}
    for (scale, endpoint), ours in sorted(side.items()):
        if not endpoint.startswith("ours:") or endpoint == "ours:trivial":
            continue
        theirs = side.get((scale, endpoint.replace("ours:", "datasette:")))
        if theirs is None:
            continue
        times = ours.rps / theirs.rps if theirs.rps else 0.0
        met = times >= 1.0 and ours.status == theirs.status == 200
        out.append(
            f"{_ok(met)}: {endpoint[5:]} sqlite x{scale} beside Datasette (one process each): "
            f"{times:.2f} x Datasette's requests per second (>= 1.0), {ours.ratio} x trivial"
        )
    return out


def _hit_rate_verdicts(hit_rates: list[HitRate]) -> list[str]:
    """The response cache after an edit: the other frameworks' pages still served from it."""
    return [
        f"{_ok(hit.rate >= HIT_RATE and not hit.errors)}: cache after editing {hit.edited} "
        f"({hit.database} x{hit.scale}): {hit.others_hit} of {hit.others} pages of other "
        f"frameworks and documents still served from cache ({hit.rate:.0%}, >= {HIT_RATE:.0%}); "
        f"{hit.own_hit} of {hit.own} of the edited framework's; {hit.shared_hit} of "
        f"{hit.shared} pages of every framework (indexes, search)"
        + (f"; errors: {', '.join(hit.errors)}" if hit.errors else "")
        for hit in hit_rates
    ]


def _errors_verdict(runs: list[Run]) -> str:
    failing = [r for r in runs if r.errors or r.status != 200]
    return (
        _ok(not failing)
        + ": zero errors"
        + (
            "; errors or non-200 status on: "
            + ", ".join(sorted({f"{r.endpoint} ({r.status}, {r.errors} errors)" for r in failing}))
            if failing
            else ""
        )
    )


def machine() -> dict:
    info = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.MULTILINE).group(1)
        meminfo = Path("/proc/meminfo").read_text()
        kb = int(re.search(r"^MemTotal:\s+(\d+)", meminfo, re.MULTILINE).group(1))
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
        info["load_avg"] = os.getloadavg()
    except (OSError, AttributeError):
        pass
    info["sqlite"] = __import__("sqlite3").sqlite_version
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    info["wrk"] = (wrk.stdout or wrk.stderr).split("[")[0].strip()
    return info


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if shutil.which(args.wrk) is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (or `make bench`)")
    endpoints = select(args.endpoints)
    scales = args.scale or [1, 200, 1000]
    databases = args.database_url or [SQLITE]
    if args.datasette and SQLITE in databases and not DATASETTE.exists():
        raise SystemExit(f"Datasette is not installed at {DATASETTE}: run `make bench`")

    runs: list[Run] = []
    checks: list[MemoryCheck] = []
    hit_rates: list[HitRate] = []
    works: list[dict] = []
    for database in databases:
        # One database at a time, every scale: `args` as the one-database code reads it.
        one = argparse.Namespace(**vars(args))
        one.database_url = None if database == SQLITE else database
        if one.database_url:
            ensure_database(one.database_url)
        for scale in scales:
            bench_scale(one, scale, endpoints, runs)
            if args.datasette and one.database_url is None:
                bench_datasette(one, scale, runs)
            if args.editors and scale == scales[0]:
                works += bench_editors(one, scale)
        if args.hit_rate:
            hit_rates.append(bench_hit_rate(one, scales[-1]))
        if args.memory_scale:
            bench_memory(one, checks)
    _report(args, runs, checks, hit_rates, works)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="repeatable (default 1, 1000)")
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint and cache mode")
    parser.add_argument(
        "--database-url",
        action="append",
        help=f"repeatable: a PostgreSQL URL, or {SQLITE!r} (a SQLite file per scale under "
        "bench/out/); each is measured in turn at every scale (default: sqlite)",
    )
    parser.add_argument("--endpoints", help="comma-separated names (default: all)")
    parser.add_argument("--cache", choices=["both", "cached", "uncached"], default="both")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=8400, help="the first of five ports")
    parser.add_argument(
        "--redis-url", help="serve with this Redis as the shared cache (as several servers do)"
    )
    parser.add_argument(
        "--no-index-pages", dest="index_pages", action="store_false", help="skip the index pages"
    )
    parser.add_argument(
        "--no-editor-pages",
        dest="editor_pages",
        action="store_false",
        help="skip the editors' pages (signed in)",
    )
    parser.add_argument(
        "--no-datasette", dest="datasette", action="store_false", help="skip Datasette"
    )
    parser.add_argument(
        "--no-editors",
        dest="editors",
        action="store_false",
        help="skip the editors' work at size (bench/editors.py)",
    )
    parser.add_argument(
        "--editors-fraction",
        type=float,
        default=1.0,
        help="the editors' work at this fraction of its sizes (a quick look; 1 in a real run)",
    )
    parser.add_argument(
        "--no-hit-rate", dest="hit_rate", action="store_false", help="skip the cache after an edit"
    )
    parser.add_argument(
        "--hit-rate-frameworks", type=int, default=20, help="frameworks whose pages are read"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-setup", action="store_true", help="use the database as it is")
    parser.add_argument(
        "--memory-scale",
        type=int,
        default=1600,
        help="scale of the streaming-memory check (1600 = 102,400 cells; 0 skips it)",
    )
    parser.add_argument("--export-url", default=EXPORT_ALL_CELLS)
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    return parser


def _report(
    args: argparse.Namespace,
    runs: list[Run],
    checks: list[MemoryCheck],
    hit_rates: list[HitRate],
    works: list[dict],
) -> None:
    """Print the machine, the tables and the verdicts; with `--json`, write them all."""
    info = machine()
    print(
        f"\nMachine: {info.get('cpu', '?')}, {info['nproc']} CPUs, {info.get('memory_gb', '?')} GB; "
        f"Python {info['python']}; SQLite {info['sqlite']}; {info['wrk']}; "
        f"load average at the end {info.get('load_avg')}"
    )
    print(
        f"gunicorn {args.workers} workers, wrk {args.threads} threads x {args.connections} connections, "
        f"{args.seconds} s per endpoint\n"
    )
    print(table(runs))
    if args.index_pages:
        print("\nPages that list many things, uncached:\n")
        print(held_table(runs, INDEX_PAGES))
    if args.editor_pages:
        print("\nEditors' pages, uncached, signed in as an editor:\n")
        print(held_table(runs, EDITOR_PAGES))
    if any(r.cache == "1 worker" for r in runs):
        print("\nBeside Datasette on the same SQLite file, uncached, one process each:\n")
        print(datasette_table(runs))
    if works:
        print("\nThe editors' work at size, in process (bench/editors.py):\n")
        print(editors_table(works))
    print()
    for line in verdicts(runs, checks, hit_rates):
        print(line)
    for line in editors_verdicts(works):
        print(line)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "runs": [asdict(r) for r in runs],
                    "memory": [asdict(c) for c in checks],
                    "hit_rates": [asdict(h) | {"rate": h.rate} for h in hit_rates],
                    "editors": works,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
