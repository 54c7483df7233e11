"""Strings of Django and its libraries that their own catalogs leave untranslated in
some official languages of the United Nations. Naming them here puts them in
tatracker's catalogs, which are searched first (LOCALE_PATHS)."""

from django.utils.translation import gettext_lazy as _

LIBRARY_STRINGS = [
    # Translators: Django's empty choice of a drop-down list (Django 6.1 has no
    # Arabic, Chinese, Russian or Spanish for it).
    _("- Select an option -"),
]
