"""Every admin changelist and add page renders for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from needs.models import Need
from tests.factories import NeedFactory

MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"reviews", "needs"}
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("page", ["changelist", "add"])
def test_admin_page_renders(admin_client, model, page):
    NeedFactory()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}")
    request = admin_client.get(url).wsgi_request
    allowed = page == "changelist" or admin.site._registry[model].has_add_permission(
        request
    )
    assert admin_client.get(url).status_code == (200 if allowed else 403)


def test_admin_change_page_of_a_review_shows_its_needs_inline(admin_client):
    need = NeedFactory()
    url = reverse("admin:reviews_countryreview_change", args=[need.review.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    content = response.getvalue().decode()
    assert "needs-0" in content
    assert str(need.need_type) in content


@pytest.mark.parametrize(
    ("action", "coverage"),
    [
        ("mark_met_in_part", Need.Coverage.MET_IN_PART),
        ("mark_met_fully", Need.Coverage.MET_FULLY),
    ],
)
def test_admin_actions_mark_needs(admin_client, action, coverage):
    needs = [NeedFactory(), NeedFactory()]
    untouched = NeedFactory()
    admin_client.post(
        reverse("admin:needs_need_changelist"),
        {"action": action, "_selected_action": [n.pk for n in needs]},
    )
    assert {n.coverage for n in Need.objects.filter(pk__in=[n.pk for n in needs])} == {
        coverage
    }
    untouched.refresh_from_db()
    assert untouched.coverage == Need.Coverage.NOT_YET_ADDRESSED


def test_admin_need_filters_narrow_the_list(admin_client):
    kept = NeedFactory()
    group = kept.review.state.regional_group
    NeedFactory(coverage=Need.Coverage.MET_FULLY)
    response = admin_client.get(
        reverse("admin:needs_need_changelist"),
        {
            "review__state__regional_group__id__exact": group.pk,
            "coverage__exact": "not-yet-addressed",
        },
    )
    assert [n.pk for n in response.context["cl"].result_list] == [kept.pk]
