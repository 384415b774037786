"""Settings from the environment: a bad value names its variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_url


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("off", False), ("TRUE", True), ("", False)]
)
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", default=True) is expected


def test_a_bad_integer_names_the_variable(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "ten")
    with pytest.raises(ImproperlyConfigured, match="DB_CONN_MAX_AGE"):
        env_int("DB_CONN_MAX_AGE", 60)
    monkeypatch.setenv("DB_CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("DB_CONN_MAX_AGE", 60, minimum=0)


def test_an_empty_list_is_refused(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " , ")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env_list("ALLOWED_HOSTS", ["localhost"])


def test_a_url_with_the_wrong_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/atlas")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_url("DATABASE_URL", schemes=("sqlite", "postgres"))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert env_url("REDIS_URL", schemes=("redis",)) == "redis://127.0.0.1:6379/0"


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
