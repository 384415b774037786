"""Drafts through the frameworks API: an editor creates one (`status: "draft"`), sees it,
and publishes it (`POST /api/v1/frameworks/<slug>/publish/`): a 409 when it is published
already, a 404 for an unknown slug or for anyone who may not see drafts, If-Match as every
write; the publication is one event in the changes feed."""

from __future__ import annotations

import pytest

from core.dataset import dataset_version, version_seal
from engagement.models import Framework, FrameworkStatus
from tests.factories import CellFactory, CitationFactory, FrameworkFactory
from tests.helpers import changes_since
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

API = "/api/v1"
DRAFT = {
    "slug": "uk-aisi-korea-aisi-draft",
    "name": "UK AISI and Korea AISI (draft)",
    "description": "Drafted from a table.",
    "status": "draft",
    "document": BRIEF,
    "institutions": ["uk-aisi"],
}


def publish(client, slug: str, **headers):
    return client.post(f"{API}/frameworks/{slug}/publish/", format="json", headers=headers)


def test_an_editor_creates_a_draft_that_only_editors_see(client_editor, client_anon):
    response = client_editor.post(f"{API}/frameworks/", DRAFT, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    url = response["Location"]
    assert client_editor.get(url).json()["status"] == "draft"
    assert client_anon.get(url).status_code == 404
    listed = client_anon.get(f"{API}/frameworks/?page_size=500").json()["results"]
    assert DRAFT["slug"] not in {f["slug"] for f in listed}
    # Published unless asked: as before drafts existed.
    new = {**DRAFT, "slug": "published-at-once"}
    del new["status"]
    created = client_editor.post(f"{API}/frameworks/", new, format="json")
    assert created.json()["status"] == "published"
    assert client_anon.get(created["Location"]).status_code == 200


def test_a_bad_status_is_a_400_naming_it_and_writes_nothing(client_editor):
    before = Framework.objects.count()
    response = client_editor.post(
        f"{API}/frameworks/", {**DRAFT, "status": "secret"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"] if "errors" in response.json() else response.json()
    assert Framework.objects.count() == before


def test_the_status_changes_only_by_publishing(client_editor):
    FrameworkFactory(slug="a-draft", status=FrameworkStatus.DRAFT)
    response = client_editor.patch(
        f"{API}/frameworks/a-draft/", {"status": "published"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in str(response.json())
    assert "publish/" in str(response.json())
    assert Framework.objects.get(slug="a-draft").status == FrameworkStatus.DRAFT
    # A write that leaves the status as it is goes through.
    renamed = client_editor.patch(f"{API}/frameworks/a-draft/", {"name": "Renamed"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["status"] == "draft"


def test_an_editor_publishes_a_draft_once(client_editor, client_anon):
    FrameworkFactory(slug="a-draft", status=FrameworkStatus.DRAFT)
    read = client_editor.get(f"{API}/frameworks/a-draft/")
    response = publish(client_editor, "a-draft", **{"If-Match": read["ETag"]})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response["ETag"] != read["ETag"]
    assert client_anon.get(f"{API}/frameworks/a-draft/").json()["status"] == "published"
    again = publish(client_editor, "a-draft")
    assert again.status_code == 409
    assert again.json()["detail"] == "The framework “a-draft” is published already."


def test_publishing_refuses_a_stale_etag_unknown_slugs_and_non_editors(
    client_editor, client_anon, client_outsider
):
    FrameworkFactory(slug="a-draft", status=FrameworkStatus.DRAFT)
    stale = publish(client_editor, "a-draft", **{"If-Match": '"not-its-tag"'})
    assert stale.status_code == 412
    assert publish(client_editor, "no-such-framework").status_code == 404
    assert publish(client_anon, "a-draft").status_code in (401, 403)
    assert publish(client_outsider, "a-draft").status_code in (403, 404)
    assert Framework.objects.get(slug="a-draft").status == FrameworkStatus.DRAFT


def test_the_publication_is_one_event_in_the_changes(client_editor, client_anon):
    start = dataset_version().version
    framework = FrameworkFactory(slug="a-draft", name="A draft", status=FrameworkStatus.DRAFT)
    cell = CellFactory(framework=framework, text="Drafted words")
    CitationFactory(claim=cell)
    version_seal()
    cell.text = "Drafted words, corrected"
    cell.save()
    version_seal()
    assert changes_since(client_anon, start, type="framework,cell,citation") == []
    drafted = changes_since(client_editor, start, type="framework,cell,citation")
    assert {change["type"] for change in drafted} == {"framework", "cell", "citation"}
    version_seal()
    assert publish(client_editor, "a-draft").status_code == 200
    public = changes_since(client_anon, start, type="framework,cell,citation")
    assert [(c["type"], c["key"], c["action"]) for c in public] == [
        ("framework", "a-draft", "changed")
    ]
    assert public[0]["fields"]["status"] == {"before": "draft", "after": "published"}
    # What changes after the publication is listed as any change is.
    version_seal()
    cell.text = "Published words, corrected"
    cell.save()
    later = changes_since(client_anon, start, type="cell")
    assert [c["key"] for c in later] == [cell.pk]


def test_an_editors_list_never_answers_the_publics_conditional_get(client_editor, client_anon):
    FrameworkFactory(slug="a-draft", status=FrameworkStatus.DRAFT)
    url = f"{API}/frameworks/?page_size=500"
    editors = client_editor.get(url)
    assert "a-draft" in {f["slug"] for f in editors.json()["results"]}
    assert editors["Cache-Control"] == "private, no-cache"
    public = client_anon.get(url, headers={"If-None-Match": editors["ETag"]})
    assert public.status_code == 200 and public["ETag"] != editors["ETag"]
    assert "a-draft" not in {f["slug"] for f in public.json()["results"]}
    assert public["Cache-Control"] == "no-cache"
