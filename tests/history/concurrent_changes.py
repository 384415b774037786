"""Writers and a polling client at once, against a real database (run as a script).

`python -m tests.history.concurrent_changes WRITERS ROUNDS` with DATABASE_URL naming a
migrated, seeded database: WRITERS processes each commit ROUNDS transactions (a cell
rewritten, a relationship made, every other one deleted again), pausing inside them so
that they interleave, while this process polls `/api/v1/changes/?since=` as a client
would, keeping the last version it saw. Prints, as JSON, what the client saw and what the
history holds, for tests/history/test_concurrency.py to compare.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sys
import time


def write(writer: int, rounds: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from engagement.models import Cell
    from institutions.models import Institution, Relationship

    random.seed(writer)
    cells = list(Cell.objects.filter(kind="analyst").values_list("pk", flat=True))
    uk, us = Institution.objects.get(slug="uk-aisi"), Institution.objects.get(slug="us-aisi")
    for round_ in range(rounds):
        for attempt in range(20):
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
                if attempt == 19:
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
    processes = [context.Process(target=write, args=(w, rounds)) for w in range(writers)]
    for process in processes:
        process.start()

    client = Client()
    seen: list[dict] = []
    since = start
    polls = 0

    def poll() -> None:
        nonlocal since, polls
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
        "seen": [
            [c["version"], c["type"], c["key"], c["action"], c["time"], c["label"]] for c in seen
        ],
        "expected": expected,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
