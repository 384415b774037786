"""Shared fixtures. The seeded knowledge base is loaded once per test session.

Tests run inside a transaction that is rolled back, so the seeded data is the same for
every test. A test that needs real commits (`transaction=True`, a live server) empties
the database when it ends; such a test must take the `reseed` fixture.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from atlas.seeding import knowledge_base_seed
from engagement.models import Cell
from sources.models import Citation, Document
from tests import tiers
from tests.factories import CellFactory, CitationFactory, DocumentFactory, FrameworkFactory


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


# Property tests prove behaviour, not speed (speed lives in bench/): no per-example deadline,
# which a loaded two-core machine would break for nothing.
hypothesis_settings.register_profile("atlas", deadline=None)
hypothesis_settings.load_profile("atlas")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)


@pytest.fixture
def kb(db):
    """The seeded knowledge base (loaded once per session; reloaded if a test emptied it),
    with every content type in Django's cache, as in a server that has answered a request:
    a test that emptied the database also emptied that cache, and the query counts of the
    tests after it would count a lookup no running server makes."""
    if not Cell.objects.exists():
        knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)
    content_types_warm()


def content_types_warm() -> None:
    """Every content type in Django's cache, as in a server that has answered a request
    (making permissions, as an editors' group sync does, empties that cache)."""
    ContentType.objects.get_for_models(*apps.get_models())


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


@pytest.fixture
def response_cache(settings):
    """The response cache on (it is off in tests), starting and ending empty."""
    settings.ATLAS_RESPONSE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counts live in the cache; each test starts with none, so the suite never
    # trips the limits, whatever ran before (the hostile-parameter tests send hundreds of
    # anonymous API requests).
    cache.clear()
    yield
    cache.clear()


# A source read from pages (a PDF): page 2 begins with `findings-p2`, and `findings-p3`
# runs over the break onto page 3.
PAGED_PAGES = (
    "Findings\n\nThe first page holds this paragraph.\n\n",
    "The two institutions share evaluation methods.\n\nThis paragraph runs over the page ",
    "break onto page three.\n",
)


@dataclass
class Paged:
    """A paged document, a framework on it and two cells: `cell` cites `findings-p2` (page
    2), `over` cites `findings-p3` (pages 2–3)."""

    document: Document
    cell: Cell
    over: Cell

    def citation(self, cell: Cell) -> Citation:
        return cell.citations.get()


@pytest.fixture
def paged(kb) -> Paged:
    """A source with pages, as the PDF reader gives it, and cells citing its second page."""
    starts = [0]
    for page in PAGED_PAGES[:-1]:
        starts.append(starts[-1] + len(page))
    document = DocumentFactory(
        slug="paged-report",
        title="A Paged Report",
        publisher="Test Institute",
        text="".join(PAGED_PAGES),
        page_starts=starts,
    )
    framework = FrameworkFactory(slug="paged-framework", document=document)
    cells = []
    for anchor in ("findings-p2", "findings-p3"):
        cell = CellFactory(framework=framework)
        CitationFactory(claim=cell, passage=document.passages.get(anchor=anchor))
        cells.append(cell)
    return Paged(document, *cells)


# --- accounts made as their commands make them (`create_reader`, `create_editor`) ---------

ACCOUNT_PASSWORD = "a-long-account-passphrase"


def account_create(command: str, username: str, name: str, monkeypatch):
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", ACCOUNT_PASSWORD)
    call_command(command, username, name=name, stdout=io.StringIO())
    return get_user_model().objects.get(username=username)


@pytest.fixture
def reader(kb, monkeypatch):
    """A reader (the `readers` group), as `manage.py create_reader` makes one."""
    return account_create("create_reader", "alice", "Alice Reader", monkeypatch)


@pytest.fixture
def flag_editor(kb, monkeypatch):
    """An editor, as `manage.py create_editor` makes one: settles readers' flags."""
    return account_create("create_editor", "bob", "Bob Editor", monkeypatch)
