"""Triggers lost to a SQLite table rebuild are put back by the next migrate."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from core.dataset import dataset_version, expected_triggers, installed_triggers
from engagement.models import Cell
from search.index import expected_triggers as search_triggers

pytestmark = pytest.mark.usefixtures("kb")


def drop(table: str, name: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {name}")


def test_every_trigger_is_installed():
    installed = installed_triggers(connection)
    assert expected_triggers(connection.vendor) <= installed
    assert search_triggers(connection.vendor) <= installed


def test_migrate_reinstalls_dropped_triggers():
    version_trigger = sorted(
        t for t in expected_triggers(connection.vendor) if t[0] == "engagement_cell"
    )[0]
    search_trigger = sorted(
        t for t in search_triggers(connection.vendor) if t[0] == "engagement_cell"
    )[0]
    drop(*version_trigger)
    drop(*search_trigger)
    assert version_trigger not in installed_triggers(connection)

    call_command("migrate", verbosity=0)

    installed = installed_triggers(connection)
    assert version_trigger in installed
    assert search_trigger in installed
    version = dataset_version().version
    Cell.objects.filter(kind="verbatim").update(emphasised=False)
    assert dataset_version().version > version
