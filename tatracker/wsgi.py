"""WSGI entry point (gunicorn tatracker.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tatracker.settings")
application = get_wsgi_application()
