"""Frameworks written through the API: created, changed and deleted by editors, with the
rules of every write (ETag and If-Match, 400s naming the field, 409 on a race, nothing
half-written), each change in the history under the editor's name."""

from __future__ import annotations

import pytest

from core.api.viewsets import AtlasViewSetMixin
from engagement.models import Cell, Framework
from engagement.services import framework_cells_complete
from institutions.models import Institution
from sources.models import Citation
from tests.api.conftest import _token_client
from tests.factories import CitationFactory, FrameworkFactory
from tests.helpers import changes_since
from tests.history.conftest import PUBLIC_NAME
from tests.seedtext import BRIEF
from tests.unit.test_text_and_params import FORBIDDEN_CONTROLS

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"
NEWS = "eu-us-ttc-ai-collaboration-2024"
NEW = {
    "slug": "uk-aisi-japan-aisi",
    "name": "UK AISI and Japan AISI",
    "description": "A matrix for another pair.",
    "document": BRIEF,
    "institutions": ["uk-aisi", "japan-aisi"],
}


@pytest.fixture
def ada(django_user_model, editors_group):
    """An editor with a public name unlike her username."""
    user = django_user_model.objects.create_user(
        "ada.l", password="a-long-editor-passphrase", first_name="Ada", last_name="Lovelace"
    )
    user.groups.add(editors_group)
    return user


def members(slug: str) -> list[str]:
    return sorted(Framework.objects.get(slug=slug).institutions.values_list("slug", flat=True))


def test_an_editor_creates_a_framework(client_editor, client_anon):
    before = Framework.objects.count()
    response = client_editor.post(f"{API}/frameworks/", NEW, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in NEW} == {**NEW, "institutions": ["japan-aisi", "uk-aisi"]}
    assert response["Location"] == f"http://testserver{API}/frameworks/uk-aisi-japan-aisi/"
    read = client_anon.get(response["Location"])
    assert read.status_code == 200
    assert response["ETag"] == read["ETag"] and read.json() == body
    assert Framework.objects.count() == before + 1
    assert members("uk-aisi-japan-aisi") == ["japan-aisi", "uk-aisi"]
    # A new matrix has no cells until an editor adds them.
    assert not Cell.objects.filter(framework__slug="uk-aisi-japan-aisi").exists()


def test_an_editor_changes_a_framework_with_put_and_patch(client_editor):
    framework = "eu-ai-office-uk-aisi"
    url = f"{API}/frameworks/{framework}/"
    seen = client_editor.get(url)
    patched = client_editor.patch(
        url,
        {"description": "Edited.", "institutions": ["eu-ai-office", "uk-aisi", "us-aisi"]},
        format="json",
        HTTP_IF_MATCH=seen["ETag"],
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["description"] == "Edited."
    assert members(framework) == ["eu-ai-office", "uk-aisi", "us-aisi"]
    assert patched["ETag"] != seen["ETag"]
    assert patched["ETag"] == client_editor.get(url)["ETag"]

    cells = Cell.objects.filter(framework__slug=framework).count()
    put = client_editor.put(
        url,
        {**NEW, "slug": framework, "document": NEWS},
        format="json",
        HTTP_IF_MATCH=patched["ETag"],
    )
    assert put.status_code == 200, put.content
    assert put.json()["document"] == NEWS and put.json()["name"] == NEW["name"]
    assert members(framework) == ["japan-aisi", "uk-aisi"]
    assert Cell.objects.filter(framework__slug=framework).count() == cells


def test_a_stale_if_match_is_a_412_and_changes_nothing(client_editor):
    url = f"{API}/frameworks/eu-ai-office-us-aisi/"
    seen = client_editor.get(url)["ETag"]
    ada = client_editor.patch(url, {"name": "Ada's name"}, format="json", HTTP_IF_MATCH=seen)
    assert ada.status_code == 200
    for method, body in (
        ("patch", {"name": "Bob's name", "institutions": ["uk-aisi"]}),
        ("put", {**NEW, "slug": "eu-ai-office-us-aisi"}),
        ("delete", None),
    ):
        bob = getattr(client_editor, method)(url, body, format="json", HTTP_IF_MATCH=seen)
        assert bob.status_code == 412, (method, bob.content)
        assert bob["ETag"] == ada["ETag"]
    framework = Framework.objects.get(slug="eu-ai-office-us-aisi")
    assert framework.name == "Ada's name"
    assert members("eu-ai-office-us-aisi") == ["eu-ai-office", "us-aisi"]
    assert framework.cells.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"document": "no-such-document"}, "document"),
        ({"institutions": ["uk-aisi", "no-such-body"]}, "institutions"),
        ({"institutions": []}, "institutions"),
        ({"institutions": "uk-aisi"}, "institutions"),
        ({"slug": "eu-ai-office-us-aisi"}, "slug"),  # taken
        ({"slug": "not a slug"}, "slug"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "a\x0bb"}, "name"),
        ({"description": "a\x1bb"}, "description"),
        ({"document": None}, "document"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(client_editor, change, field):
    before = Framework.objects.count()
    created = client_editor.post(f"{API}/frameworks/", {**NEW, **change}, format="json")
    assert created.status_code == 400, created.content
    assert field in created.json()["errors"]
    assert Framework.objects.count() == before

    url = f"{API}/frameworks/eu-ai-office-uk-aisi/"
    state = client_editor.get(url).json()
    patched = client_editor.patch(url, change, format="json")
    assert patched.status_code == 400, patched.content
    assert field in patched.json()["errors"]
    assert client_editor.get(url).json() == state


def test_every_control_character_is_refused_naming_each_field(client_editor):
    for char in FORBIDDEN_CONTROLS:
        body = {**NEW, "slug": f"a{char}", "name": f"b{char}", "description": f"{char}c"}
        response = client_editor.post(f"{API}/frameworks/", body, format="json")
        assert response.status_code == 400, repr(char)
        assert {"slug", "name", "description"} <= set(response.json()["errors"]), repr(char)
    assert not Framework.objects.filter(name__startswith="b").exists()


def test_required_fields_of_a_create_are_named(client_editor):
    response = client_editor.post(f"{API}/frameworks/", {}, format="json")
    assert response.status_code == 400
    assert {"slug", "name", "document", "institutions"} <= set(response.json()["errors"])


def test_a_slug_that_lost_the_race_is_a_409_naming_it(client_editor, monkeypatch):
    save = AtlasViewSetMixin.perform_create

    def racing(self, serializer):
        FrameworkFactory(slug=serializer.validated_data["slug"])
        save(self, serializer)

    monkeypatch.setattr(AtlasViewSetMixin, "perform_create", racing)
    before = Framework.objects.count()
    response = client_editor.post(f"{API}/frameworks/", NEW, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["errors"] == {"slug": ["Framework with this Slug already exists."]}
    assert Framework.objects.count() == before


def test_deleting_a_framework_deletes_its_cells_and_their_citations(client_editor):
    framework = FrameworkFactory(institutions=[Institution.objects.get(slug="uk-aisi")])
    cells = framework_cells_complete(framework=framework)
    cell = cells[0]
    citation = CitationFactory(claim=cell)
    url = f"{API}/frameworks/{framework.slug}/"
    response = client_editor.delete(url, HTTP_IF_MATCH=client_editor.get(url)["ETag"])
    assert response.status_code == 204, response.content
    assert not Framework.objects.filter(pk=framework.pk).exists()
    assert not Cell.objects.filter(pk__in=[c.pk for c in cells]).exists()
    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert client_editor.get(url).status_code == 404
    # Each deleted row keeps its history, the deletion named after the editor.
    for model, pk in ((Framework, framework.pk), (Cell, cell.pk), (Citation, citation.pk)):
        last = model.history.filter(id=pk).order_by("-history_id").first()
        assert last.history_type == "-", model
        assert last.history_user.username == "editor", model


def test_a_delete_that_fails_midway_deletes_nothing(client_editor, monkeypatch):
    framework = Framework.objects.get(slug="eu-ai-office-uk-aisi")
    cells = framework.cells.count()

    def broken(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Framework, "delete", broken)
    client_editor.raise_request_exception = False
    response = client_editor.delete(f"{API}/frameworks/eu-ai-office-uk-aisi/")
    assert response.status_code == 500
    assert Framework.objects.get(slug="eu-ai-office-uk-aisi").cells.count() == cells


def test_writes_need_an_editor(client_anon, client_outsider):
    url = f"{API}/frameworks/eu-ai-office-uk-aisi/"
    for client, status in ((client_anon, 401), (client_outsider, 403)):
        assert client.post(f"{API}/frameworks/", NEW, format="json").status_code == status
        assert client.patch(url, {"name": "X"}, format="json").status_code == status
        assert client.put(url, NEW, format="json").status_code == status
        assert client.delete(url).status_code == status
        assert client.get(url).status_code == 200
    assert not Framework.objects.filter(slug=NEW["slug"]).exists()
    assert Framework.objects.get(slug="eu-ai-office-uk-aisi").name != "X"


def test_the_browser_session_of_an_editor_writes(client, ada):
    client.force_login(ada)
    response = client.post(f"{API}/frameworks/", NEW, content_type="application/json")
    assert response.status_code == 201, response.content


def test_each_write_is_in_the_history_and_the_changes_under_the_editor_name(client, ada):
    start = client.get(f"{API}/frameworks/")["X-Dataset-Version"]
    editor, ada = ada, _token_client(ada)
    assert ada.post(f"{API}/frameworks/", NEW, format="json").status_code == 201
    url = f"{API}/frameworks/{NEW['slug']}/"
    assert ada.patch(url, {"name": "Renamed"}, format="json").status_code == 200
    assert ada.delete(url).status_code == 204

    history = Framework.history.filter(slug=NEW["slug"]).order_by("history_id")
    assert {record.history_user for record in history} == {editor}
    assert history.first().history_type == "+" and history.last().history_type == "-"

    found = [c for c in changes_since(client, int(start)) if c["type"] == "framework"]
    actions = [c["action"] for c in found]
    assert actions[0] == "created" and actions[-1] == "deleted" and "changed" in actions
    assert {c["editor"] for c in found} == {PUBLIC_NAME}
    renamed = next(c for c in found if c["action"] == "changed" and "name" in c["fields"])
    assert renamed["fields"]["name"] == {"before": NEW["name"], "after": "Renamed"}
    assert found[0]["key"] == NEW["slug"]


def test_an_identical_write_adds_no_history(client_editor):
    url = f"{API}/frameworks/eu-ai-office-uk-aisi/"
    current = client_editor.get(url).json()
    count = Framework.history.count()
    body = {key: current[key] for key in NEW}
    assert client_editor.put(url, body, format="json").status_code == 200
    assert Framework.history.count() == count


def test_the_schema_describes_the_writes(client_anon):
    schema = client_anon.get(f"{API}/schema/?format=json").json()
    paths = schema["paths"]
    create = paths[f"{API}/frameworks/"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(request["properties"]) == {
        "slug",
        "name",
        "description",
        "status",
        "document",
        "institutions",
    }
    assert set(request["required"]) == {"slug", "name", "document", "institutions"}
    assert {"ETag", "Location"} <= set(create["responses"]["201"]["headers"])
    assert {"400", "401", "403", "409"} <= set(create["responses"])
    detail = paths[f"{API}/frameworks/{{slug}}/"]
    for method in ("put", "patch", "delete"):
        operation = detail[method]
        assert "If-Match" in {p["name"] for p in operation["parameters"]}, method
        assert {"400", "401", "403", "404", "409", "412"} <= set(operation["responses"]), method
    assert "204" in detail["delete"]["responses"]
