"""The version-keyed response cache: a write is visible on the very next request."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections
from django.test import Client, RequestFactory

from atlas.seeding import knowledge_base_seed
from core import cache as core_cache
from core.cache import _may_store
from engagement.models import EngagementLevel, Framework
from institutions.models import Institution
from sources.models import Citation, Passage
from tests.factories import FrameworkFactory
from tests.helpers import brief_cell

URL = "/frameworks/eu-ai-office-uk-aisi/"


def test_a_page_is_served_from_the_cache_with_one_query(
    kb, client, response_cache, django_assert_num_queries
):
    first = client.get(URL)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    # 1. the dataset version; the page itself comes from the cache.
    with django_assert_num_queries(1):
        second = client.get(URL)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_write_is_visible_on_the_next_request(kb, client, response_cache):
    assert client.get(URL)["X-Cache"] == "miss"
    assert client.get(URL)["X-Cache"] == "hit"
    Framework.objects.filter(slug="eu-ai-office-uk-aisi").update(name="Renamed by an editor")
    after = client.get(URL)
    assert after["X-Cache"] == "miss"
    assert "<h1>Renamed by an editor</h1>" in after.content.decode()


def test_query_string_and_accept_are_part_of_the_key(kb, client, response_cache):
    assert client.get(URL)["X-Cache"] == "miss"
    assert client.get(URL, {"q": "evaluation"})["X-Cache"] == "miss"
    assert client.get(URL, HTTP_ACCEPT="application/json")["X-Cache"] == "miss"
    assert client.get(URL, HTTP_ACCEPT="application/json")["X-Cache"] == "hit"


def test_errors_are_not_cached(kb, client, response_cache):
    for _ in range(2):
        response = client.get(URL, {"level": "no-such-level"})
        assert response.status_code == 400
        assert "X-Cache" not in response
    assert client.get("/frameworks/no-such-framework/").status_code == 404
    assert "X-Cache" not in client.get("/frameworks/no-such-framework/")


def test_signed_in_users_and_other_methods_bypass_the_cache(kb, client, response_cache):
    assert "X-Cache" not in client.head(URL)
    assert "X-Cache" not in client.post(URL)
    user = get_user_model().objects.create_user("editor", password="a-long-passphrase-1")
    client.force_login(user)
    for _ in range(2):
        assert "X-Cache" not in client.get(URL)


def test_off_unless_enabled(kb, client, settings):
    settings.ATLAS_RESPONSE_CACHE = False
    assert "X-Cache" not in client.get(URL)


def test_a_response_personal_to_the_visitor_is_not_stored(kb, client):
    request = RequestFactory().get(URL)
    response = client.get(URL)
    assert _may_store(request, response)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    assert not _may_store(request, response)
    request = RequestFactory().get(URL)
    request._csp_nonce = "abc"
    assert not _may_store(request, response)
    request = RequestFactory().get(URL)
    response.set_cookie("x", "y")
    assert not _may_store(request, response)


def test_an_unreachable_cache_serves_pages_uncached(kb, client, settings):
    settings.ATLAS_RESPONSE_CACHE = True
    # Nothing listens on port 1: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get(URL)
    assert response.status_code == 200
    assert "X-Cache" not in response


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=evaluations",
        "/api/v1/search/?q=evaluations",
        "/frameworks/",
        "/documents/synergies-eu-ai-office-uk-aisi-2025/",
        "/institutions/eu-ai-office/",
        "/activities/develop-evaluations/",
    ],
)
def test_pages_and_api_are_cached_until_the_next_write(
    kb, client, response_cache, django_assert_num_queries, url
):
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    # 1. the dataset version.
    with django_assert_num_queries(1):
        assert client.get(url)["X-Cache"] == "hit"
    Framework.objects.filter(slug="eu-ai-office-uk-aisi").update(description="edited")
    assert client.get(url)["X-Cache"] == "miss"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cells/?framework=eu-ai-office-uk-aisi&level=coordination",
        "/api/v1/institutions/eu-ai-office/",
        "/api/v1/frameworks/",
    ],
)
def test_api_reads_are_cached_and_still_answer_conditional_gets(
    kb, client, response_cache, django_assert_num_queries, url
):
    first = client.get(url)
    assert (first.status_code, first["X-Cache"]) == (200, "miss")
    # 1. the dataset version.
    with django_assert_num_queries(1):
        second = client.get(url)
    assert (second["X-Cache"], second.content, second["ETag"]) == (
        "hit",
        first.content,
        first["ETag"],
    )
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Framework.objects.filter(slug="eu-ai-office-uk-aisi").update(description="edited")
    third = client.get(url)
    assert third["X-Cache"] == "miss"
    if url.startswith("/api/v1/institutions/"):
        # One object's ETag is its own: editing a framework left the institution as it was.
        assert third["ETag"] == first["ETag"]
    else:
        assert third["ETag"] != first["ETag"]


# --- what a write moves: the pages that show what it changed, and no others -----------------

BRIEF = "/frameworks/eu-ai-office-uk-aisi/"
ARTICLE = "/frameworks/eu-ai-office-us-aisi/"
# Pages of the framework drawn from the news article, and of the article itself.
ARTICLE_PAGES = [
    ARTICLE,
    f"{ARTICLE}?level=collaboration",
    f"{ARTICLE}cells/develop-evaluations/collaboration/",
    "/documents/eu-us-ttc-ai-collaboration-2024/",
]
BRIEF_PAGES = [
    "/",
    BRIEF,
    f"{BRIEF}?level=coordination&q=evaluation",
    f"{BRIEF}cells/incident-reporting/communication/",
    "/documents/synergies-eu-ai-office-uk-aisi-2025/",
]


def cache_states(client, urls) -> dict[str, str]:
    return {url: client.get(url)["X-Cache"] for url in urls}


def test_an_edit_to_one_framework_leaves_the_others_pages_cached(kb, client, response_cache):
    assert set(cache_states(client, [*BRIEF_PAGES, *ARTICLE_PAGES]).values()) == {"miss"}
    assert set(cache_states(client, [*BRIEF_PAGES, *ARTICLE_PAGES]).values()) == {"hit"}
    cell = brief_cell("incident-reporting", "communication")
    cell.text = "Share incident reports within a week"
    cell.save()
    assert cache_states(client, ARTICLE_PAGES) == dict.fromkeys(ARTICLE_PAGES, "hit")
    assert cache_states(client, BRIEF_PAGES) == dict.fromkeys(BRIEF_PAGES, "miss")
    assert "Share incident reports within a week" in client.get(BRIEF).content.decode()


@pytest.mark.parametrize(
    ("write", "moved", "kept"),
    [
        # A name shown on the pages of the frameworks the institution is in, and its own.
        (
            lambda: Institution.objects.filter(slug="us-aisi").update(name="Renamed institute"),
            # The EU AI Office's page names its ties to the US AISI.
            [ARTICLE, "/institutions/us-aisi/", "/institutions/", "/institutions/eu-ai-office/"],
            [BRIEF, "/institutions/china-aisi/", "/documents/"],
        ),
        # A passage of the brief: its reader, and the pages citing it.
        (
            lambda: Passage.objects.filter(
                document__slug="synergies-eu-ai-office-uk-aisi-2025", anchor="footnote-2"
            ).update(html="<p>Edited.</p>"),
            ["/documents/synergies-eu-ai-office-uk-aisi-2025/", BRIEF, "/levels/collaboration/"],
            [ARTICLE, "/documents/eu-us-ttc-ai-collaboration-2024/", "/institutions/"],
        ),
        # A citation of a cell: that framework's pages.
        (
            lambda: Citation.objects.filter(cell__framework__slug="eu-ai-office-us-aisi").update(
                orphaned=True
            ),
            [ARTICLE, "/documents/eu-us-ttc-ai-collaboration-2024/"],
            [BRIEF, "/documents/synergies-eu-ai-office-uk-aisi-2025/"],
        ),
        # A level's name: every page that shows the levels.
        (
            lambda: EngagementLevel.objects.filter(slug="separation").update(name="Apart"),
            [BRIEF, ARTICLE, "/levels/collaboration/"],
            ["/institutions/", "/documents/"],
        ),
        # A new framework: the lists of frameworks, not the frameworks already there.
        (
            lambda: FrameworkFactory(),
            ["/activities/develop-evaluations/", "/frameworks/"],
            [BRIEF, ARTICLE, "/institutions/eu-ai-office/"],
        ),
    ],
    ids=["institution-name", "passage", "citation", "level-name", "new-framework"],
)
def test_a_write_moves_the_pages_that_show_what_it_changed(
    kb, client, response_cache, write, moved, kept
):
    urls = [*moved, *kept]
    cache_states(client, urls)
    assert cache_states(client, urls) == dict.fromkeys(urls, "hit")
    write()
    assert cache_states(client, urls) == {
        **dict.fromkeys(moved, "miss"),
        **dict.fromkeys(kept, "hit"),
    }


def test_a_hit_of_a_page_with_scopes_costs_one_query(
    kb, client, response_cache, django_assert_num_queries
):
    assert client.get(BRIEF)["X-Cache"] == "miss"
    # 1. the versions of the page's scopes.
    with django_assert_num_queries(1):
        assert client.get(BRIEF)["X-Cache"] == "hit"


def test_a_page_is_not_stored_when_a_write_lands_while_it_renders(
    kb, client, response_cache, monkeypatch
):
    from engagement import views

    render = views.FrameworkDetailView.get

    def render_then_write(self, request, *args, **kwargs):
        response = render(self, request, *args, **kwargs)
        # Another editor's write, committed while this page was being built.
        Framework.objects.filter(slug="eu-ai-office-us-aisi").update(description="meanwhile")
        return response

    monkeypatch.setattr(views.FrameworkDetailView, "get", render_then_write)
    assert "X-Cache" not in client.get(BRIEF)
    monkeypatch.setattr(views.FrameworkDetailView, "get", render)
    assert client.get(BRIEF)["X-Cache"] == "miss"
    assert client.get(BRIEF)["X-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_concurrent_misses_build_the_page_once(client, settings, monkeypatch, reseed):
    """Eight requests for a page nobody has cached: one builds it, seven wait and are served
    what it stored.

    No sleep decides the order: the one building waits until the seven others are waiting
    for its entry, and the waits are long enough for a loaded machine (what is proved is
    who builds, not how fast)."""
    from engagement import views

    knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)
    settings.ATLAS_RESPONSE_CACHE = True
    cache.clear()
    monkeypatch.setattr(core_cache, "LOCK_SECONDS", 300)
    monkeypatch.setattr(core_cache, "LOCK_WAIT_SECONDS", 120.0)
    render = views.FrameworkDetailView.get
    wait = core_cache.ResponseCacheMiddleware._wait
    builds, waiting = [], []
    all_waiting = threading.Event()
    lock = threading.Lock()

    def counted_wait(self, *args, **kwargs):
        with lock:
            waiting.append(1)
            if len(waiting) == 7:
                all_waiting.set()
        return wait(self, *args, **kwargs)

    def render_once_all_wait(self, request, *args, **kwargs):
        with lock:
            builds.append(request.path)
            if len(builds) > 1:
                all_waiting.set()  # not single-flight: no use waiting for the others
        assert all_waiting.wait(timeout=120), f"{len(waiting)} requests waiting, not 7"
        return render(self, request, *args, **kwargs)

    monkeypatch.setattr(core_cache.ResponseCacheMiddleware, "_wait", counted_wait)
    monkeypatch.setattr(views.FrameworkDetailView, "get", render_once_all_wait)
    start = threading.Barrier(8)

    def fetch(_):
        start.wait(timeout=120)
        try:
            response = Client().get(BRIEF)
            return response.status_code, response["X-Cache"], response.content
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(8)))
    assert builds == [BRIEF]
    assert len(waiting) == 7
    assert sorted(state for _, state, _ in results) == ["hit"] * 7 + ["miss"]
    assert len({(status, content) for status, _, content in results}) == 1
    cache.clear()
