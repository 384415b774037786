"""Unit tests: the pure parts, without a database and without the seeded knowledge base.

pytest-django already refuses the database to a test that does not ask for it ("Database
access not allowed"). Here asking for it is refused too, before any fixture runs, so that
a unit test cannot quietly come to need the database and `make test-fast` stays fast.
"""

from __future__ import annotations

import pytest

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences"}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    wanted = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("django_db") or wanted:
        pytest.fail(
            f"{item.nodeid} asks for the database ({', '.join(sorted(wanted)) or 'django_db'}); "
            "unit tests need none: put it beside the tests of its app instead.",
            pytrace=False,
        )
