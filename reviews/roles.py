"""The roles of tatracker: who a person is for the permission rules.

Kept apart from the models so that `reviews.permissions` (the scope) and
`reviews.models` (which asks the scope in `visible_to`) depend on this module and
never on each other.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FOCAL_POINT = "focal-point", _("National focal point")
    SECRETARIAT = "secretariat", _("Secretariat")
    VIEWER = "viewer", _("Viewer (donors, partners, other staff)")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})


class Organisation(models.TextChoices):
    """Whom a viewer works for: what a State shares "with the United Nations only"
    reaches United Nations entities, not donors and partners."""

    DONOR_OR_PARTNER = "donor-partner", _("Donor or partner")
    UN_ENTITY = "un-entity", _("United Nations entity")
