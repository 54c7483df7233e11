"""Pagination shared by the list pages."""

from django.core.paginator import Page, Paginator


def paginate(request, queryset, per_page: int = 25) -> Page:
    """The requested page; a number out of range or malformed gives the last/first."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
