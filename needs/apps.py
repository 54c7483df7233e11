from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = "Technical assistance needs"
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
