"""Backups of the database with the database's own tools, and their restoration.

* PostgreSQL: `pg_dump --format=custom` (compressed, restorable table by table) and
  `pg_restore --clean --if-exists --single-transaction` (all or nothing).
* SQLite: SQLite's online backup API (a consistent copy even while the app
  writes).

tatracker keeps no uploaded files (imported spreadsheets are read, not stored), so
the database is the whole state; static files are rebuilt by `collectstatic`.
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BACKUP_DIR = settings.VAR_DIR / "backups"


def database_settings(url: str = "") -> dict:
    """The database to back up or restore: DATABASE_URL's (settings) or `url`'s."""
    return dj_database_url.parse(url) if url else settings.DATABASES["default"]


def is_postgresql(database: dict) -> bool:
    return "postgresql" in database["ENGINE"]


def default_backup_path(database: dict) -> Path:
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "dump" if is_postgresql(database) else "sqlite3"
    return BACKUP_DIR / f"tatracker-{stamp}.{suffix}"


def _libpq_environment(database: dict) -> dict[str, str]:
    """The connection as libpq's environment variables: no password on a command
    line, where `ps` would show it."""
    environment = dict(os.environ)
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
    }
    environment.update({key: str(value) for key, value in values.items() if value})
    return environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ImproperlyConfigured(
            f"{name} is not installed (Debian: apt-get install postgresql-client)."
        )
    return found


def database_backup(*, path: Path, database: dict | None = None) -> Path:
    """Write a backup of `database` (default: the app's) to `path`."""
    database = database or database_settings()
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgresql(database):
        subprocess.run(  # noqa: S603 (a fixed program, arguments from settings)
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={path}",
            ],
            env=_libpq_environment(database),
            check=True,
        )
        return path
    source = _sqlite_connection(database)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
    return path


def database_restore(*, path: Path, database: dict | None = None) -> None:
    """Replace the contents of `database` (default: the app's) with the backup at
    `path`. Stop the app servers first; run `migrate` afterwards if the code is
    newer than the backup."""
    if not path.is_file():
        raise FileNotFoundError(path)
    database = database or database_settings()
    if is_postgresql(database):
        subprocess.run(  # noqa: S603 (a fixed program, arguments from settings)
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database['NAME']}",
                str(path),
            ],
            env=_libpq_environment(database),
            check=True,
        )
        return
    source = sqlite3.connect(path)
    try:
        source.backup(_sqlite_connection(database))
    finally:
        source.close()


def _sqlite_connection(database: dict) -> sqlite3.Connection:
    return sqlite3.connect(database["NAME"])
