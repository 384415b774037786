"""Health probes, the error pages and CSRF on login, in process."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from core import health


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_database_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok"},
    }


@pytest.mark.django_db
def test_readyz_names_what_is_down(client, settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "down": ["cache"],
        "checks": {"database": "ok", "cache": "down"},
    }

    def database_down():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_database", database_down)
    body = json.loads(client.get("/readyz").content)
    assert body["down"] == ["database", "cache"]
    # The reason stays in the log, not in the response.
    assert "refused" not in json.dumps(body)


@pytest.mark.django_db
def test_the_404_page_is_friendly_and_leaks_nothing(client):
    response = client.get("/documents/no-such-document/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    for leak in ("Traceback", "urlpatterns", "DEBUG", "no-such-document", "settings"):
        assert leak not in html


def test_the_500_page_is_friendly_and_leaks_nothing(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "Traceback" not in html and "Exception" not in html


@pytest.mark.django_db
def test_admin_login_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    # The same form with its token is accepted (and answers "wrong password", not 403).
    page = client.get("/admin/login/")
    token = page.context["csrf_token"]
    response = client.post(
        "/admin/login/", {"username": "a", "password": "b", "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(kb, client):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    csp = dict(
        (part.split()[0], part.split()[1:])
        for part in response["Content-Security-Policy"].split("; ")
    )
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_each_request_is_logged_as_one_json_line(client, caplog):
    import logging

    from core.logs import JsonFormatter

    caplog.set_level(logging.INFO, logger="atlas.request")
    response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-1")
    assert response["X-Request-ID"] == "probe-1"
    (record,) = [r for r in caplog.records if r.name == "atlas.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["request_id"] == "probe-1"
    assert line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float)
