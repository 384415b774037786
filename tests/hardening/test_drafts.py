"""A draft framework leaks nowhere: on every route that lists or shows frameworks, cells,
citations or activities, the public (anonymous, or signed in without being an editor)
finds no trace of a draft, its cells, their citations or the activities only it holds,
and gets a 404 at their own addresses; an editor sees them; once published, everyone
does, at once."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atlas.releases import release_create
from core.dataset import version_seal
from engagement.models import EngagementLevel, Framework, FrameworkStatus
from engagement.services import framework_publish
from institutions.models import Institution
from sources.models import Passage
from tests.factories import ActivityFactory, CellFactory, CitationFactory, FrameworkFactory

DRAFT_NAME = "Zephyrine Draft Matrix"
DRAFT_SLUG = "zephyrine-draft"
CELL_TEXT = "Quixotic marmalade clause of the draft"
ACTIVITY_NAME = "Xylographic drafting"
ACTIVITY_SLUG = "xylographic-drafting"
# Each one of these found in a response is a leak.
MARKERS = (DRAFT_NAME, DRAFT_SLUG, "Quixotic marmalade", ACTIVITY_NAME, ACTIVITY_SLUG)
TAG = "v-draft-era"


@pytest.fixture
def draft(kb):
    """A draft of a seeded document and institution: one cell with a citation, on an
    activity no published framework holds; and a release made while it is a draft. Each
    step in a version of its own, as each would be its own transaction."""
    published = Framework.objects.order_by("pk").first()
    framework = FrameworkFactory(
        slug=DRAFT_SLUG,
        name=DRAFT_NAME,
        description="A draft drawn from the source's table.",
        status=FrameworkStatus.DRAFT,
        document=published.document,
        institutions=[published.institutions.order_by("pk").first()],
    )
    activity = ActivityFactory(slug=ACTIVITY_SLUG, name=ACTIVITY_NAME)
    level = EngagementLevel.objects.order_by("ordinal").first()
    cell = CellFactory(framework=framework, activity=activity, level=level, text=CELL_TEXT)
    passage = Passage.objects.filter(document=published.document).order_by("pk").first()
    citation = CitationFactory(claim=cell, passage=passage)
    version_seal()
    release_create(tag=TAG, title="Made while a draft existed")
    version_seal()
    return framework, cell, citation


@pytest.fixture
def staff(kb) -> User:
    """An editor, as `manage.py create_editor` makes one: a staff account."""
    return User.objects.create_user("drafts-editor", password="a-long-passphrase", is_staff=True)


@pytest.fixture
def outsider(kb) -> User:
    """Signed in, not an editor."""
    return User.objects.create_user("drafts-reader", password="a-long-passphrase")


def _listing_routes() -> list[str]:
    """Every route that lists frameworks, cells, citations or activities, or counts them."""
    published = Framework.objects.order_by("pk").first()
    document = published.document
    institution = Institution.objects.order_by("pk").first()
    level = EngagementLevel.objects.order_by("ordinal").first()
    passage = Passage.objects.filter(document=document).order_by("pk").first()
    other = Framework.objects.exclude(pk=published.pk).order_by("pk").first()
    return [
        "/",
        "/frameworks/",
        "/frameworks/?q=draft",
        f"/frameworks/compare/?a={published.slug}&b={other.slug}",
        f"/frameworks/{published.slug}/",
        f"/frameworks/{published.slug}/export.csv",
        "/activities/",
        "/levels/",
        f"/levels/{level.slug}/",
        "/institutions/",
        f"/institutions/{institution.slug}/",
        "/documents/",
        f"/documents/{document.slug}/",
        f"/documents/{document.slug}/passages/{passage.anchor}/cited-by/",
        "/search/?q=marmalade",
        "/search/?q=Zephyrine",
        "/search/?q=Xylographic",
        "/search/?q=draft",
        "/api/v1/search/?q=marmalade",
        "/api/v1/search/?q=Xylographic",
        "/api/v1/frameworks/?page_size=500",
        "/api/v1/frameworks/?format=csv",
        "/api/v1/cells/?ordering=-id",
        "/api/v1/cells/?q=marmalade",
        f"/api/v1/cells/?level={level.slug}&ordering=-id&format=csv",
        "/api/v1/activities/?page_size=500",
        "/api/v1/citations/?ordering=-id",
        f"/api/v1/citations/?document={document.slug}&ordering=-id&format=csv",
        f"/api/v1/institutions/{institution.slug}/",
        f"/api/v1/documents/{document.slug}/",
        "/api/v1/changes/",
        "/api/v1/changes/?type=framework,cell,citation,activity",
        "/changes/",
        "/changes/feed.atom",
        "/export/datapackage.zip",
        "/releases/",
        f"/releases/{TAG}/",
        f"/releases/{TAG}/datapackage.zip",
        f"/releases/compare/?a={TAG}&b=current",
        f"/releases/compare/export.csv?a={TAG}&b=current",
        "/api/v1/releases/",
        f"/frameworks/{published.slug}/?release={TAG}",
        f"/api/v1/cells/?release={TAG}&ordering=-id",
    ]


def _own_routes(framework, cell, citation) -> list[str]:
    """The addresses of the draft and of what only it holds."""
    at = f"/frameworks/{framework.slug}/cells/{cell.activity.slug}/{cell.level.slug}/"
    return [
        f"/frameworks/{framework.slug}/",
        *(f"/frameworks/{framework.slug}/export.{fmt}" for fmt in ("csv", "xlsx", "json", "md")),
        f"/frameworks/{framework.slug}/export.bib",
        at,
        *(f"{at}cite.{fmt}" for fmt in ("bib", "json", "ris", "txt")),
        f"/activities/{ACTIVITY_SLUG}/",
        f"/api/v1/frameworks/{framework.slug}/",
        f"/api/v1/cells/{cell.pk}/",
        f"/api/v1/cells/{cell.pk}/history/",
        f"/api/v1/citations/{citation.pk}/",
        f"/api/v1/activities/{ACTIVITY_SLUG}/",
    ]


def _text(response) -> str:
    """What a response says, a zip's files included."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def _leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker.lower() in text.lower()]


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_no_list_search_feed_package_or_release_shows_a_draft(client, draft, outsider, who):
    _as(client, outsider if who == "outsider" else None)
    for url in _listing_routes():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert _leaks(_text(response)) == [], url


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_the_draft_and_what_only_it_holds_are_not_found(client, draft, outsider, who):
    _as(client, outsider if who == "outsider" else None)
    for url in _own_routes(*draft):
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert DRAFT_NAME not in _text(response), url


def test_a_filter_naming_the_draft_is_refused_as_an_unknown_slug(client, draft):
    published = Framework.objects.exclude(pk=draft[0].pk).order_by("pk").first()
    for url in (
        f"/api/v1/cells/?framework={DRAFT_SLUG}",
        f"/api/v1/cells/?activity={ACTIVITY_SLUG}",
        f"/api/v1/frameworks/?page_size=500&activity={ACTIVITY_SLUG}",
        f"/frameworks/compare/?a={DRAFT_SLUG}&b={published.slug}",
        f"/activities/?q={ACTIVITY_SLUG}",
        f"/api/v1/changes/?framework={DRAFT_SLUG}",
        f"/changes/?framework={DRAFT_SLUG}",
        f"/search/?q=draft&framework={DRAFT_SLUG}",
    ):
        response = client.get(url)
        unknown = client.get(url.replace(DRAFT_SLUG, "no-such").replace(ACTIVITY_SLUG, "no-such"))
        # Answered as for a slug nobody knows (which the answer may echo): never the draft's
        # name, its cell or its activity's name.
        assert response.status_code == unknown.status_code, url
        assert response.status_code in (200, 400), url
        leaks = [m for m in _leaks(_text(response)) if m not in (DRAFT_SLUG, ACTIVITY_SLUG)]
        assert leaks == [], url


def test_an_editor_sees_the_draft_with_its_banner(client, draft, staff):
    framework, cell, _ = draft
    client.force_login(staff)
    for url in _own_routes(*draft):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for url in (
        f"/frameworks/{DRAFT_SLUG}/",
        f"/frameworks/{DRAFT_SLUG}/cells/{cell.activity.slug}/{cell.level.slug}/",
    ):
        page = client.get(url).content.decode()
        assert (
            '<p class="banner banner-draft" role="status"><strong>Draft:</strong> only '
            "editors can see this framework" in page
        )
    for url in (
        "/frameworks/",
        "/activities/",
        "/search/?q=marmalade",
        "/api/v1/frameworks/?page_size=500",
        "/api/v1/cells/?q=marmalade",
        "/api/v1/changes/?type=framework",
        "/export/datapackage.zip",
    ):
        assert _leaks(_text(client.get(url))), url
    detail = client.get(f"/api/v1/frameworks/{DRAFT_SLUG}/").json()
    assert detail["status"] == "draft"
    # Published pages carry no banner.
    published = Framework.objects.exclude(pk=framework.pk).order_by("pk").first()
    assert "banner-draft" not in client.get(published.get_absolute_url()).content.decode()


def test_once_published_everyone_sees_it_and_the_release_still_does_not(client, draft, staff):
    framework = draft[0]
    framework_publish(framework=framework, changed_by=staff)
    for url in _own_routes(*draft):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert "banner-draft" not in client.get(f"/frameworks/{DRAFT_SLUG}/").content.decode()
    for url in ("/frameworks/", "/activities/", "/api/v1/frameworks/?page_size=500"):
        assert _leaks(_text(client.get(url))), url
    assert CELL_TEXT in _text(client.get("/api/v1/cells/?q=marmalade"))
    assert "marmalade" in _text(client.get("/search/?q=marmalade")).lower()
    assert CELL_TEXT in _text(client.get("/export/datapackage.zip"))
    # The release froze the published state of its time: the draft is not in it.
    assert _leaks(_text(client.get(f"/releases/{TAG}/datapackage.zip"))) == []
    response = client.get(f"/frameworks/{DRAFT_SLUG}/?release={TAG}")
    assert response.status_code == 404


def test_index_pages_make_the_same_queries_with_a_draft(client, kb):
    """A draft adds no query to the public's index pages and lists."""
    urls = ("/frameworks/", "/activities/", "/api/v1/frameworks/", "/api/v1/cells/")

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url)  # warm: content types, the first query of a kind
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    framework = FrameworkFactory(status=FrameworkStatus.DRAFT)
    CellFactory(framework=framework)
    assert counts() == before
