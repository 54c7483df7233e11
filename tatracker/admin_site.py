"""The admin site: for the secretariat and administrators only.

Curation of reference data and of the follow-up records happens here; focal points and
viewers work in the pages and the API, even if their account is marked staff. A user
without one of those roles is sent to the admin's login as anybody else would be.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _

from reviews.permissions import is_secretariat


class AdminSite(admin.AdminSite):
    # Translators: "tatracker" is the application's name.
    site_header = _("tatracker administration")
    # Translators: the application's name, in the browser's title bar.
    site_title = _("tatracker")

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and is_secretariat(request.user)


class AdminConfig(DjangoAdminConfig):
    default_site = "tatracker.admin_site.AdminSite"
