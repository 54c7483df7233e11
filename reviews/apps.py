from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and the Convention")
    # What secretariat staff may do with these models in the admin.
    secretariat_permissions = {
        "countryreview": "add change view",
        "stateparty": "view",
        "handover": "add view",
        "account": "view",
        "article": "view",
    }

    def ready(self):
        # Every way of logging in (the log-in page, the admin's, force_login) marks
        # a session that owes its second factor: the one place they all pass.
        # (Imported here: reviews.mfa needs the models, which are loaded by now.)
        from reviews.mfa import login_received  # noqa: PLC0415

        user_logged_in.connect(login_received, dispatch_uid="reviews.second_factor")
