from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(using="default", **kwargs):
    """After every `migrate`: the database cache table (CACHES), if it is missing,
    so that a fresh machine works with `make run`, `make test` or a plain migrate."""
    call_command("createcachetable", database=using, verbosity=0)


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = _("Technical assistance needs")
    # What secretariat staff may do with these models in the admin.
    secretariat_permissions = {
        "need": "add change delete view",
        "followup": "add change delete view",
        "followupevent": "add change delete view",
        "actionplan": "add change delete view",
        "actionplanitem": "add change delete view",
        "donor": "add change delete view",
        "assistance": "add change delete view",
        "assistanceneed": "add change delete view",
        "consent": "add change delete view",
        "entryevent": "view",
        "reminder": "view",
        "needtype": "view",
    }

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self)
