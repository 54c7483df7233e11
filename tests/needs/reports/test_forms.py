"""Who may use which statistics filter: filters_for and StatisticsFilterForm."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from needs.models import NeedType
from needs.reports.forms import (
    OPERATOR,
    PUBLIC_FILTERS,
    SECRETARIAT_FILTERS,
    StatisticsFilterForm,
    filters_for,
)
from reviews.models import Account
from tests.factories import AccountFactory, NeedFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERY_FILTER = set(PUBLIC_FILTERS) | set(SECRETARIAT_FILTERS)


def user_with(role):
    if role == "anonymous":
        return AnonymousUser()
    if role == "no-role":
        return UserFactory()
    if role == "admin":
        return UserFactory(is_superuser=True, is_staff=True)
    if role == "operator":
        return OPERATOR
    return AccountFactory(role=role).user


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", set(PUBLIC_FILTERS)),
        ("no-role", set(PUBLIC_FILTERS)),
        (Account.Role.VIEWER, set(PUBLIC_FILTERS)),
        (Account.Role.SECRETARIAT, EVERY_FILTER),
        ("admin", EVERY_FILTER),
        ("operator", EVERY_FILTER),
    ],
)
def test_filters_for_each_role(role, expected):
    assert filters_for(user_with(role)) == expected


def test_focal_point_has_the_public_filters(focal_point):
    assert filters_for(focal_point) == {
        "cycle",
        "chapter",
        "article",
        "need_type",
        "coverage",
    }


def test_inactive_secretariat_has_the_public_filters(secretariat):
    secretariat.is_active = False
    assert filters_for(secretariat) == set(PUBLIC_FILTERS)


def test_the_form_has_only_the_users_fields(viewer, secretariat):
    assert set(StatisticsFilterForm(user=viewer).fields) == set(PUBLIC_FILTERS)
    assert set(StatisticsFilterForm(user=secretariat).fields) == EVERY_FILTER


@pytest.mark.parametrize("name", sorted(SECRETARIAT_FILTERS))
def test_a_refused_filter_is_a_field_error_not_ignored(viewer, name):
    value = {"regional_group": "african", "review_year": "2", "as_of": "2013-06-01"}
    form = StatisticsFilterForm(
        QueryDict(f"article=15&{name}={value[name]}"), user=viewer
    )
    assert not form.is_valid()
    assert list(form.errors) == [name]
    assert "is for the secretariat" in form.errors[name][0]
    assert form.refused_errors == form.errors[name]


def test_an_empty_refused_filter_is_no_filter(viewer):
    form = StatisticsFilterForm(
        QueryDict("regional_group=&as_of=&article=15"), user=viewer
    )
    assert form.is_valid()
    assert form.to_filter().as_dict() == {"article": 15}


def test_an_invalid_value_of_a_refused_filter_is_still_refused_as_such(viewer):
    form = StatisticsFilterForm({"as_of": "yesterday"}, user=viewer)
    assert not form.is_valid()
    assert form.errors["as_of"] == [
        "The date (as_of) filter is for the secretariat. Statistics are published "
        "for every State; filter them by cycle, chapter, article, type of need or "
        "coverage."
    ]


@pytest.mark.parametrize(
    ("data", "withheld"),
    [
        ({}, False),
        ({"cycle": "1"}, False),
        ({"chapter": "III"}, True),
        ({"article": "15"}, True),
        ({"need_type": "other"}, True),
        ({"coverage": "met-fully"}, True),
    ],
)
def test_regional_breakdowns_are_withheld_below_the_notes_level(
    viewer, secretariat, data, withheld
):
    NeedFactory(coverage="met-fully", need_type=NeedType.objects.get(slug="other"))
    form = StatisticsFilterForm(data, user=viewer)
    assert form.is_valid()
    assert form.regions_withheld is withheld
    document = form.document()
    assert (document.states_by_region == {}) is withheld
    assert (document.coverage.by_region == {}) is withheld
    assert all(
        (chapter.states_by_region == {}) is withheld
        for chapter in document.chapters.values()
    )
    secretariat_form = StatisticsFilterForm(data, user=secretariat)
    assert secretariat_form.is_valid()
    assert secretariat_form.regions_withheld is False
    assert secretariat_form.document().states_by_region != {}
