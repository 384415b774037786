"""`/api/v1/changes/`: every creation, change and deletion after a version, oldest first,
each with the fields that changed; writes made through the API, the admin and
`ingest --update` each appear once."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from core.dataset import dataset_version
from engagement.models import Cell, EngagementLevel
from institutions.models import Relationship
from sources.models import Passage
from tests.helpers import changes_since, form_data, make_history
from tests.history.conftest import PUBLIC_NAME

API = "/api/v1"
pytestmark = pytest.mark.usefixtures("kb")


def feed_titles(client, **params: str) -> list[str]:
    """The titles of the Atom feed's entries, newest first."""
    response = client.get("/changes/feed.atom", params)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return [entry.title for entry in feed.entries]


def standards_separation() -> Cell:
    return Cell.objects.select_related("framework", "activity", "level").get(
        framework__slug="eu-ai-office-uk-aisi", activity__slug="standards", level__slug="separation"
    )


def test_an_api_write_appears_once_with_before_and_after(client, client_editor, start):
    cell = standards_separation()
    assert not cell.emphasised
    response = client_editor.patch(f"{API}/cells/{cell.pk}/", {"emphasised": True}, format="json")
    assert response.status_code == 200, response.content

    found = changes_since(client, start)
    assert len(found) == 1
    (change,) = found
    assert change["version"] == dataset_version().version > start
    assert change["action"] == "changed"
    assert change["type"] == "cell"
    assert change["key"] == cell.pk
    assert change["api_url"] == f"http://testserver{API}/cells/{cell.pk}/"
    assert change["html_url"] == f"http://testserver{cell.get_absolute_url()}"
    assert (
        change["label"]
        == "Standards / Separation (EU AI Office and UK AISI (policy brief, March 2025))"
    )
    # Only what changed; bookkeeping (updated_at) is not a change.
    assert change["fields"] == {"emphasised": {"before": False, "after": True}}
    # Editors are named by their public name, never their username or e-mail address.
    assert change["editor"] == PUBLIC_NAME
    text = response.content.decode() + str(found)
    assert "ada.l" not in str(found) and "ada@example.org" not in text


def test_an_admin_edit_appears_once(client, editor, start):
    cell = standards_separation()
    client.force_login(editor)
    url = reverse("admin:engagement_cell_change", args=[cell.pk])
    data = form_data(client.get(url))
    data["text"] = "Tailor standards to domestic priorities"
    data["kind"] = "analyst"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    client.logout()

    (change,) = changes_since(client, start)
    assert (change["type"], change["action"], change["key"]) == ("cell", "changed", cell.pk)
    assert change["fields"]["text"] == {
        "before": cell.text,
        "after": "Tailor standards to domestic priorities",
    }
    assert change["fields"]["kind"] == {"before": "verbatim", "after": "analyst"}
    assert change["editor"] == PUBLIC_NAME
    assert feed_titles(client, type="cell").count("Changed: Cell " + change["label"]) == 1


PLAN = """# Joint plan

The two institutes will share results within a week.

The second paragraph stays as it is.
"""


def test_an_ingest_update_appears_once_per_passage_it_changes(client, tmp_path: Path):
    path = tmp_path / "plan.md"
    path.write_text(PLAN, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "ingest", str(path), "--slug=joint-plan", "--title=Joint plan", "--kind=report", stdout=out
    )
    after_ingest = dataset_version().version
    path.write_text(PLAN.replace("within a week", "within a month"), encoding="utf-8")
    call_command("ingest", str(path), "--slug=joint-plan", "--update", stdout=out)

    found = changes_since(client, after_ingest - 1, document="joint-plan")
    changed = {c["key"]: c for c in found if c["action"] == "changed" and c["type"] == "passage"}
    first, second = (
        changed[Passage.objects.get(document__slug="joint-plan", anchor=anchor).pk]
        for anchor in ("joint-plan-p1", "joint-plan-p2")
    )
    # The edited paragraph once, with its words; the next one moved by a character.
    assert set(first["fields"]) == {"text", "end"}
    assert set(second["fields"]) == {"start", "end"}
    assert len(changed) == 2
    passage = first
    assert passage["fields"]["text"] == {
        "before": "The two institutes will share results within a week.",
        "after": "The two institutes will share results within a month.",
    }
    assert passage["editor"] is None  # a command, not an editor
    titles = feed_titles(client, document="joint-plan", type="passage")
    assert titles.count("Changed: Passage Joint plan, passage joint-plan-p1") == 1
    assert passage["label"].startswith("Joint plan, passage ")
    document = [c for c in found if c["type"] == "document" and c["action"] == "changed"]
    assert len(document) == 1 and set(document[0]["fields"]) == {"sha256"}


def test_a_deletion_appears_as_one_change_without_a_page(client, client_editor, start):
    relationship = Relationship.objects.get(slug="uk-aisi-us-aisi-mou")
    citations = relationship.citations.count()
    assert client_editor.delete(f"{API}/relationships/{relationship.slug}/").status_code == 204

    found = changes_since(client, start, type="relationship")
    assert len(found) == 1
    (change,) = found
    assert (change["action"], change["key"]) == ("deleted", "uk-aisi-us-aisi-mou")
    assert change["html_url"] is None
    assert change["fields"]["description"]["before"] == relationship.description
    assert change["fields"]["description"]["after"] is None
    titles = feed_titles(client, type="relationship")
    assert [t for t in titles if t.startswith("Deleted: ")] == [
        f"Deleted: Relationship {change['label']}"
    ]
    # Its citations went with it, each deleted once.
    gone = changes_since(client, start, type="citation")
    assert [c["action"] for c in gone] == ["deleted"] * citations


def test_writes_of_one_transaction_share_one_version_after_the_last_one_seen(client, start):
    with transaction.atomic():
        for level in EngagementLevel.objects.all():
            level.name = level.name.upper()
            level.save()
    found = changes_since(client, start)
    assert len(found) == 4
    assert {c["version"] for c in found} == {dataset_version().version}
    # Asking again from the last version seen: nothing twice.
    assert changes_since(client, found[-1]["version"]) == []


def test_pages_follow_each_other_without_gaps_or_repeats(client, client_editor, start):
    for level in EngagementLevel.objects.all():
        response = client_editor.patch(
            f"{API}/levels/{level.slug}/", {"name": f"{level.name}!"}, format="json"
        )
        assert response.status_code == 200
    one_by_one = changes_since(client, start, page_size="1")
    assert len(one_by_one) == 4
    assert one_by_one == changes_since(client, start)
    first = client.get(f"{API}/changes/?since={start}&page_size=3").json()
    assert len(first["results"]) == 3 and "cursor=" in first["next"]
    assert client.get(first["next"]).json()["next"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"framework": "eu-ai-office-uk-aisi"}, {"cell", "citation"}),
        ({"framework": "eu-ai-office-us-aisi"}, set()),
        ({"activity": "standards"}, {"cell", "citation"}),
        ({"level": "separation"}, {"cell", "citation"}),
        ({"level": "collaboration"}, set()),
        ({"institution": "uk-aisi"}, {"cell", "citation", "mandate"}),
        ({"institution": "us-aisi"}, set()),
        # The citations into it, and the cells of the frameworks built on it.
        ({"document": "synergies-eu-ai-office-uk-aisi-2025"}, {"citation", "cell"}),
        ({"type": "mandate"}, {"mandate"}),
        ({"type": "cell,mandate", "institution": "uk-aisi"}, {"cell", "mandate"}),
    ],
)
def test_filters_keep_the_changes_that_concern_them(client, client_editor, start, params, expected):
    cell = standards_separation()
    citation = cell.citations.first()
    client_editor.patch(f"{API}/cells/{cell.pk}/", {"emphasised": True}, format="json")
    client_editor.patch(f"{API}/citations/{citation.pk}/", {"role": "support"}, format="json")
    mandate = client_editor.get(f"{API}/mandates/?institution=uk-aisi").json()["results"][0]
    client_editor.patch(
        mandate["api_url"],
        {"status": (mandate["status"] == "yes" and "partial") or "yes"},
        format="json",
    )
    assert {c["type"] for c in changes_since(client, start, **params)} == expected


def test_a_version_beyond_the_current_one_lists_nothing(client):
    response = client.get(f"{API}/changes/?since={dataset_version().version + 1000}")
    assert response.status_code == 200
    assert response.json() == {
        "since": dataset_version().version + 1000,
        "next": None,
        "results": [],
    }


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("since=yesterday", "since"),
        ("since=-1", "since"),
        ("since=1.5", "since"),
        ("since=99999999999999999999999", "since"),
        ("since=%25s%25n", "since"),
        ("since=%00", "since"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=MS4y", "cursor"),
        ("type=cells", "type"),
        ("framework=no-such-framework", "framework"),
        ("institution=%25s", "institution"),
        ("document=a%00b", "document"),
        ("level=" + "x" * 300, "level"),
        ("page_size=0", "page_size"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, query, name):
    response = client.get(f"{API}/changes/?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [name]


def test_csv_lists_every_change_since(client, client_editor, start):
    client_editor.patch(f"{API}/levels/separation/", {"name": "Apart"}, format="json")
    response = client.get(f"{API}/changes/?since={start}&format=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    header, row, *rest = body.splitlines()
    assert header.startswith("Version,Time,Action,Type,Key,Label")
    # The label says what the object is called as of that change.
    assert ",changed,level,separation,Apart,Ada Lovelace," in row and rest == []


def test_a_cell_history_names_editors_publicly(client, client_editor):
    cell = standards_separation()
    client_editor.patch(f"{API}/cells/{cell.pk}/", {"emphasised": True}, format="json")
    history = client.get(f"{API}/cells/{cell.pk}/history/").json()
    assert history[0]["user"] == PUBLIC_NAME


def test_query_count_does_not_grow_with_the_history(
    client, editor, start, django_assert_max_num_queries
):
    make_history(editor, 3)
    url = f"{API}/changes/?since={start}&page_size=5"
    # 1 dataset version (conditional GET), 1 the page of changes (one query over every
    # history table), then for the one type on the page: 1 its records with the record
    # before each, 1 which of them still exist.
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
    make_history(editor, 30)
    with django_assert_max_num_queries(4):
        assert len(client.get(url).json()["results"]) == 5
    # Every type on one page: at most two queries more per type, whatever the history.
    with django_assert_max_num_queries(2 + 2 * 12 + 2):
        assert client.get(f"{API}/changes/?since=0&page_size=500").status_code == 200


def test_changes_of_a_deleted_documents_passages_are_listed(client):
    """A passage's change is labelled with its document's title; once the document is
    deleted too, the change is still listed (it was a 500), under the passage's id (it was
    the history record's), on the API, the page and the feed."""
    from sources.models import Document
    from tests.factories import DocumentFactory

    since = dataset_version().version
    document = DocumentFactory(slug="gone-report")
    ids = set(document.passages.values_list("pk", flat=True))
    with transaction.atomic():
        document.passages.all().delete()
        Document.objects.filter(pk=document.pk).delete()
    response = client.get(f"{API}/changes/", {"since": since, "type": "passage"})
    assert response.status_code == 200
    results = response.json()["results"]
    # Created, then deleted: each passage twice, under its id (not its history record's).
    assert sorted((change["key"], change["action"]) for change in results) == sorted(
        (pk, action) for pk in ids for action in ("created", "deleted")
    )
    assert all(change["label"] == f"passage {change['key']}" for change in results)
    assert client.get("/changes/", {"type": "passage"}).status_code == 200
    assert feed_titles(client, type="passage")
