"""The admin as editors use it: edit a cell, revert it from its history, cite a passage
with a validated quote, and build a framework for another pair of institutions."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from atlas.editors import EDITORS_GROUP
from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework
from institutions.models import Institution
from sources.models import Citation, Document, Passage
from sources.services import citation_attach
from tests.helpers import form_data, read_csv

PASSWORD = "a-long-editor-passphrase"
CITATIONS = "sources-citation-content_type-object_id"


@pytest.fixture
def editor(kb, monkeypatch) -> User:
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", PASSWORD)
    call_command("create_editor", "ada", email="ada@example.org", stdout=io.StringIO())
    return User.objects.get(username="ada")


@pytest.fixture
def cell(kb) -> Cell:
    return Cell.objects.select_related("framework", "activity", "level").get(
        framework__slug="eu-ai-office-uk-aisi",
        activity__slug="incident-reporting",
        level__slug="communication",
    )


def change_url(cell: Cell) -> str:
    return reverse("admin:engagement_cell_change", args=[cell.pk])


def test_create_editor_makes_a_staff_member_of_the_editors_group(editor):
    assert editor.is_staff and not editor.is_superuser
    assert editor.check_password(PASSWORD)
    assert list(editor.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
    assert editor.has_perm("engagement.change_cell")
    assert editor.has_perm("sources.add_citation")
    assert editor.has_perm("engagement.view_historicalcell")
    assert not editor.has_perm("auth.change_user")


def test_create_editor_refuses_a_weak_password_and_an_existing_name(editor, monkeypatch):
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_editor", "bob", stdout=io.StringIO())
    assert not User.objects.filter(username="bob").exists()
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="'ada' already exists"):
        call_command("create_editor", "ada", stdout=io.StringIO())


def test_an_editor_edits_a_cell_and_reverts_it_from_its_history(client, editor, cell):
    original = cell.text
    client.force_login(editor)
    response = client.get(change_url(cell))
    assert response.status_code == 200
    data = form_data(response)
    data["text"] = original + " (corrected)"
    response = client.post(change_url(cell), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    cell.refresh_from_db()
    assert cell.text == original + " (corrected)"
    latest = cell.history.first()
    assert (latest.history_type, latest.history_user, latest.text) == ("~", editor, cell.text)

    response = client.get(reverse("admin:engagement_cell_history", args=[cell.pk]))
    assert response.status_code == 200
    assert "ada" in response.content.decode()

    before = cell.history.filter(text=original).first()
    revert_url = reverse("admin:engagement_cell_simple_history", args=[cell.pk, before.pk])
    response = client.get(revert_url)
    assert response.status_code == 200
    response = client.post(revert_url, form_data(response))
    assert response.status_code == 302
    cell.refresh_from_db()
    assert cell.text == original
    assert cell.history.first().history_user == editor
    assert cell.history.count() >= 3


def test_a_non_editor_can_neither_edit_nor_revert(client, kb, cell):
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    client.force_login(clerk)
    assert client.get(change_url(cell)).status_code == 403
    assert client.post(change_url(cell), {"text": "vandalised"}).status_code == 403
    version = cell.history.first()
    revert_url = reverse("admin:engagement_cell_simple_history", args=[cell.pk, version.pk])
    assert client.post(revert_url, {"text": "vandalised"}).status_code == 403
    client.logout()
    response = client.post(change_url(cell), {"text": "vandalised"})
    assert response.status_code == 302 and "/admin/login/" in response.url
    cell.refresh_from_db()
    assert cell.text != "vandalised"


def new_citation_data(client, cell: Cell, passage: Passage, exact: str) -> dict:
    data = form_data(client.get(change_url(cell)))
    index = int(data[f"{CITATIONS}-INITIAL_FORMS"])
    data[f"{CITATIONS}-{index}-passage"] = str(passage.pk)
    data[f"{CITATIONS}-{index}-exact"] = exact
    data[f"{CITATIONS}-{index}-role"] = "support"
    data[f"{CITATIONS}-{index}-occurrence"] = "1"
    return data


def test_an_invalid_quote_is_refused_and_nothing_is_saved(client, editor, cell):
    client.force_login(editor)
    passage = Passage.objects.get(
        document__slug="synergies-eu-ai-office-uk-aisi-2025", anchor="executive-summary-p2"
    )
    count = Citation.objects.count()
    data = new_citation_data(client, cell, passage, "words the brief never wrote")
    data["text"] = cell.text + " (should not be saved)"
    response = client.post(change_url(cell), data)
    assert response.status_code == 200
    assert "“words the brief never wrote” is not found in passage" in response.content.decode()
    assert Citation.objects.count() == count
    cell.refresh_from_db()
    assert "(should not be saved)" not in cell.text


def test_a_valid_quote_gets_its_offsets_prefix_and_suffix_computed(client, editor, cell):
    client.force_login(editor)
    passage = Passage.objects.get(
        document__slug="synergies-eu-ai-office-uk-aisi-2025", anchor="executive-summary-p2"
    )
    exact = passage.text[40:90]
    response = client.post(change_url(cell), new_citation_data(client, cell, passage, exact))
    assert response.status_code == 302
    citation = cell.citations.get(role="support")
    expected, _ = citation_attach(claim=Activity.objects.first(), passage=passage, exact=exact)
    assert (citation.start, citation.end, citation.prefix, citation.suffix) == (
        expected.start,
        expected.end,
        expected.prefix,
        expected.suffix,
    )
    assert citation.valid and citation.history.first().history_user == editor


def test_an_orphaned_citation_is_shown_as_such(client, editor, cell):
    citation = cell.citations.first()
    Citation.objects.filter(pk=citation.pk).update(orphaned=True)
    client.force_login(editor)
    assert "<strong>Orphaned</strong>" in client.get(change_url(cell)).content.decode()
    response = client.get(reverse("admin:sources_citation_changelist") + "?orphaned__exact=1")
    assert f">{citation.pk}<" in response.content.decode()


def test_an_editor_builds_a_framework_for_another_pair_of_institutions(client, editor, tmp_path):
    path = tmp_path / "jp.md"
    path.write_text(
        "# Japan and UK AISI dialogue\n\nThe institutes will exchange evaluation methods.\n",
        encoding="utf-8",
    )
    call_command(
        "ingest",
        str(path),
        "--slug=jp-uk",
        "--title=JP-UK",
        "--kind=statement",
        stdout=io.StringIO(),
    )
    document = Document.objects.get(slug="jp-uk")
    client.force_login(editor)
    add_url = reverse("admin:engagement_framework_add")
    data = form_data(client.get(add_url))
    institutions = Institution.objects.filter(slug__in=["uk-aisi", "eu-ai-office"])
    data.update(
        name="UK AISI and Japan",
        slug="uk-aisi-japan",
        document=str(document.pk),
        ordinal="50",
        institutions=[str(i.pk) for i in institutions],
    )
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    framework = Framework.objects.get(slug="uk-aisi-japan")

    response = client.post(
        reverse("admin:engagement_framework_changelist"),
        {"action": "complete_grid", "_selected_action": [framework.pk]},
    )
    assert response.status_code == 302
    cells = framework.cells.all()
    assert cells.count() == Activity.objects.count() * EngagementLevel.objects.count()
    assert {c.kind for c in cells} == {CellKind.EMPTY}

    target = cells.get(activity__slug="develop-evaluations", level__slug="coordination")
    data = new_citation_data(
        client, target, document.passages.get(kind="paragraph"), "exchange evaluation methods"
    )
    data.update(kind="analyst", text="Exchange evaluation methods")
    response = client.post(change_url(target), data)
    assert response.status_code == 302, response.context and response.context["errors"]

    page = client.get(framework.get_absolute_url())
    assert page.status_code == 200
    assert "Exchange evaluation methods" in page.content.decode()
    assert Group.objects.get(name=EDITORS_GROUP).user_set.filter(pk=editor.pk).exists()

    # Nothing else to change: the API and the exports carry the new framework too.
    api = client.get("/api/v1/cells/?framework=uk-aisi-japan&kind=analyst").json()
    assert [(c["activity"], c["level"], c["text"]) for c in api["results"]] == [
        ("develop-evaluations", "coordination", "Exchange evaluation methods")
    ]
    assert api["results"][0]["citations"][0]["exact"] == "exchange evaluation methods"
    assert api["results"][0]["citations"][0]["valid"] is True
    export = client.get("/frameworks/uk-aisi-japan/export.csv?kind=analyst")
    assert export.status_code == 200
    rows = read_csv(export)
    assert [(r["activity"], r["text"], r["quote"]) for r in rows] == [
        ("develop-evaluations", "Exchange evaluation methods", "exchange evaluation methods")
    ]
