"""The test running now, so that a helper that starts a process or an outside tool can
insist on the test's tier marker (docs/testing.md): a new test that runs pandoc or starts a
server without its marker fails, and `make test-quick` stays quick."""

from __future__ import annotations

import pytest

running: pytest.Item | None = None


def require_marker(name: str, what: str) -> None:
    """Fail the running test unless it carries `@pytest.mark.<name>`."""
    if running is not None and running.get_closest_marker(name) is None:
        pytest.fail(
            f"{running.nodeid} {what}: mark it @pytest.mark.{name} (docs/testing.md)",
            pytrace=False,
        )
