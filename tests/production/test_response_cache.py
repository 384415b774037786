"""The version-keyed response cache: a write is visible on the very next request."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import RequestFactory

from core.cache import _may_store
from engagement.models import Framework

URL = "/frameworks/eu-ai-office-uk-aisi/"


@pytest.fixture
def response_cache(settings):
    settings.ATLAS_RESPONSE_CACHE = True
    cache.clear()
    yield
    cache.clear()


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
