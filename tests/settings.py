"""Test settings: the real settings, made fast and hermetic."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 60)

from tatracker.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
# The suite computes every statistics document afresh: tests write needs directly
# (factories) between two documents, which the services' version bumps never see.
# The cache's own tests switch "default" to the database cache (the `statistics_cache`
# fixture); "database" is declared so that the test database has its table.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "database": cache_config(""),  # noqa: F405
}
