"""A cell's evidence and note in the admin: editable, refused on the field when they do not
fit the kind, nothing saved then."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from engagement.models import Cell, CellEvidence
from sources.models import CitationRole
from tests.helpers import brief_cell, form_data


@pytest.fixture
def editor_client(kb, monkeypatch, client):
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", "a-long-editor-passphrase")
    call_command("create_editor", "ada", email="ada@example.org", stdout=io.StringIO())
    client.force_login(User.objects.get(username="ada"))
    return client


def change_url(cell: Cell) -> str:
    return reverse("admin:engagement_cell_change", args=[cell.pk])


def test_the_change_form_offers_evidence_note_and_the_contradicts_role(editor_client):
    html = editor_client.get(change_url(brief_cell("standards", "separation"))).content.decode()
    assert 'name="evidence"' in html and 'name="note"' in html
    assert f'<option value="{CitationRole.CONTRADICTS}">Contradicting passage</option>' in html


def test_an_empty_cell_is_marked_not_assessed(editor_client):
    cell = brief_cell("institutional-development", "collaboration")
    data = form_data(editor_client.get(change_url(cell)))
    data["evidence"] = "not_assessed"
    response = editor_client.post(change_url(cell), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Cell.objects.get(pk=cell.pk).evidence == CellEvidence.NOT_ASSESSED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"evidence": "inferred"}, "evidence"),
        ({"evidence": "none_stated"}, "evidence"),
        ({"kind": "analyst", "evidence": "inferred", "note": ""}, "note"),
    ],
)
def test_evidence_that_does_not_fit_is_refused_on_its_field(editor_client, changes, field):
    cell = brief_cell("standards", "separation")  # verbatim, stated
    before = Cell.objects.values().get(pk=cell.pk)
    data = form_data(editor_client.get(change_url(cell)))
    data.update(changes)
    response = editor_client.post(change_url(cell), data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Cell.objects.values().get(pk=cell.pk) == before


def test_an_inferred_cell_is_saved_with_its_note(editor_client):
    cell = brief_cell("standards", "separation")
    data = form_data(editor_client.get(change_url(cell)))
    data.update(kind="analyst", evidence="inferred", note="The brief's words, read so.")
    response = editor_client.post(change_url(cell), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    saved = Cell.objects.get(pk=cell.pk)
    assert (saved.kind, saved.evidence, saved.note) == (
        "analyst",
        "inferred",
        "The brief's words, read so.",
    )
