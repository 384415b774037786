"""`manage.py check --database default` fails, naming the model, when a declared content
model's triggers are missing from the database (`core.checks`, core.E003)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from core import scopes
from core.checks import content_triggers
from core.dataset import expected_triggers, installed_triggers
from engagement.models import Cell
from tests.helpers import drop_trigger

pytestmark = pytest.mark.usefixtures("kb")


def test_a_database_with_every_trigger_passes():
    assert content_triggers(databases=["default"]) == []
    assert content_triggers(databases=None) == []  # `check` without --database: no query


@pytest.mark.parametrize("kind", ["version", "scope"])
def test_a_declared_model_without_its_triggers_fails_the_check(kind):
    wanted = expected_triggers if kind == "version" else scopes.expected_triggers
    trigger = sorted(t for t in wanted(connection.vendor) if t[0] == "engagement_cell")[0]
    drop_trigger(*trigger)
    assert trigger not in installed_triggers(connection)

    errors = content_triggers(databases=["default"])

    assert [(error.id, error.obj) for error in errors] == [("core.E003", Cell)]
    assert errors[0].msg.startswith("engagement.Cell lacks triggers in the database 'default'")
    assert f"{trigger[1]} on engagement_cell" in errors[0].msg
    with pytest.raises(SystemCheckError, match=r"engagement\.Cell lacks triggers"):
        call_command("check", "--database", "default")
