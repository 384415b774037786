"""GET /api/v1/cells/<id>/history/: who changed a cell, when, and what."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from engagement.models import Cell


@pytest.fixture
def edited_cell(kb) -> Cell:
    cell = Cell.objects.exclude(kind="empty").order_by("pk").first()
    editor = User.objects.create_user(
        "grace", password="a-long-passphrase-here", first_name="Grace", last_name="Hopper"
    )
    cell._original_text = cell.text
    cell.text = "Corrected text"
    cell.emphasised = not cell.emphasised
    cell._history_user = editor
    cell.save()
    return cell


def test_a_cells_history_lists_who_when_and_what_changed(
    client, edited_cell, django_assert_max_num_queries
):
    url = f"/api/v1/cells/{edited_cell.pk}/history/"
    # Two queries: the dataset version (for the ETag), then the cell's historical records
    # joined with their users.
    with django_assert_max_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200
    latest, *older = response.json()
    assert latest["type"] == "changed"
    # The public name, never the username.
    assert latest["user"] == "Grace Hopper"
    assert latest["text"] == "Corrected text"
    assert {c["field"]: (c["old"], c["new"]) for c in latest["changes"]} == {
        "text": (edited_cell._original_text, "Corrected text"),
        "emphasised": (not edited_cell.emphasised, edited_cell.emphasised),
    }
    assert older[-1]["type"] == "created" and older[-1]["changes"] == []
    assert older[-1]["user"] is None  # written by the seed command
    assert latest["date"] >= older[-1]["date"]


def test_the_history_of_an_unknown_cell_is_404(client, kb):
    assert client.get("/api/v1/cells/999999/history/").status_code == 404
