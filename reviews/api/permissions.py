"""REST framework permissions, built on the one permission module."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from reviews.permissions import is_secretariat, role_of


class HasRole(BasePermission):
    """Any tatracker role may read; what each sees is the viewset's scoped queryset."""

    message = "Your account has no tatracker role; ask an administrator."

    def has_permission(self, request, view):
        return role_of(request.user) is not None


class SecretariatWritesOthersRead(HasRole):
    """Everyone with a role reads (scoped); only the secretariat writes.

    Writes to one record are decided after the record is loaded through the scoped
    queryset, so that a record you may not see is "not found", never "forbidden".
    """

    message = "Only the secretariat may change these records."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS or view.kwargs.get(view.lookup_field):
            return True
        return is_secretariat(request.user)

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or is_secretariat(request.user)
