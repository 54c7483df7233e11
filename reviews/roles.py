"""The roles of tatracker: who a person is for the permission rules.

Kept apart from the models so that `reviews.permissions` (the scope) and
`reviews.models` (which asks the scope in `visible_to`) depend on this module and
never on each other.
"""

from django.db import models


class Role(models.TextChoices):
    FOCAL_POINT = "focal-point", "National focal point"
    SECRETARIAT = "secretariat", "Secretariat"
    VIEWER = "viewer", "Viewer (donors, partners, other staff)"
    ADMIN = "admin", "Administrator"


STAFF_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})
