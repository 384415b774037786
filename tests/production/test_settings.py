"""Settings from the environment: production refuses to start without its secret.

The parsers every setting goes through (`core.env`) are tested in tests/unit/test_core.py.
"""

from __future__ import annotations

import pytest


@pytest.mark.server  # a process of its own
def test_production_without_a_secret_key_does_not_start():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; settings.SECRET_KEY",
        ],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
