"""Readers' flags over the API: a reader flags a claim, an editor accepts (the proposal is
applied as a normal write, its history naming both) or declines (with a reason the reader
reads); readers edit nothing else; anonymous clients flag nothing; the limits hold."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from engagement.models import Cell
from review.models import Flag, FlagStatus
from sources.models import Citation, Passage

FLAGS = "/api/v1/flags/"


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def cell(kb) -> Cell:
    return Cell.objects.get(
        framework__slug="eu-ai-office-us-aisi",
        activity__slug="develop-evaluations",
        level__slug="collaboration",
    )


def flag_body(cell, **fields) -> dict:
    return {
        "target": f"http://testserver/api/v1/cells/{cell.pk}/",
        "reason": "wrong",
        "note": "The article says they develop tools together, not evaluations.",
        **fields,
    }


def test_a_reader_flags_a_cell_and_an_editor_accepts_it(reader, flag_editor, cell):
    proposed = "Develop evaluation tools together (analyst's reading of the TTC article)."
    created = client_of(reader).post(FLAGS, flag_body(cell, proposed_text=proposed), format="json")
    assert created.status_code == 201, created.json()
    flag = created.json()
    assert created["Location"] == flag["api_url"] == f"http://testserver{FLAGS}{flag['id']}/"
    assert flag["target"] == f"http://testserver/api/v1/cells/{cell.pk}/"
    assert (flag["target_type"], flag["status"], flag["reader"]) == ("cell", "open", "Alice Reader")
    assert flag["target_html_url"] == f"http://testserver{cell.get_absolute_url()}"

    accepted = client_of(flag_editor).post(f"{FLAGS}{flag['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["status"], accepted.json()["decided_by"]) == ("accepted", "Bob Editor")
    cell.refresh_from_db()
    assert cell.text == proposed
    record = cell.history.latest()
    assert record.history_user == flag_editor
    assert record.history_change_reason == (
        f"flag {flag['id']} by Alice Reader, accepted by Bob Editor"
    )
    # The public changes feed names the editor, and the flag and its reader in the reason.
    changes = APIClient().get("/api/v1/changes/", {"type": "cell", "since": 0, "page_size": 500})
    change = [c for c in changes.json()["results"] if c["key"] == cell.pk][-1]
    assert change["fields"]["text"]["after"] == proposed


def test_an_editor_declines_with_a_reason_the_reader_reads(reader, flag_editor, cell):
    flag_id = client_of(reader).post(FLAGS, flag_body(cell), format="json").json()["id"]
    editor = client_of(flag_editor)
    no_reason = editor.post(f"{FLAGS}{flag_id}/decline/", {}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    assert Flag.objects.get(pk=flag_id).status == FlagStatus.OPEN
    declined = editor.post(
        f"{FLAGS}{flag_id}/decline/", {"reason": "The article says both."}, format="json"
    )
    assert declined.status_code == 200
    mine = client_of(reader).get(FLAGS, {"status": "declined"}).json()["results"]
    assert [(f["id"], f["decision_reason"]) for f in mine] == [(flag_id, "The article says both.")]
    again = editor.post(f"{FLAGS}{flag_id}/accept/", {}, format="json")
    assert again.status_code == 409
    assert "declined already" in again.json()["detail"]


def test_a_proposed_source_is_cited_on_accept(reader, flag_editor, cell):
    passage = Passage.objects.get(
        document__slug="synergies-eu-ai-office-uk-aisi-2025", anchor="4-separation-p4"
    )
    quote = "Or they might want to pursue a different approach"
    body = flag_body(cell, reason="unsourced", proposed_passage=passage.pk, proposed_quote=quote)
    flag_id = client_of(reader).post(FLAGS, body, format="json").json()["id"]
    assert client_of(flag_editor).post(f"{FLAGS}{flag_id}/accept/").status_code == 200
    citation = Citation.objects.get(cell=cell, passage=passage)
    assert citation.exact == quote and citation.valid
    assert citation.history.latest().history_user == flag_editor


def test_a_proposal_made_against_an_older_text_is_a_409(reader, flag_editor, cell):
    body = flag_body(cell, proposed_text="Something else.")
    flag_id = client_of(reader).post(FLAGS, body, format="json").json()["id"]
    Cell.objects.filter(pk=cell.pk).update(text="Edited meanwhile.")
    answer = client_of(flag_editor).post(f"{FLAGS}{flag_id}/accept/")
    assert answer.status_code == 409
    assert "changed since it was flagged" in answer.json()["detail"]
    assert Flag.objects.get(pk=flag_id).status == FlagStatus.OPEN
    cell.refresh_from_db()
    assert cell.text == "Edited meanwhile."


def test_readers_edit_nothing_but_flags(reader, cell):
    client = client_of(reader)
    assert (
        client.patch(f"/api/v1/cells/{cell.pk}/", {"text": "x"}, format="json").status_code == 403
    )
    assert client.post("/api/v1/citations/", {}, format="json").status_code == 403
    assert client.delete(f"/api/v1/cells/{cell.pk}/").status_code == 403
    flag_id = client.post(FLAGS, flag_body(cell), format="json").json()["id"]
    assert client.post(f"{FLAGS}{flag_id}/accept/").status_code == 403
    assert client.post(f"{FLAGS}{flag_id}/decline/", {"reason": "no"}).status_code == 403
    assert Flag.objects.get(pk=flag_id).status == FlagStatus.OPEN


def test_anonymous_clients_cannot_flag_or_read_flags(cell):
    anonymous = APIClient()
    answer = anonymous.post(FLAGS, flag_body(cell), format="json")
    assert answer.status_code == 401
    assert anonymous.get(FLAGS).status_code == 401
    assert not Flag.objects.exists()


def test_a_reader_sees_only_their_own_flags(reader, flag_editor, cell, monkeypatch):
    from tests.conftest import account_create

    other = account_create("create_reader", "carol", "", monkeypatch)
    mine = client_of(reader).post(FLAGS, flag_body(cell), format="json").json()["id"]
    theirs = client_of(other).post(FLAGS, flag_body(cell), format="json").json()["id"]
    assert [f["id"] for f in client_of(reader).get(FLAGS).json()["results"]] == [mine]
    assert client_of(reader).get(f"{FLAGS}{theirs}/").status_code == 404
    everything = client_of(flag_editor).get(FLAGS, {"status": "open"}).json()["results"]
    assert [f["id"] for f in everything] == [theirs, mine]  # newest first
    assert everything[0]["reader"] == "a reader"  # no name on the account: never the username


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"note": "x" * 2001}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"proposed_text": "a\x00b"}, "proposed_text"),
        ({"reason": "boring"}, "reason"),
        ({"target": "/api/v1/cells/999999999/"}, "target"),
        ({"target": "/api/v1/documents/"}, "target"),
        ({"target": "/frameworks/eu-ai-office-uk-aisi/"}, "target"),
        ({"target": "/api/v1/citations/1/"}, "target"),
        ({"target": "http://[::1"}, "target"),
        ({"note": ""}, "note"),
        ({"proposed_quote": "words"}, "proposed_passage"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(reader, cell, change, field):
    answer = client_of(reader).post(FLAGS, {**flag_body(cell), **change}, format="json")
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["errors"]
    assert not Flag.objects.exists()


def test_a_quote_not_in_the_passage_is_a_400_naming_proposed_quote(reader, cell):
    passage = Passage.objects.filter(document__slug="synergies-eu-ai-office-uk-aisi-2025").first()
    body = flag_body(cell, proposed_passage=passage.pk, proposed_quote="words nobody wrote")
    answer = client_of(reader).post(FLAGS, body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["proposed_quote"]


@override_settings(ATLAS_READER_OPEN_FLAGS=3)
def test_a_reader_has_at_most_the_configured_open_flags(reader, flag_editor, cell):
    client = client_of(reader)
    ids = [client.post(FLAGS, flag_body(cell), format="json").json()["id"] for _ in range(3)]
    refused = client.post(FLAGS, flag_body(cell), format="json")
    assert refused.status_code == 400
    assert "3 open flags" in refused.json()["errors"]["non_field_errors"][0]
    assert Flag.objects.count() == 3
    client_of(flag_editor).post(f"{FLAGS}{ids[0]}/decline/", {"reason": "Dup."}, format="json")
    assert client.post(FLAGS, flag_body(cell), format="json").status_code == 201


def test_the_default_limit_is_twenty_open_flags(reader, cell):
    client = client_of(reader)
    for _ in range(20):
        assert client.post(FLAGS, flag_body(cell), format="json").status_code == 201
    refused = client.post(FLAGS, flag_body(cell), format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["non_field_errors"]


def test_the_list_is_filtered_and_bounded_in_queries(
    reader, flag_editor, cell, django_assert_max_num_queries
):
    other = Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi").first()
    client = client_of(reader)
    client.post(FLAGS, flag_body(cell), format="json")
    client.post(FLAGS, flag_body(other, reason="outdated"), format="json")
    level = {"target": "/api/v1/levels/collaboration/", "reason": "outdated", "note": "Old."}
    client.post(FLAGS, level, format="json")
    editor = client_of(flag_editor)

    def ids(**params):
        return [f["id"] for f in editor.get(FLAGS, params).json()["results"]]

    assert len(ids()) == 3
    assert len(ids(framework="eu-ai-office-us-aisi")) == 1
    assert len(ids(reason="outdated")) == 2
    assert editor.get(FLAGS, {"reason": "boring"}).status_code == 400
    assert editor.get(FLAGS, {"framework": "nope"}).status_code == 400
    assert editor.get(FLAGS, {"colour": "red"}).status_code == 400
    # session, user, permissions (2), count, page, one per claim type on the page (2)
    with django_assert_max_num_queries(8):
        editor.get(FLAGS)
    for _ in range(10):
        client.post(FLAGS, flag_body(other), format="json")
    with django_assert_max_num_queries(8):
        assert len(editor.get(FLAGS).json()["results"]) == 13


def test_the_schema_describes_the_flag_routes(client):
    openapi = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = openapi["paths"]
    create = paths["/api/v1/flags/"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[-1]
    request = openapi["components"]["schemas"][body]
    assert set(request["required"]) == {"target", "reason", "note"}
    assert {"proposed_text", "proposed_passage", "proposed_quote"} <= set(request["properties"])
    assert request["properties"]["note"]["maxLength"] == 2000
    assert {"201", "400", "401", "403"} <= set(create["responses"])
    for decision in ("accept", "decline"):
        operation = paths[f"/api/v1/flags/{{id}}/{decision}/"]["post"]
        assert {"200", "400", "401", "403", "404", "409"} <= set(operation["responses"])
    names = {p["name"] for p in paths["/api/v1/flags/"]["get"]["parameters"]}
    assert {"status", "reason", "framework", "page", "page_size"} <= names
