"""Settings of the app servers the suite starts itself (tests/test_two_servers.py):
production's, read from the environment as in production (DEBUG off, the database,
the shared cache from REDIS_URL, the API's rates), but for two things a test cannot
give them: collected static files (pages find them in the source directories, no
manifest) and slow password hashes (the suite's users are made with MD5)."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 60)

from tatracker.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
