"""Backup and restore with the database's own tools."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No backup"):
        call_command("restore", str(tmp_path / "none.dump"), "--no-input")


# ---------------------------------------------------------------------------
# PostgreSQL: a real database with the 2013 data set, follow-up records and their
# history, backed up with pg_dump and restored with pg_restore into a fresh one.
# ---------------------------------------------------------------------------
def _manage(url: str, *args: str) -> str:
    environment = {
        "PATH": os.environ["PATH"],
        "DEBUG": "1",
        "DATABASE_URL": url,
        "LOG_FORMAT": "text",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _fresh_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def _drop(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fingerprint(url: str) -> dict:
    """Every table's row count, and checksums of the needs and of their history."""
    with psycopg.connect(url) as database:
        tables = [
            row[0]
            for row in database.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename"
            )
        ]
        counts = {
            table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }
        sums = {
            table: database.execute(
                f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {table} t"  # noqa: S608
            ).fetchone()[0]
            for table in ("needs_need", "needs_historicalneed")
        }
    return {"counts": counts, "checksums": sums}


def _sqlite_fingerprint(path: Path) -> dict:
    with sqlite3.connect(path) as database:
        tables = [
            row[0]
            for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        counts = {
            table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }
        sums = {
            table: hash(tuple(database.execute(f"SELECT * FROM {table} ORDER BY 1")))  # noqa: S608
            for table in ("needs_need", "needs_historicalneed")
        }
    return {"counts": counts, "checksums": sums}


def _demo_database(url: str) -> dict:
    """Migrated, with the reference and demo data; returns its statistics."""
    _manage(url, "migrate", "--no-input")
    _manage(url, "load_reference")
    _manage(url, "load_demo")
    statistics = json.loads(_manage(url, "statistics", "--format", "json"))
    return statistics


def test_sqlite_backup_restores_data_statistics_and_history(tmp_path):
    # given: a database file of its own with the demo data
    original, restored = tmp_path / "original.sqlite3", tmp_path / "restored.sqlite3"
    statistics = _demo_database(f"sqlite:///{original}")
    before = _sqlite_fingerprint(original)
    assert before["counts"]["needs_need"] > 100
    assert before["counts"]["needs_historicalneed"] > 100

    # when
    backup = tmp_path / "tatracker.backup.sqlite3"
    _manage(f"sqlite:///{original}", "backup", "--output", str(backup))
    _manage(f"sqlite:///{restored}", "restore", str(backup), "--no-input")

    # then
    assert _sqlite_fingerprint(restored) == before
    again = _manage(f"sqlite:///{restored}", "statistics", "--format", "json")
    assert json.loads(again) == statistics


@pytest.mark.postgres
def test_postgresql_backup_restores_data_statistics_and_history(tmp_path):
    # given: a database of its own with the demo data (2013 data set, follow-up)
    settings_db = connection.settings_dict
    server = (
        f"postgres://{settings_db['USER']}"
        + (f":{settings_db['PASSWORD']}" if settings_db["PASSWORD"] else "")
        + f"@{settings_db['HOST'] or '127.0.0.1'}:{settings_db['PORT'] or 5432}"
    )
    original = _fresh_database(server, "opsdb_original")
    restored = _fresh_database(server, "opsdb_restore")
    try:
        statistics = _demo_database(original)
        before = _fingerprint(original)
        assert before["counts"]["needs_need"] > 100
        assert before["counts"]["needs_historicalneed"] > 100
        assert before["counts"]["needs_followup"] > 0

        # when: backed up, restored into a fresh database
        backup = tmp_path / "tatracker.dump"
        _manage(original, "backup", "--output", str(backup))
        _manage(restored, "restore", str(backup), "--no-input")

        # then: the same rows, needs, history and statistics
        assert _fingerprint(restored) == before
        again = json.loads(_manage(restored, "statistics", "--format", "json"))
        assert again == statistics
    finally:
        _drop(server, "opsdb_original")
        _drop(server, "opsdb_restore")
