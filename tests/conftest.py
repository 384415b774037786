"""Shared fixtures. The seeded knowledge base is loaded once per test session.

Tests run inside a transaction that is rolled back, so the seeded data is the same for
every test. A test that needs real commits (`transaction=True`, a live server) empties
the database when it ends; such a test must take the `reseed` fixture.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from atlas.seeding import knowledge_base_seed
from engagement.models import Cell
from tests import tiers


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    tiers.running = item


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Passwords hashed in a millisecond, not in a third of a second (Django's advice for
    tests): the suite makes and signs in hundreds of editors. Servers started in a process
    of their own keep the production hashers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)


@pytest.fixture
def kb(db):
    """The seeded knowledge base (loaded once per session; reloaded if a test emptied it)."""
    if not Cell.objects.exists():
        knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)


@pytest.fixture
def reseed(django_db_blocker):
    """For transactional tests: put the seeded knowledge base back once the test is over."""
    yield
    with django_db_blocker.unblock():
        knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)


@pytest.fixture(scope="module")
def reseed_after_module(django_db_blocker):
    """For modules with transactional tests: put the seeded knowledge base back once the
    module is over. (`reseed` is torn down before the transactional teardown empties the
    database; a module-scoped fixture runs after it.)"""
    yield
    with django_db_blocker.unblock():
        if not Cell.objects.exists():
            knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)
