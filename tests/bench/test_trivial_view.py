"""The benchmark's yardstick view: mounted only when ATLAS_BENCH is set."""

from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import config.urls


@pytest.fixture
def bench_urls():
    """The root URLconf as loaded with ATLAS_BENCH=1; the normal one is restored after."""
    with override_settings(ATLAS_BENCH=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


def test_not_mounted_by_default(client):
    assert client.get("/bench/trivial/").status_code == 404


def test_mounted_with_atlas_bench(db, client, bench_urls, django_assert_num_queries):
    # No query: it measures Django and the middleware, nothing else.
    with override_settings(ATLAS_BENCH=True), django_assert_num_queries(0):
        response = client.get("/bench/trivial/")
    assert response.status_code == 200
    assert response.content == b"ok"
