"""Django set up for a benchmark run as a script (`python bench/<name>.py`): production
settings as far as a benchmark can (no DEBUG: no template or query log), each value
overridable from the environment. The test suite imports the benchmarks with Django
set up already; then nothing is done."""

import os

import django
from django.apps import apps

ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "tatracker.settings",
    "SECRET_KEY": "bench-only-" + "x" * 60,
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
}


def set_up(**environment: str) -> None:
    """Set Django up with ENVIRONMENT and `environment` (the script's own needs),
    unless it is already."""
    if apps.ready:
        return
    for name, value in (ENVIRONMENT | environment).items():
        os.environ.setdefault(name, value)
    django.setup()
