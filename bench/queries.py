"""SQL queries per endpoint, counted with Django's test client; prints JSON {name: {...}}.

Run from the project root against the database in DATABASE_URL:
    python -m bench.queries [--endpoints matrix,cell]
Each endpoint is requested twice and the second request counted, so one-off work (content
types, a cold connection) is not; a streamed body is read inside the count. The page cache
is disabled (RESPONSE_CACHE=0) and cleared, so the count is what a cache miss costs. The
editors' pages (`--editor-pages`) are requested signed in as the benchmark's editor
(`manage.py bench_editor` makes it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def count_queries(
    endpoints: dict[str, str], *, signed_in: dict[str, str] | None = None, editor=None
) -> dict[str, dict]:
    """`endpoints` requested signed out, and `signed_in` signed in as `editor`."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # A failing view is a 500 in the table, as a server would answer, not a crash.
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    editors = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    if signed_in:
        editors.force_login(editor)
    pages = [(name, path, client) for name, path in endpoints.items()]
    pages += [(name, path, editors) for name, path in (signed_in or {}).items()]
    results = {}
    for name, path, client in pages:
        for _ in range(2):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
                if response.streaming:
                    size = sum(len(chunk) for chunk in response.streaming_content)
                else:
                    size = len(response.content)
        results[name] = {
            "path": path,
            "status": response.status_code,
            "queries": len(queries.captured_queries),
            "bytes": size,
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", help="comma-separated names (default: all)")
    parser.add_argument(
        "--index-pages", action="store_true", help="the index pages too (bench.endpoints)"
    )
    parser.add_argument(
        "--editor-pages",
        action="store_true",
        help="the editors' pages too, signed in as the benchmark's editor",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ATLAS_BENCH"] = "1"
    os.environ["RESPONSE_CACHE"] = "0"
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from bench.endpoints import EDITOR_PAGES, INDEX_PAGES, select
    from bench.workbench import EDITOR

    endpoints = select(args.endpoints) | (INDEX_PAGES if args.index_pages else {})
    editor = None
    if args.editor_pages:
        editor = get_user_model().objects.filter(username=EDITOR).first()
        if editor is None:
            raise SystemExit(f"No account {EDITOR!r}: run `manage.py bench_editor` first.")
    signed_in = EDITOR_PAGES if args.editor_pages else {}
    counts = count_queries(endpoints, signed_in=signed_in, editor=editor)
    # One line, and the last: the production request log writes JSON lines to stdout too.
    sys.stdout.write("\n" + json.dumps(counts) + "\n")
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
