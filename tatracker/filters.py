"""The API's query parameters, strictly: an unknown, empty or malformed parameter is
a 400 naming it, never silently ignored (numbers that look filtered and are not would
mislead). Search and ordering are documented only where a view has them, ordering
with the exact values it takes.

Apart from tatracker.drf: REST framework imports its filter backends while its
generic views are still loading, so this module imports nothing that needs them.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError

# REST framework's own: ?format=json|api (and csv where a view renders it).
ALWAYS_ALLOWED = frozenset({"format"})


def check_query_parameters(request, allowed: set[str]) -> None:
    """400, naming each parameter, for a parameter the view does not take or one
    given without a value."""
    problems = {}
    for name, values in request.query_params.lists():
        if name not in allowed | ALWAYS_ALLOWED:
            # Translators: %(allowed)s lists parameter names, e.g. "page, state".
            problems[name] = [
                gettext("Unknown parameter; this address takes: %(allowed)s.")
                % {"allowed": ", ".join(sorted(allowed)) or "-"}
            ]
        elif any(not value.strip() for value in values):
            problems[name] = [gettext("Give a value, or leave the parameter out.")]
    if problems:
        raise ValidationError(problems)


class KnownParametersFilter(filters.BaseFilterBackend):
    """First of the filter backends: refuses what the others would ignore."""

    def filter_queryset(self, request, queryset, view):
        check_query_parameters(request, allowed_parameters(view, queryset))
        return queryset


def allowed_parameters(view, queryset) -> set[str]:
    """The query parameters `view` takes: its filters, search, ordering, and the
    page parameters of a list."""
    allowed: set[str] = set()
    for backend_class in getattr(view, "filter_backends", []):
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):
            filterset = backend.get_filterset_class(view, queryset)
            if filterset is not None:
                allowed |= set(filterset.base_filters)
        elif isinstance(backend, SearchFilter) and getattr(view, "search_fields", None):
            allowed.add(backend.search_param)
        elif isinstance(backend, OrderingFilter) and backend.choices(view):
            allowed.add(backend.ordering_param)
    paginator = getattr(view, "paginator", None)
    if paginator is not None and getattr(view, "action", None) == "list":
        allowed |= {paginator.page_query_param, paginator.page_size_query_param}
        allowed |= {getattr(paginator, "cursor_query_param", "page")}
    return allowed


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds no FilterSet (its form, its fields and
    their choice lists) for a request that gives none of its parameters: the
    queryset is then the view's, unfiltered, as the FilterSet would return it."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class SearchFilter(filters.SearchFilter):
    """Documented only where the view searches."""

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "search_fields", None):
            return []
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minLength"] = 1
        return parameters


class OrderingFilter(filters.OrderingFilter):
    """The view's `ordering_fields`, each ascending or descending (`-name`),
    comma-separated; anything else is a 400 naming what is taken."""

    def choices(self, view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or []
        return [value for field in fields for value in (field, f"-{field}")]

    def get_valid_fields(self, queryset, view, context=None):
        """Exactly the view's `ordering_fields`: where a view names none, REST
        framework would offer every field of its serializer in the browsable API,
        which `get_ordering` refuses."""
        return [
            (field, field) for field in getattr(view, "ordering_fields", None) or []
        ]

    def to_html(self, request, queryset, view):
        """The browsable API's orderings, only where the view takes one."""
        if not self.choices(view):
            return ""
        return super().to_html(request, queryset, view)

    def get_ordering(self, request, queryset, view):
        given = request.query_params.getlist(self.ordering_param)
        if not given:
            return self.get_default_ordering(view)
        # Comma-separated (explode: false), or the parameter repeated.
        raw = ",".join(given)
        choices = self.choices(view)
        asked = [term.strip() for term in raw.split(",")]
        wrong = [term for term in asked if term not in choices]
        if wrong:
            raise ValidationError(
                {
                    self.ordering_param: [
                        # Translators: %(wrong)s and %(choices)s list field names.
                        gettext("Cannot order by %(wrong)s; order by: %(choices)s.")
                        % {"wrong": ", ".join(wrong), "choices": ", ".join(choices)}
                    ]
                }
            )
        return asked

    def get_schema_operation_parameters(self, view):
        choices = self.choices(view)
        if not choices:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "Order by these fields, comma-separated; `-` before a field "
                        "for descending order."
                    )
                ),
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": choices},
                },
                "style": "form",
                "explode": False,
            }
        ]


def filter_rows(filterset):
    """(the filtered rows, whether the filters are valid) of a page's FilterSet: a
    filter given with a value it does not take lists nothing (its field says why,
    the page answers 400), never every row as if it were not given."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none(), False
    return filterset.qs, True
