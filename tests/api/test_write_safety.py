"""Writes through the API that cannot lose an update, break on a race, store a control
character or swallow a body of any size or depth."""

from __future__ import annotations

import json

import pytest

from core.api.parsers import MAX_BODY_BYTES, MAX_DEPTH
from core.api.viewsets import AtlasViewSetMixin
from engagement.models import Activity, Cell, CellKind
from institutions.models import Institution
from tests.factories import ActivityFactory, CellFactory, InstitutionFactory
from tests.helpers import brief_cell
from tests.unit.test_text_and_params import FORBIDDEN_CONTROLS

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"


def cell() -> Cell:
    return brief_cell("standards", "separation")


# --- one object, one ETag --------------------------------------------------------------------


def test_a_detail_read_carries_the_object_own_etag(client_anon, client_editor):
    url = f"{API}/cells/{cell().pk}/"
    first = client_anon.get(url)
    etag = first["ETag"]
    # Its own, not the dataset's (`"v<version>-json"`).
    assert etag.startswith('"o-') and not etag.startswith(f'"v{first["X-Dataset-Version"]}')
    assert client_anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client_anon.get(f"{url}?format=csv")["ETag"] != etag  # another representation
    # Another object's change (its activity's name, which the cell names by slug only)
    # moves the dataset version, not this object's tag: the copy a client holds is current.
    renamed = client_editor.patch(
        f"{API}/activities/standards/", {"name": "Standards (renamed)"}, format="json"
    )
    assert renamed.status_code == 200, renamed.content
    again = client_anon.get(url)
    assert int(again["X-Dataset-Version"]) > int(first["X-Dataset-Version"])
    assert again["ETag"] == etag
    assert client_anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Its own change moves it.
    client_editor.patch(url, {"emphasised": not cell().emphasised}, format="json")
    assert client_anon.get(url)["ETag"] != etag


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/cells/{cell}/", {"emphasised": True}),
        ("/institutions/uk-aisi/", {"short_name": "UK AISI (edited)"}),
        ("/activities/standards/", {"name": "Standards (edited)"}),
        ("/levels/separation/", {"name": "Separation (edited)"}),
        ("/relationships/uk-aisi-us-aisi-mou/", {"description": "Edited."}),
    ],
)
def test_every_write_answer_carries_the_etag_a_read_then_shows(client_editor, url, change):
    url = API + url.format(cell=cell().pk)
    response = client_editor.patch(url, change, format="json")
    assert response.status_code == 200, response.content
    read = client_editor.get(url)
    assert response["ETag"] == read["ETag"]
    assert response.json() == read.json()


def test_a_create_answer_carries_the_etag(client_editor):
    response = client_editor.post(
        f"{API}/activities/", {"slug": "tagged", "name": "Tagged", "ordinal": 99}, format="json"
    )
    assert response.status_code == 201
    assert response["ETag"] == client_editor.get(f"{API}/activities/tagged/")["ETag"]


@pytest.mark.parametrize(
    ("url", "first", "second", "field"),
    [
        ("/cells/{cell}/", {"emphasised": True}, {"emphasised": False}, "emphasised"),
        ("/institutions/uk-aisi/", {"short_name": "Ada's"}, {"short_name": "Bob's"}, "short_name"),
        ("/activities/standards/", {"name": "Ada's"}, {"name": "Bob's"}, "name"),
        ("/levels/separation/", {"name": "Ada's"}, {"name": "Bob's"}, "name"),
        (
            "/relationships/uk-aisi-us-aisi-mou/",
            {"description": "Ada's"},
            {"description": "Bob's"},
            "description",
        ),
    ],
)
def test_two_editors_one_stale_the_second_write_is_a_412_and_changes_nothing(
    client_editor, url, first, second, field
):
    url = API + url.format(cell=cell().pk)
    seen = client_editor.get(url)["ETag"]  # both editors read the same state
    ada = client_editor.patch(url, first, format="json", HTTP_IF_MATCH=seen)
    assert ada.status_code == 200
    bob = client_editor.patch(url, second, format="json", HTTP_IF_MATCH=seen)
    assert bob.status_code == 412
    assert "changed since you read it" in bob.json()["detail"]
    assert bob["ETag"] == ada["ETag"]  # what to read again
    assert client_editor.get(url).json()[field] == first[field]
    # With the tag of what is there now, the write goes through.
    assert (
        client_editor.patch(url, second, format="json", HTTP_IF_MATCH=bob["ETag"]).status_code
        == 200
    )
    assert (
        client_editor.put(url, {}, format="json", HTTP_IF_MATCH="W/" + bob["ETag"]).status_code
        == 412
    )


def test_a_stale_delete_is_a_412_and_deletes_nothing(client_editor):
    client_editor.post(
        f"{API}/activities/", {"slug": "doomed", "name": "Doomed", "ordinal": 98}, format="json"
    )
    url = f"{API}/activities/doomed/"
    seen = client_editor.get(url)["ETag"]
    client_editor.patch(url, {"name": "Doomed, renamed"}, format="json")
    assert client_editor.delete(url, HTTP_IF_MATCH=seen).status_code == 412
    assert Activity.objects.filter(slug="doomed").exists()
    assert client_editor.delete(url, HTTP_IF_MATCH="*").status_code == 204


# --- races -------------------------------------------------------------------------------------


@pytest.fixture
def race(monkeypatch):
    """Another editor's write lands after this one was validated and before it is saved, as
    when two requests arrive together: `race(make)` runs `make(validated_data)` then."""

    def arrange(make):
        save = AtlasViewSetMixin.perform_create

        def racing(self, serializer):
            make(serializer.validated_data)
            save(self, serializer)

        monkeypatch.setattr(AtlasViewSetMixin, "perform_create", racing)

    return arrange


def test_a_duplicate_that_lost_the_race_is_a_409_naming_the_field(client_editor, race):
    race(lambda data: InstitutionFactory(slug=data["slug"]))
    count = Institution.objects.count()
    response = client_editor.post(
        f"{API}/institutions/",
        {"slug": "raced", "name": "Raced", "kind": "unit", "jurisdiction": "UK"},
        format="json",
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["errors"] == {"slug": ["Institution with this Slug already exists."]}
    assert "nothing was changed" in body["detail"]
    assert Institution.objects.count() == count


def test_a_cell_position_that_lost_the_race_is_a_409_naming_it(client_editor, race):
    activity = ActivityFactory()
    race(
        lambda data: CellFactory(
            framework=data["framework"], activity=activity, level=data["level"]
        )
    )
    response = client_editor.post(
        f"{API}/cells/",
        {
            "framework": "eu-ai-office-uk-aisi",
            "activity": activity.slug,
            "level": "separation",
            "kind": "analyst",
            "text": "x",
        },
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["errors"] == {
        "non_field_errors": ["Cell with this Framework, Activity and Level already exists."]
    }
    assert not Cell.objects.filter(activity=activity).exists()


# --- bodies --------------------------------------------------------------------------------------


def raw(client, method: str, url: str, body: bytes):
    return client.generic(method, url, body, content_type="application/json")


def test_a_body_over_the_limit_is_a_json_413(client_editor):
    url = f"{API}/cells/{cell().pk}/"
    for size in (MAX_BODY_BYTES + 1, 3 * MAX_BODY_BYTES):  # ours, then Django's own bound
        body = json.dumps({"text": "x" * size}).encode()
        response = raw(client_editor, "PATCH", url, body)
        assert response.status_code == 413
        assert response.json() == {
            "detail": f"The body is too large: at most {MAX_BODY_BYTES} bytes."
        }
    assert Cell.objects.get(pk=cell().pk).text != "x"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_a_body_nested_too_deeply_is_a_json_400(client_editor, depth):
    body = ("[" * depth + "]" * depth).encode()
    response = raw(client_editor, "POST", f"{API}/activities/", body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The body is nested too deeply: at most {MAX_DEPTH} levels."
    }


def test_a_body_nested_to_the_limit_is_read(client_editor):
    nested: object = "deep"
    for _ in range(MAX_DEPTH - 2):
        nested = [nested]
    response = raw(
        client_editor, "POST", f"{API}/activities/", json.dumps({"name": nested}).encode()
    )
    assert response.status_code == 400
    assert "name" in response.json()["errors"]  # read, then refused: a name is not a list


# --- control characters in stored text ---------------------------------------------------------

# Every resource an editor creates, with its writable text (and other string) fields.
CREATES = {
    "/institutions/": ["slug", "name", "short_name", "kind", "jurisdiction", "parent"],
    "/activities/": ["slug", "name"],
    "/mandates/": ["institution", "function", "status", "statement"],
    "/relationships/": ["slug", "kind", "subject", "object", "description", "date", "date_note"],
    "/cells/": ["framework", "activity", "level", "kind", "text", "evidence", "note"],
    "/frameworks/": ["slug", "name", "description", "document", "status"],
    "/citations/": ["claim_type", "document", "passage", "role", "exact"],
}


def test_the_list_of_writable_fields_is_every_string_field_of_every_writable_resource(
    client_editor,
):
    schema = client_editor.get(f"{API}/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for url, fields in CREATES.items():
        request = schema["paths"][f"{API}{url}"]["post"]["requestBody"]["content"]
        ref = request["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        properties = components[ref]["properties"]
        strings = {
            name
            for name, spec in properties.items()
            if spec.get("type") == "string" or "$ref" in spec or "allOf" in spec or "oneOf" in spec
        }
        assert strings == set(fields), url
    # Levels are only updated: their texts are checked by the same parser.
    level = components["PatchedLevelRequest"]["properties"]
    assert {"name", "definition", "conditions"} <= set(level)


def test_every_control_character_in_every_writable_text_field_is_refused_naming_it(
    client_editor,
):
    for char in FORBIDDEN_CONTROLS:
        code = f"U+{ord(char):04X}"
        for url, fields in CREATES.items():
            body = {name: f"a{char}b" for name in fields}
            response = client_editor.post(f"{API}{url}", body, format="json")
            assert response.status_code == 400, (code, url, response.content)
            errors = response.json()["errors"]
            assert set(errors) == set(fields), (code, url)
            assert all(code in messages[0] for messages in errors.values()), (code, url)
        level = client_editor.patch(
            f"{API}/levels/separation/",
            {"name": f"a{char}", "definition": f"b{char}", "conditions": f"{char}c"},
            format="json",
        )
        assert level.status_code == 400, code
        assert set(level.json()["errors"]) == {"name", "definition", "conditions"}, code


def test_a_control_character_in_a_nested_field_or_key_is_named_by_its_path(client_editor):
    response = raw(
        client_editor, "POST", f"{API}/activities/", b'{"name": ["ok", "x\\u000c"], "k\\u0001": 1}'
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name.1", "kU+0001"}


def test_tab_and_line_feed_are_text(client_editor):
    response = client_editor.post(
        f"{API}/activities/", {"slug": "tabbed", "name": "A\tB\nC", "ordinal": 97}, format="json"
    )
    assert response.status_code == 201
    assert Activity.objects.get(slug="tabbed").name == "A\tB\nC"


# --- validation -----------------------------------------------------------------------------------


def test_switching_a_cell_to_verbatim_rechecks_its_quote(client_editor):
    analyst = next(
        c
        for c in Cell.objects.filter(kind=CellKind.ANALYST).prefetch_related("citations__passage")
        if c.citations.all() and not any(c.text in ct.passage.text for ct in c.citations.all())
    )
    response = client_editor.patch(
        f"{API}/cells/{analyst.pk}/", {"kind": "verbatim"}, format="json"
    )
    assert response.status_code == 400
    assert "is not found in the passage it cites" in response.json()["errors"]["text"][0]
    assert Cell.objects.get(pk=analyst.pk).kind == CellKind.ANALYST
    # A verbatim cell whose text stands in its passage may switch back and forth.
    verbatim = cell()
    for kind in ("analyst", "verbatim"):
        response = client_editor.patch(f"{API}/cells/{verbatim.pk}/", {"kind": kind}, format="json")
        assert response.status_code == 200, (kind, response.content)


def test_an_institution_cannot_become_its_own_ancestor(client_editor):
    for slug in ("cycle-a", "cycle-b", "cycle-c"):
        client_editor.post(
            f"{API}/institutions/",
            {"slug": slug, "name": slug, "kind": "unit", "jurisdiction": "EU"},
            format="json",
        )
    for child, parent in (("cycle-b", "cycle-a"), ("cycle-c", "cycle-b")):
        response = client_editor.patch(
            f"{API}/institutions/{child}/", {"parent": parent}, format="json"
        )
        assert response.status_code == 200, (child, response.content)
    for child, parent in (("cycle-a", "cycle-b"), ("cycle-a", "cycle-c"), ("cycle-a", "cycle-a")):
        response = client_editor.patch(
            f"{API}/institutions/{child}/", {"parent": parent}, format="json"
        )
        assert response.status_code == 400, (child, parent)
        assert "own parent, or its parent's ancestor" in response.json()["errors"]["parent"][0]
    assert Institution.objects.get(slug="cycle-a").parent is None
