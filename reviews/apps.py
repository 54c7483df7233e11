from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews and the Convention"
    # What secretariat staff may do with these models in the admin.
    secretariat_permissions = {
        "countryreview": "add change view",
        "stateparty": "view",
        "handover": "add view",
        "account": "view",
        "article": "view",
    }
