"""The dataset version moves once per transaction that writes content, and every history
record carries the version of the transaction that wrote it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from atlas.releases import release_create
from core.dataset import dataset_version, ensure_triggers, expected_triggers, installed_triggers
from core.history import State
from engagement.models import Cell, EngagementLevel

# Committed for real: the test's own transaction would make every write one transaction.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseed_after_module", "kb"),
]


def levels_named(suffix: str) -> None:
    for level in EngagementLevel.objects.all():
        level.name = f"{level.slug}{suffix}"
        level.save()


def test_versions_are_per_transaction_and_the_state_at_each_is_exact():
    """One test, as each transactional test empties and reseeds the database."""
    the_writes_of_one_transaction_share_one_version()
    the_state_at_a_version_is_exact()
    a_release_made_after_writes_of_its_own_transaction_closes_its_version()


def the_writes_of_one_transaction_share_one_version():
    before = dataset_version().version
    with transaction.atomic():
        levels_named(" a")
        Cell.objects.filter(kind="analyst").update(emphasised=True)
    one = dataset_version().version
    with transaction.atomic():
        levels_named(" b")
    two = dataset_version().version
    assert (one, two) == (before + 1, before + 2)
    versions = list(
        EngagementLevel.history.filter(history_version__gt=before)
        .order_by("history_id")
        .values_list("history_version", flat=True)
    )
    assert versions == [one] * 4 + [two] * 4
    # A statement run on its own is a transaction of its own.
    Cell.objects.filter(kind="analyst").update(emphasised=False)
    assert dataset_version().version == two + 1


def the_state_at_a_version_is_exact():
    with transaction.atomic():
        levels_named(" first")
    first = dataset_version().version
    with transaction.atomic():
        levels_named(" second")
    names = sorted(State(first).objects(EngagementLevel).values_list("name", flat=True))
    assert names == sorted(
        f"{slug} first" for slug in ("collaboration", "coordination", "communication", "separation")
    )
    assert sorted(level.name for level in State(first + 1).objects(EngagementLevel)) == sorted(
        f"{slug} second"
        for slug in ("collaboration", "coordination", "communication", "separation")
    )
    assert list(State(0).objects(EngagementLevel)) == []


def a_release_made_after_writes_of_its_own_transaction_closes_its_version():
    with transaction.atomic():
        levels_named(" released")
        release = release_create(tag="sealed")
        levels_named(" after")
    assert dataset_version().version == release.version + 1
    at_release = sorted(level.name for level in State(release.version).objects(EngagementLevel))
    assert all(name.endswith(" released") for name in at_release)


def test_every_trigger_is_installed_and_a_stale_one_is_replaced():
    assert expected_triggers(connection.vendor) <= installed_triggers(connection)
    assert ensure_triggers(connection) is False
    if connection.vendor == "sqlite":
        # A trigger of an older definition (as an upgrade finds it) is re-created.
        name = "atlas_version_engagement_cell_update"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(
                f"CREATE TRIGGER {name} AFTER UPDATE ON engagement_cell FOR EACH ROW "
                "BEGIN UPDATE sources_datasetversion SET version = version + 1 WHERE id = 1; END"
            )
        version = dataset_version().version
        assert ensure_triggers(connection) is True
        assert dataset_version().version == version + 1
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER atlas_history_version ON engagement_historicalcell")
        assert ensure_triggers(connection) is True
    assert expected_triggers(connection.vendor) <= installed_triggers(connection)
    before = dataset_version().version
    with transaction.atomic():
        cell = Cell.objects.filter(kind="analyst").first()
        cell.emphasised = not cell.emphasised
        cell.save()
    assert cell.history.first().history_version == dataset_version().version == before + 1
