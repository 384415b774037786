"""Triggers lost to a SQLite table rebuild are put back by the next migrate."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db import connection

from core.dataset import dataset_version, expected_triggers, installed_triggers
from engagement.models import Cell
from search.index import expected_triggers as search_triggers
from tests.helpers import drop_trigger

pytestmark = pytest.mark.usefixtures("kb")


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
    drop_trigger(*version_trigger)
    drop_trigger(*search_trigger)
    assert version_trigger not in installed_triggers(connection)

    call_command("migrate", verbosity=0)

    installed = installed_triggers(connection)
    assert version_trigger in installed
    assert search_trigger in installed
    version = dataset_version().version
    Cell.objects.filter(kind="verbatim").update(emphasised=False)
    assert dataset_version().version > version


def test_scope_triggers_are_installed_and_put_back_by_migrate():
    from core import scopes

    assert scopes.expected_triggers(connection.vendor) <= installed_triggers(connection)
    dropped = sorted(
        t for t in scopes.expected_triggers(connection.vendor) if t[0] == "engagement_cell"
    )[0]
    drop_trigger(*dropped)
    assert dropped not in installed_triggers(connection)
    call_command("migrate", verbosity=0)
    assert dropped in installed_triggers(connection)


def test_a_scope_version_never_repeats_even_once_the_versions_are_gone():
    from core.scopes import SCOPE_TABLE, scope_versions

    framework = Cell.objects.filter(kind="verbatim").first().framework_id
    scope = f"framework:{framework}"
    Cell.objects.filter(framework_id=framework).update(emphasised=False)
    first = scope_versions([scope])[scope]
    Cell.objects.filter(framework_id=framework).update(emphasised=False)
    second = scope_versions([scope])[scope]
    assert second > first > 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SCOPE_TABLE}")
    assert scope_versions([scope]) == {scope: 0}
    time.sleep(0.002)  # SQLite's clock counts milliseconds
    Cell.objects.filter(framework_id=framework).update(emphasised=False)
    # A time in microseconds: later than any version it had before.
    assert scope_versions([scope])[scope] > second
