"""Fixtures of the API tests: clients for anonymous, outsider and editor, the WSGI
application called directly. (Each test starts with a clean cache: tests/conftest.py.)"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

# The models editors may change through the API, each with add/change/delete.
EDITABLE = {
    "engagement": ["cell", "engagementlevel", "activity", "framework"],
    "institutions": ["institution", "mandate", "relationship"],
    "sources": ["citation"],
}


@pytest.fixture
def _wsgi_keeps_the_test_connection():
    """For tests that call the WSGI application directly (schemathesis, a generated client
    over httpx's WSGI transport): as Django's own test client does, keep the request
    signals from closing the connection that holds the test's transaction (PostgreSQL
    would lose it mid-test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def client_anon() -> APIClient:
    return APIClient()


def _token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.token = token.key
    return client


@pytest.fixture
def editors_group(db) -> Group:
    group, _ = Group.objects.get_or_create(name="editors")
    for app_label, models in EDITABLE.items():
        for model in models:
            for action in ("add", "change", "delete"):
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )
    return group


@pytest.fixture
def editor(django_user_model, editors_group):
    user = django_user_model.objects.create_user("editor", password="correct horse battery")
    user.groups.add(editors_group)
    return user


@pytest.fixture
def client_editor(editor) -> APIClient:
    return _token_client(editor)


@pytest.fixture
def client_outsider(django_user_model, db) -> APIClient:
    user = django_user_model.objects.create_user("reader", password="correct horse battery")
    return _token_client(user)
