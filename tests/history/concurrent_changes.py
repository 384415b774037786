"""Writers and a polling client at once, against a real database (run as a script).

`python -m tests.history.concurrent_changes WRITERS ROUNDS` with DATABASE_URL naming a
migrated, seeded database: WRITERS processes each commit ROUNDS transactions (a cell
rewritten, a relationship made, every other one deleted again), pausing inside them so
that they interleave, while this process polls `/api/v1/changes/?since=` as a client
would, keeping the last version it saw. Prints, as JSON, what the client saw and what the
history holds, for tests/history/test_concurrency.py to compare.

However slow the machine, the client reads while the writers write: each writer, halfway,
waits until a poll that began after its last commit is over (no sleep decides it), and a
transaction that meets a lock is tried again until a deadline, not a number of times.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sys
import time

# How long a writer keeps trying a transaction that meets a lock, and waits for the client.
PATIENCE_SECONDS = 120


def write(writer: int, rounds: int, polls_started, polls_done) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from engagement.models import Cell
    from institutions.models import Institution, Relationship

    random.seed(writer)
    cells = list(Cell.objects.filter(kind="analyst").values_list("pk", flat=True))
    uk, us = Institution.objects.get(slug="uk-aisi"), Institution.objects.get(slug="us-aisi")
    for round_ in range(rounds):
        if round_ == rounds // 2:
            # Halfway: until the client has read past this writer's commits so far.
            after = polls_started.value
            deadline = time.monotonic() + PATIENCE_SECONDS
            while polls_done.value <= after:
                if time.monotonic() > deadline:
                    raise TimeoutError("the client did not poll")
                time.sleep(0.01)
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            try:
                with transaction.atomic():
                    cell = Cell.objects.get(pk=random.choice(cells))
                    cell.text = f"writer {writer} round {round_}"
                    cell.save()
                    time.sleep(random.uniform(0, 0.01))
                    relationship = Relationship.objects.create(
                        slug=f"writer-{writer}-round-{round_}",
                        kind="technical_dialogue",
                        subject=uk,
                        object=us,
                        description=f"writer {writer} round {round_}",
                    )
                    time.sleep(random.uniform(0, 0.01))
                    if round_ % 2:
                        relationship.delete()
                break
            except Exception:  # a lock timeout under contention: try the transaction again
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    connection.close()


def main(writers: int, rounds: int) -> dict:
    import django

    django.setup()
    from django.db import connections
    from django.test import Client

    from core import registry
    from core.dataset import dataset_version
    from core.history import HISTORY_TYPES, history_model

    start = dataset_version().version
    connections.close_all()
    context = multiprocessing.get_context("fork")
    # Polls begun and polls over, read by the writers halfway.
    polls_started, polls_done = context.Value("i", 0), context.Value("i", 0)
    processes = [
        context.Process(target=write, args=(w, rounds, polls_started, polls_done))
        for w in range(writers)
    ]
    for process in processes:
        process.start()

    client = Client()
    seen: list[dict] = []
    since = start
    polls = 0
    polls_with_changes = 0

    def poll() -> None:
        nonlocal since, polls, polls_with_changes
        with polls_started.get_lock():
            polls_started.value += 1
        before = len(seen)
        url: str | None = f"/api/v1/changes/?since={since}&page_size=7"
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.content
            page = response.json()
            seen.extend(page["results"])
            url = page["next"]
        if seen:
            since = seen[-1]["version"]
        polls += 1
        polls_with_changes += len(seen) > before
        with polls_done.get_lock():
            polls_done.value += 1

    while any(process.is_alive() for process in processes):
        poll()
    for process in processes:
        process.join()
        assert process.exitcode == 0, f"a writer failed ({process.exitcode})"
    poll()

    expected = []
    for tracked in registry.tracked_types().values():
        history = history_model(tracked.model)
        key = tracked.model._meta.pk.attname if tracked.key == "pk" else tracked.key
        for record in history.objects.filter(history_version__gt=start).order_by():
            expected.append(
                [
                    record.history_version,
                    tracked.name,
                    getattr(record, key),
                    HISTORY_TYPES[record.history_type],
                    record.history_date.isoformat().replace("+00:00", "Z"),
                ]
            )
    return {
        "start": start,
        "polls": polls,
        "polls_with_changes": polls_with_changes,
        "seen": [
            [c["version"], c["type"], c["key"], c["action"], c["time"], c["label"]] for c in seen
        ],
        "expected": expected,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
