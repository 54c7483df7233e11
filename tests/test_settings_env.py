"""DATABASE_URL and the other environment settings."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tatracker.settings import database_config, env_bool

ROOT = Path(__file__).resolve().parent.parent


def test_unset_database_url_gives_a_sqlite_file_under_var():
    config = database_config("")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(config["NAME"]).parent.name == "var"


def test_postgres_url_gives_postgresql():
    config = database_config("postgres://alice:secret@db.example.org:5433/tat")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.example.org",
        5433,
        "tat",
        "alice",
    )


def test_unknown_database_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_config("mysql://x@y/z")


def test_malformed_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")


def test_production_refuses_the_insecure_default_secret_key():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tatracker.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is unset or insecure" in result.stderr
