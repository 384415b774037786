"""The search's latency goal: its p95 with one connection a worker, its own time under load;
the p95 with every connection of the run (mostly the wait in the queue) is told beside it."""

from __future__ import annotations

import argparse

from bench import run
from tests.bench.fakes import FakeServer, fake_wrk


def test_a_search_is_loaded_again_with_one_connection_a_worker(monkeypatch):
    commands: list = []
    monkeypatch.setattr(run.subprocess, "run", fake_wrk(commands))
    monkeypatch.setattr(run, "status_of", lambda url, cookie=None: 200)
    args = argparse.Namespace(wrk="wrk", threads=2, connections=16, seconds=1, workers=2)
    loaded = run.Run("postgresql", 1000, "uncached", "search-common", "/search/?q=models")
    run.load(FakeServer(2), loaded, args)
    latency = run._latency(FakeServer(2), loaded, args)
    assert [c[2] for c in commands] == ["-c16", "-c2"]
    assert (latency.endpoint, latency.path, latency.connections) == (
        "search-common (2 conn.)",
        "/search/?q=models",
        2,
    )


def test_the_goal_is_held_by_the_latency_and_the_queue_is_told():
    def searched(endpoint, p95, connections=None, database="postgresql", scale=1000):
        found = run.Run(database, scale, "uncached", endpoint, "/search/", status=200)
        found.p95_ms, found.connections = p95, connections
        return found

    verdicts = run._search_verdicts(
        [
            searched("search", 180.0),
            searched("search (2 conn.)", 40.0, connections=2),
            searched("search-common (2 conn.)", 130.0, connections=2),
            searched("search (2 conn.)", 500.0, connections=2, database="sqlite"),
            searched("search (2 conn.)", 500.0, connections=2, scale=1),
        ]
    )
    assert verdicts == [
        "NOTE: search postgresql x1000 uncached: status 200, p95 180.0 ms with every "
        "connection of the run (mostly the queue)",
        "MET: search (2 conn.) postgresql x1000 uncached: status 200, p95 40.0 ms (< 100)",
        "NOT MET: search-common (2 conn.) postgresql x1000 uncached: status 200, p95 130.0 ms "
        "(< 100)",
    ]
