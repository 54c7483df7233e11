"""Editing a need: stale edits refused; every change kept in the audit trail."""

import pytest
from django.urls import reverse

from needs.models import ActionPlan, Need
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def edit_data(need, **changes):
    data = {
        "description": need.description,
        "priority": need.priority,
        "source": need.source,
        "remaining": need.remaining,
        "expected_version": need.version,
    }
    return data | changes


def test_edit_saves_and_raises_the_version(client, secretariat):
    need = NeedFactory()
    client.force_login(secretariat)
    response = client.post(
        reverse("needs:need_edit", args=[need.pk]),
        edit_data(need, priority="high"),
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.priority, need.version) == ("high", 2)


def test_the_edit_page_does_not_write_coverage(client, secretariat):
    need = NeedFactory()
    client.force_login(secretariat)
    client.post(
        reverse("needs:need_edit", args=[need.pk]),
        edit_data(need, coverage="met-fully", description="Changed"),
    )
    need.refresh_from_db()
    assert (need.description, need.coverage) == ("Changed", "not-yet-addressed")


def test_second_save_of_a_stale_version_is_refused_showing_what_changed(
    client, secretariat, focal_point, own_review
):
    need = NeedFactory(review=own_review, description="First wording")
    stale_form = edit_data(need)
    client.force_login(secretariat)
    client.post(
        reverse("needs:need_edit", args=[need.pk]),
        edit_data(need, description="Secretariat's wording"),
    )
    client.force_login(focal_point)
    response = client.post(
        reverse("needs:need_edit", args=[need.pk]),
        stale_form | {"description": "Focal point's wording"},
    )
    assert response.status_code == 409
    content = response.getvalue().decode()
    assert "someone changed this need" in content
    assert "First wording" in content
    assert "Secretariat&#x27;s wording" in content
    assert "Focal point&#x27;s wording" in content  # the user's input is kept
    need.refresh_from_db()
    assert need.description == "Secretariat's wording"


def test_invalid_edit_gives_field_messages(client, secretariat):
    need = NeedFactory()
    client.force_login(secretariat)
    response = client.post(
        reverse("needs:need_edit", args=[need.pk]), edit_data(need, priority="urgent")
    )
    assert response.status_code == 400
    assert "priority" in response.context["form"].errors


def test_every_create_change_and_delete_is_audited(client, secretariat):
    client.force_login(secretariat)
    need = NeedFactory(description="v1")
    client.post(
        reverse("needs:need_edit", args=[need.pk]), edit_data(need, description="v2")
    )
    pk = need.pk
    Need.objects.get(pk=pk).delete()
    entries = client.get(reverse("needs:need_history", args=[pk])).context["entries"]
    assert [e.kind for e in entries] == ["withdrawn", "changed", "created"]
    changed = entries[1]
    assert changed.who == secretariat
    assert ("description", "v1", "v2") in changed.changes
    recent = client.get(reverse("needs:recent_changes")).context["entries"]
    assert any(e.record.id == pk and e.kind == "withdrawn" for e in recent)


def test_review_changes_are_audited(client, secretariat, own_review):
    own_review.has_full_report = True
    own_review._history_user = secretariat
    own_review.save()
    record = own_review.history.first()
    assert (record.history_type, record.has_full_report) == ("~", True)
    assert record.history_user == secretariat


def test_history_is_for_the_secretariat_only(client, focal_point, own_review, viewer):
    need = NeedFactory(review=own_review)
    for user in (focal_point, viewer):
        client.force_login(user)
        assert (
            client.get(reverse("needs:need_history", args=[need.pk])).status_code == 404
        )
        assert client.get(reverse("needs:recent_changes")).status_code == 404


def test_history_of_follow_up_records_survives_deletion(
    client, secretariat, own_review
):

    plan = ActionPlan.objects.create(state=own_review.state, title="Plan v1")
    plan.title = "Plan v2"
    plan._history_user = secretariat
    plan.save()
    pk = plan.pk
    plan.delete()
    client.force_login(secretariat)
    page = client.get(reverse("needs:record_history", args=["actionplan", pk]))
    entries = page.context["entries"]
    assert [e.kind for e in entries] == ["deleted", "changed", "created"]
    assert ("title", "Plan v1", "Plan v2") in entries[1].changes
    assert entries[1].who == secretariat
    unknown = client.get(reverse("needs:record_history", args=["user", 1]))
    assert unknown.status_code == 404
