"""Every door, every role, against another State's records: zero leaks.

A focal point asking for another State's record gets 404 (never 403, never the
record); a viewer sees only States that agreed to the use of their full report; the
anonymous visitor is sent to log in.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from needs.models import Need
from reviews.models import Account
from tests.factories import (
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Secret description of the withholding State"


@pytest.fixture
def world(own_review, other_review):
    """Own State, another sharing State, and a third whose review is under way
    (nothing of it is published yet)."""
    withholding = CountryReviewFactory(
        state__code="WHD",
        state__name="Withholding State",
        status="under-way",
        completed_on=None,
    )
    return {
        "own": NeedFactory(review=own_review, description="Own need"),
        "other": NeedFactory(review=other_review, description="Other need"),
        "withholding": NeedFactory(review=withholding, description=SECRET),
    }


def record_urls(need):
    review, state = need.review, need.review.state
    return [
        ("GET", state.get_absolute_url()),
        ("GET", review.get_absolute_url()),
        ("GET", reverse("needs:review_entry", args=[review.pk])),
        ("GET", need.get_absolute_url()),
        ("GET", reverse("needs:need_edit", args=[need.pk])),
        ("GET", reverse("needs:need_history", args=[need.pk])),
        ("POST", reverse("needs:need_withdraw", args=[need.pk])),
        ("POST", reverse("needs:review_submit", args=[review.pk])),
        ("GET", reverse("needs:review_decide", args=[review.pk])),
        ("POST", reverse("needs:review_decide", args=[review.pk])),
    ]


def user_with(role, state=None):
    return AccountFactory(role=role, state=state).user


def fetch(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, {"comment": "x"})


def test_focal_point_gets_404_for_every_record_of_another_state(
    client, world, focal_point
):
    client.force_login(focal_point)
    leaks = []
    for key in ("other", "withholding"):
        for method, url in record_urls(world[key]):
            response = fetch(client, method, url)
            if response.status_code != 404:
                leaks.append((method, url, response.status_code))
    assert leaks == []
    assert Need.objects.count() == 3  # nothing was withdrawn or changed


def test_viewer_sees_only_sharing_states_and_changes_nothing(client, world):
    client.force_login(user_with(Account.Role.VIEWER))
    leaks = [
        (m, url, r.status_code)
        for m, url in record_urls(world["withholding"])
        if (r := fetch(client, m, url)).status_code != 404
    ]
    assert leaks == []
    need = world["other"]
    assert client.get(need.get_absolute_url()).status_code == 200
    readable = {
        need.get_absolute_url(),
        need.review.get_absolute_url(),
        need.review.state.get_absolute_url(),
    }
    for method, url in record_urls(need):
        if url in readable:
            continue
        expected = 404 if "history" in url else 403
        assert fetch(client, method, url).status_code == expected, url
    need.refresh_from_db()
    assert need.version == 1


@pytest.mark.parametrize("role", ["anonymous", "no-role", "focal-point", "viewer"])
def test_lists_and_exports_never_show_a_withheld_state(
    client, world, role, focal_point
):
    if role == "focal-point":
        client.force_login(focal_point)
    elif role == "viewer":
        client.force_login(user_with(Account.Role.VIEWER))
    elif role == "no-role":
        client.force_login(UserFactory(username="x"))
    pages = [
        reverse("needs:need_list"),
        reverse("needs:need_list") + "?format=csv",
        reverse("needs:state_list") + "?q=Withholding",
        reverse("needs:need_list") + "?q=Secret",
        reverse("home"),
        reverse("reports:draft_note"),
    ]
    for url in pages:
        content = client.get(url).getvalue().decode()
        assert SECRET not in content, url
        assert "Withholding State" not in content, url


def test_focal_point_lists_only_their_state(client, world, focal_point):
    client.force_login(focal_point)
    listed = client.get(reverse("needs:need_list")).context["page_obj"]
    assert [n["id"] for n in listed] == [world["own"].pk]
    every_state = {"party_status": "all", "reconstructed": "all"}
    states = client.get(reverse("needs:state_list"), every_state).context["page_obj"]
    assert [s.code for s in states] == ["OWN"]


def test_secretariat_sees_every_state_and_the_withheld_description(
    client, world, secretariat
):
    client.force_login(secretariat)
    assert (
        SECRET
        in client.get(world["withholding"].get_absolute_url()).getvalue().decode()
    )
    assert (
        client.get(reverse("needs:need_list")).context["page_obj"].paginator.count == 3
    )


@pytest.mark.parametrize("role", ["focal-point", "viewer", "secretariat"])
def test_admin_is_closed_to_non_staff(client, world, role, focal_point):
    user = focal_point if role == "focal-point" else user_with(role)
    client.force_login(user)
    response = client.get(reverse("admin:needs_need_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_the_admin_is_closed_to_a_staff_focal_point(client, world, focal_point):
    focal_point.is_staff = True
    focal_point.is_superuser = False
    focal_point.save()
    focal_point.user_permissions.set(Permission.objects.filter(codename="view_need"))
    client.force_login(focal_point)
    for url in [
        reverse("admin:needs_need_changelist"),
        reverse("admin:needs_need_change", args=[world["own"].pk]),
        reverse("admin:needs_need_change", args=[world["other"].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/admin/login/")
