"""Writes through the API: editors only, validated, atomic; citations never broken."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from engagement.models import Activity, Cell
from institutions.models import Mandate
from sources.models import Citation, Passage
from tests.factories import (
    ActivityFactory,
    CellFactory,
    CitationFactory,
    FrameworkFactory,
    InstitutionFactory,
    MandateFactory,
    RelationshipFactory,
)
from tests.helpers import brief_cell
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"


def _cell_id() -> int:
    return brief_cell("standards", "separation").pk


def _mandate_id() -> int:
    return Mandate.objects.get(
        institution__slug="uk-aisi", function__slug="evaluating-capabilities"
    ).pk


def _citation_id() -> int:
    return Citation.objects.filter(role="source").order_by("pk").first().pk


# (method, url builder, body, expected status for an editor)
WRITES = [
    (
        "post",
        lambda: "/institutions/",
        {
            "slug": "new-body",
            "name": "New body",
            "kind": "unit",
            "jurisdiction": "EU",
            "parent": "european-commission",
        },
        201,
    ),
    ("patch", lambda: "/institutions/uk-aisi/", {"short_name": "UK AISI"}, 200),
    (
        "put",
        lambda: "/institutions/japan-aisi/",
        {
            "slug": "japan-aisi",
            "name": "AI Safety Institute of Japan",
            "short_name": "J-AISI",
            "kind": "safety_institute",
            "jurisdiction": "Japan",
            "parent": None,
        },
        200,
    ),
    ("delete", lambda: f"/institutions/{InstitutionFactory().slug}/", None, 204),
    (
        "post",
        lambda: "/mandates/",
        {
            "institution": "us-aisi",
            "function": "evaluating-capabilities",
            "status": "partial",
            "statement": "Some",
        },
        201,
    ),
    (
        "patch",
        lambda: f"/mandates/{_mandate_id()}/",
        lambda: {"status": Mandate.objects.get(pk=_mandate_id()).status},
        200,
    ),
    ("delete", lambda: f"/mandates/{MandateFactory().pk}/", None, 204),
    (
        "post",
        lambda: "/relationships/",
        {
            "slug": "uk-aisi-france-aisi-dialogue",
            "kind": "technical_dialogue",
            "subject": "uk-aisi",
            "object": "france-aisi",
            "description": "Talks.",
        },
        201,
    ),
    (
        "patch",
        lambda: "/relationships/uk-aisi-us-aisi-mou/",
        {"date_note": "As the brief reports it."},
        200,
    ),
    ("delete", lambda: f"/relationships/{RelationshipFactory().slug}/", None, 204),
    ("patch", lambda: "/levels/coordination/", {"name": "Coordination"}, 200),
    (
        "post",
        lambda: "/activities/",
        {"slug": "new-activity", "name": "New activity", "ordinal": 50},
        201,
    ),
    ("patch", lambda: "/activities/standards/", {"name": "Standards"}, 200),
    ("delete", lambda: f"/activities/{ActivityFactory().slug}/", None, 204),
    (
        "post",
        lambda: "/frameworks/",
        {
            "slug": "uk-aisi-japan-aisi",
            "name": "UK AISI and Japan AISI",
            "document": BRIEF,
            "institutions": ["uk-aisi", "japan-aisi"],
        },
        201,
    ),
    ("patch", lambda: "/frameworks/eu-ai-office-us-aisi/", {"description": "Edited."}, 200),
    (
        "put",
        lambda: "/frameworks/eu-ai-office-us-aisi/",
        {
            "slug": "eu-ai-office-us-aisi",
            "name": "EU AI Office and US AISI",
            "description": "",
            "document": "eu-us-ttc-ai-collaboration-2024",
            "institutions": ["eu-ai-office", "us-aisi"],
        },
        200,
    ),
    ("delete", lambda: f"/frameworks/{FrameworkFactory(institutions=[]).slug}/", None, 204),
    ("patch", lambda: f"/cells/{_cell_id()}/", {"emphasised": True}, 200),
    ("delete", lambda: f"/cells/{CellFactory(empty=True).pk}/", None, 204),
    (
        "post",
        lambda: "/citations/",
        lambda: {
            "claim_type": "cell",
            "claim_id": _cell_id(),
            "document": BRIEF,
            "passage": "footnote-2",
            "exact": "Separation refers to areas",
            "role": "support",
        },
        201,
    ),
    ("patch", lambda: f"/citations/{_citation_id()}/", {"role": "source"}, 200),
    ("delete", lambda: f"/citations/{CitationFactory(role='support').pk}/", None, 204),
]


def _body(body):
    return body() if callable(body) else body


IDS = [f"{method} {index}" for index, (method, *_rest) in enumerate(WRITES)]


@pytest.mark.parametrize(("method", "url", "body", "expected"), WRITES, ids=IDS)
def test_anonymous_writes_are_refused(client_anon, method, url, body, expected):
    response = getattr(client_anon, method)(f"{API}{url()}", _body(body), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "url", "body", "expected"), WRITES, ids=IDS)
def test_users_outside_the_editors_group_are_refused(client_outsider, method, url, body, expected):
    response = getattr(client_outsider, method)(f"{API}{url()}", _body(body), format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url", "body", "expected"), WRITES, ids=IDS)
def test_editors_write(client_editor, method, url, body, expected):
    response = getattr(client_editor, method)(f"{API}{url()}", _body(body), format="json")
    assert response.status_code == expected, response.content


def test_a_token_in_the_query_string_is_refused_even_when_valid(client_editor):
    response = client_editor.patch(
        f"{API}/activities/standards/?token={client_editor.token}", {"name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert "token" in response.json()["errors"]
    assert Activity.objects.get(slug="standards").name == "Standards"


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer", "TOKEN"])
def test_a_key_is_taken_under_the_bearer_and_the_token_keywords(client_anon, editor, keyword):
    key = Token.objects.create(user=editor).key
    response = client_anon.patch(
        f"{API}/activities/standards/",
        {"name": "Standards work"},
        format="json",
        HTTP_AUTHORIZATION=f"{keyword} {key}",
    )
    assert response.status_code == 200, response.content
    assert Activity.objects.get(slug="standards").name == "Standards work"


@pytest.mark.parametrize(
    ("header", "status", "detail"),
    [
        ("Bearer not-a-key", 401, "Invalid token."),
        ("Token not-a-key", 401, "Invalid token."),
        ("Bearer", 401, "Invalid token header. No credentials provided."),
        ("Bearer a b", 401, "Invalid token header. Token string should not contain spaces."),
        # Keys no token can have: a NUL (which PostgreSQL refuses), control characters,
        # a key past the longest.
        ("Bearer a\x00b", 401, "Invalid token."),
        ("Token \x7f\x01", 401, "Invalid token."),
        ("Bearer " + "a" * 5000, 401, "Invalid token."),
        # Another scheme is not ours: the request is anonymous, and a write needs a key.
        ("Basic ZWRpdG9yOnB3", 401, "Authentication credentials were not provided."),
    ],
)
def test_a_bad_authorization_header_is_a_401_that_changes_nothing(
    client_anon, editor, header, status, detail
):
    response = client_anon.patch(
        f"{API}/activities/standards/",
        {"name": "Vandalised"},
        format="json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert response["WWW-Authenticate"] == "Bearer"
    assert Activity.objects.get(slug="standards").name == "Standards"


def test_session_authentication_for_the_browser(editor, client):
    client.force_login(editor)
    response = client.patch(
        f"{API}/cells/{_cell_id()}/", {"emphasised": True}, content_type="application/json"
    )
    assert response.status_code == 200


def test_a_citation_whose_quote_is_not_in_the_passage_is_refused(client_editor):
    before = Citation.objects.count()
    response = client_editor.post(
        f"{API}/citations/",
        {
            "claim_type": "cell",
            "claim_id": _cell_id(),
            "document": BRIEF,
            "passage": "footnote-2",
            "exact": "words the brief never wrote",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "exact" in response.json()["errors"]
    assert Citation.objects.count() == before


def test_a_citation_at_wrong_offsets_is_refused(client_editor):
    footnote = Passage.objects.get(document__slug=BRIEF, anchor="footnote-2")
    quote = "Separation refers to areas"
    start = footnote.text.index(quote)
    body = {
        "claim_type": "cell",
        "claim_id": _cell_id(),
        "document": BRIEF,
        "passage": "footnote-2",
        "exact": quote,
    }
    wrong = client_editor.post(f"{API}/citations/", {**body, "start": start + 1}, format="json")
    assert wrong.status_code == 400 and "exact" in wrong.json()["errors"]
    right = client_editor.post(f"{API}/citations/", {**body, "start": start}, format="json")
    assert right.status_code == 201
    created = right.json()
    assert (created["start"], created["end"], created["valid"]) == (start, start + len(quote), True)
    assert created["prefix"] == footnote.text[max(0, start - 32) : start]


def test_editing_a_citation_keeps_it_valid(client_editor):
    citation_id = _citation_id()
    response = client_editor.patch(
        f"{API}/citations/{citation_id}/", {"exact": "not there at all"}, format="json"
    )
    assert response.status_code == 400 and "exact" in response.json()["errors"]
    assert Citation.objects.get(pk=citation_id).valid


def test_a_verbatim_cell_text_must_stay_in_its_passage(client_editor):
    cell_id = _cell_id()
    before = Cell.objects.get(pk=cell_id).text
    response = client_editor.patch(
        f"{API}/cells/{cell_id}/", {"text": "Invented words"}, format="json"
    )
    assert response.status_code == 400
    assert "text" in response.json()["errors"]
    assert Cell.objects.get(pk=cell_id).text == before


def test_a_level_definition_must_stay_in_footnote_2(client_editor):
    response = client_editor.patch(
        f"{API}/levels/separation/", {"definition": "Something else."}, format="json"
    )
    assert response.status_code == 400 and "definition" in response.json()["errors"]


def test_model_constraints_are_400s_not_500s(client_editor):
    # An empty cell must have no text; a cell position is unique.
    response = client_editor.patch(f"{API}/cells/{_cell_id()}/", {"kind": "empty"}, format="json")
    assert response.status_code == 400
    duplicate = client_editor.post(
        f"{API}/cells/",
        {
            "framework": "eu-ai-office-uk-aisi",
            "activity": "standards",
            "level": "separation",
            "kind": "analyst",
            "text": "x",
        },
        format="json",
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"]
    loop = client_editor.patch(
        f"{API}/relationships/uk-aisi-us-aisi-mou/", {"object": "uk-aisi"}, format="json"
    )
    assert loop.status_code == 400 and "object" in loop.json()["errors"]
    unknown = client_editor.patch(
        f"{API}/mandates/{_mandate_id()}/", {"function": "flying"}, format="json"
    )
    assert unknown.status_code == 400 and "function" in unknown.json()["errors"]


def test_deleting_what_others_refer_to_is_a_409(client_editor):
    response = client_editor.delete(f"{API}/activities/standards/")
    assert response.status_code == 409
    assert Activity.objects.filter(slug="standards").exists()


def test_passages_functions_are_read_only(client_editor):
    for url in ("/passages/", "/functions/"):
        assert client_editor.post(f"{API}{url}", {}, format="json").status_code == 405
    # Documents are uploaded (multipart: tests/editorial/test_upload.py), never sent as JSON.
    assert client_editor.post(f"{API}/documents/", {}, format="json").status_code == 415
