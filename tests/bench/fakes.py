"""Stand-ins for wrk and a gunicorn server, for the runner's tests (`bench.run.load`)."""

from __future__ import annotations

import argparse

# wrk's summary line (`bench/report.lua`): 10 requests in a second, p95 2 ms.
SUMMARY = (
    "BENCH requests=10 duration_us=1000000 non2xx=0 socket_errors=0 "
    "p50_us=1000 p95_us=2000 p99_us=3000 max_us=4000\n"
)


def fake_wrk(commands: list):
    """`subprocess.run` for wrk: keeps each command line in `commands`, answers SUMMARY."""

    def run(command, **kwargs):
        commands.append(command)
        return argparse.Namespace(stdout=SUMMARY)

    return run


class FakeServer:
    """What `bench.run.load` asks of a server."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:1{path}"

    def reset_peaks(self) -> None:
        pass

    def memory(self) -> list[float]:
        return [1.0]
