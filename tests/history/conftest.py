"""Fixtures of the tests of the knowledge base over time: an editor with a public name, the
version before a test's writes, a release of the seeded state."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from atlas.editors import editors_group_sync
from atlas.releases import release_create
from core.dataset import dataset_version
from core.models import Release
from tests.api.conftest import _token_client
from tests.conftest import content_types_warm

PUBLIC_NAME = "Ada Lovelace"


@pytest.fixture
def editor(kb) -> User:
    """An editor whose public name differs from her username and e-mail address."""
    user = User.objects.create_user(
        "ada.l",
        email="ada@example.org",
        password="a-long-editor-passphrase",
        first_name="Ada",
        last_name="Lovelace",
        is_staff=True,
    )
    user.groups.add(editors_group_sync())
    content_types_warm()
    return user


@pytest.fixture
def client_editor(editor):
    return _token_client(editor)


@pytest.fixture
def start(kb) -> int:
    """The dataset version before the test writes anything."""
    return dataset_version().version


@pytest.fixture
def release(kb) -> Release:
    """A release of the seeded state, made before the test edits anything."""
    return release_create(tag="v1.0", title="The brief", notes="Seeded from the brief.")
