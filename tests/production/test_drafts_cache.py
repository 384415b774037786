"""The response cache and drafts: an editor's view of a draft is never served to the public
nor the public's to an editor, and a publication is on every cached page at once."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from core.dataset import version_seal
from engagement.models import EngagementLevel, Framework, FrameworkStatus
from engagement.services import framework_publish
from sources.models import Passage
from tests.factories import ActivityFactory, CellFactory, CitationFactory, FrameworkFactory

NAME = "Zephyrine Cached Draft"
ACTIVITY = "Xylographic caching"


def _draft():
    published = Framework.objects.get(slug="eu-ai-office-uk-aisi")
    framework = FrameworkFactory(
        name=NAME,
        status=FrameworkStatus.DRAFT,
        document=published.document,
        institutions=[published.institutions.order_by("pk").first()],
    )
    cell = CellFactory(
        framework=framework,
        activity=ActivityFactory(name=ACTIVITY),
        level=EngagementLevel.objects.order_by("ordinal").first(),
    )
    CitationFactory(claim=cell, passage=Passage.objects.filter(document=published.document)[0])
    return published, framework


def test_editors_and_the_public_never_share_a_cached_draft(kb, client, response_cache):
    published, framework = _draft()
    institution = framework.institutions.get()
    pages = (
        "/frameworks/",
        "/activities/",
        published.get_absolute_url(),
        institution.get_absolute_url(),
        f"/documents/{published.document.slug}/",
    )
    for url in pages:
        first = client.get(url)
        assert first["X-Cache"] == "miss", url
        assert client.get(url)["X-Cache"] == "hit", url
        assert NAME not in first.content.decode() and ACTIVITY not in first.content.decode()
    editor = Client()
    editor.force_login(User.objects.create_user("cache-editor", password="x" * 20, is_staff=True))
    seen = editor.get("/frameworks/")
    assert "X-Cache" not in seen and NAME in seen.content.decode()
    assert ACTIVITY in editor.get("/activities/").content.decode()
    # The public's copy is still its own.
    again = client.get("/frameworks/")
    assert again["X-Cache"] == "hit" and NAME not in again.content.decode()

    version_seal()  # the publication is a transaction of its own
    framework_publish(framework=framework)
    for url in pages:
        after = client.get(url)
        assert after["X-Cache"] == "miss", url
    assert NAME in client.get("/frameworks/").content.decode()
    assert ACTIVITY in client.get("/activities/").content.decode()
    # A published matrix lists the activity the draft brought (an empty row there).
    assert ACTIVITY in client.get(published.get_absolute_url()).content.decode()
    assert NAME in client.get(institution.get_absolute_url()).content.decode()
