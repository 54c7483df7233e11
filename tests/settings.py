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
# The second factor is tested where it is switched on (tests/reviews/test_mfa.py);
# elsewhere users are logged in with force_login or the password form alone.
TATRACKER_REQUIRE_2FA = False

# No API rate limits in the suite (many requests per test as one client); the
# throttle tests set rates of their own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
}

# The suite computes every statistics document afresh: tests write needs directly
# (factories) between two documents, which the services' version bumps never see.
# The cache's own tests switch "default" to the database cache (the `statistics_cache`
# fixture); "database" is declared so that the test database has its table.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "database": cache_config(""),  # noqa: F405
}
