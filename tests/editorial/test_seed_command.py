"""`manage.py seed`: idempotent, and the dataset version only moves on a real write."""

from __future__ import annotations

import pytest
from django.core import serializers
from django.core.management import call_command

from core.dataset import dataset_version
from engagement.models import Cell
from tests.helpers import brief_cell

pytestmark = pytest.mark.usefixtures("reseed_after_module", "kb")

CONTENT = [
    "sources.document",
    "sources.passage",
    "sources.citation",
    "institutions.institution",
    "institutions.institutionalias",
    "institutions.function",
    "institutions.mandate",
    "institutions.relationship",
    "engagement.engagementlevel",
    "engagement.activity",
    "engagement.framework",
    "engagement.cell",
]


def snapshot() -> str:
    from django.apps import apps

    objects = []
    for label in CONTENT:
        objects.extend(apps.get_model(label).objects.order_by("pk"))
    return serializers.serialize("json", objects)


def test_seeding_twice_leaves_the_same_database(capsys):
    before, version = snapshot(), dataset_version()
    call_command("seed")
    assert "already up to date" in capsys.readouterr().out
    assert snapshot() == before
    assert dataset_version() == version


# Committed for real: the writes of one transaction share one version, and the test's own
# transaction would hold both the damage and the repair.
@pytest.mark.django_db(transaction=True)
def test_seed_repairs_a_changed_cell_and_moves_the_version(capsys):
    cell = brief_cell("standards", "collaboration")
    Cell.objects.filter(pk=cell.pk).update(text="Something else")
    version = dataset_version()
    call_command("seed")
    assert "cells: 1 written" in capsys.readouterr().out
    cell.refresh_from_db()
    assert cell.text == "Harmonization of AI safety standards"
    assert dataset_version().version > version.version


def test_any_write_moves_the_dataset_version():
    version = dataset_version().version
    Cell.objects.filter(kind="verbatim").update(emphasised=True)
    assert dataset_version().version > version
