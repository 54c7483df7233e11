"""The services of the assistance a focal point reports (paragraphs 75-76) and of
assistance links replaced at once: who may report, confirm and decline, and what
counts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from needs.followup import services
from needs.models import Assistance, AssistanceReport, Donor, Need
from tests.factories import NeedFactory, make_assistance

pytestmark = pytest.mark.django_db


def _report(need, user, **values):
    return services.assistance_report_save(
        report=AssistanceReport(
            state=need.review.state,
            title=values.pop("title", "Training"),
            donor_name=values.pop("donor_name", "Bank"),
            **values,
        ),
        links=[{"need": need, "coverage": "in-full"}],
        user=user,
    )


def test_only_the_states_focal_points_report_its_assistance(
    focal_point, own_review, other_review, secretariat, viewer
):
    own, other = NeedFactory(review=own_review), NeedFactory(review=other_review)

    for user, need in [(focal_point, other), (secretariat, own), (viewer, own)]:
        with pytest.raises(PermissionDenied):
            _report(need, user)

    assert not AssistanceReport.objects.exists()
    assert _report(own, focal_point).reported_by == focal_point


def test_a_report_names_only_its_states_needs(focal_point, own_review, other_review):
    foreign = NeedFactory(review=other_review)

    with pytest.raises(ValidationError) as error:
        services.assistance_report_save(
            report=AssistanceReport(state=own_review.state, title="x", donor_name="y"),
            links=[{"need": foreign, "coverage": "in-part"}],
            user=focal_point,
        )

    assert "needs" in error.value.message_dict
    assert not AssistanceReport.objects.exists()


def test_only_the_secretariat_confirms_and_only_once(
    focal_point, own_review, secretariat
):
    # given
    need = NeedFactory(review=own_review)
    report = _report(need, focal_point)

    def confirm(user):
        return services.assistance_report_confirm(
            report=report,
            assistance=Assistance(title="Training", status="completed"),
            donors=[],
            beneficiaries=[own_review.state],
            links=[{"need": need, "coverage": "in-full"}],
            new_donor=Donor(name="Bank", kind=Donor.Kind.REGIONAL),
            user=user,
        )

    # when / then
    with pytest.raises(PermissionDenied):
        confirm(focal_point)
    assert Need.objects.get(pk=need.pk).coverage == "not-yet-addressed"
    assistance = confirm(secretariat)
    assert list(assistance.donors.values_list("name", flat=True)) == ["Bank"]
    assert Need.objects.get(pk=need.pk).coverage == "met-fully"
    with pytest.raises(PermissionDenied):
        confirm(secretariat)
    with pytest.raises(PermissionDenied):  # the State may no longer change it
        services.assistance_report_save(
            report=AssistanceReport.objects.get(pk=report.pk),
            links=[{"need": need, "coverage": "in-part"}],
            user=focal_point,
        )
    assert Assistance.objects.count() == 1


def test_declining_needs_a_reason(focal_point, own_review, secretariat):
    report = _report(NeedFactory(review=own_review), focal_point)

    with pytest.raises(ValidationError):
        services.assistance_report_decline(report=report, user=secretariat, comment=" ")
    with pytest.raises(PermissionDenied):
        services.assistance_report_decline(report=report, user=focal_point, comment="x")

    report.refresh_from_db()
    assert report.confirmation == "awaiting"


def test_links_given_replace_the_assistances_needs(secretariat):
    # given: an assistance covering two needs in part
    first = NeedFactory()
    second = NeedFactory(review=first.review, need_type_id=2)
    project = make_assistance(states=[first.review.state])
    services.assistance_save(
        assistance=project,
        links=[
            {"need": first, "coverage": "in-part"},
            {"need": second, "coverage": "in-part"},
        ],
        user=secretariat,
    )
    link = project.links.get(need=first)
    history = link.history.count()

    # when: the second is dropped, the first kept unchanged
    services.assistance_save(
        assistance=project,
        links=[{"need": first, "coverage": "in-part", "note": ""}],
        user=secretariat,
    )

    # then
    assert list(project.links.values_list("need", flat=True)) == [first.pk]
    assert link.history.count() == history
    assert Need.objects.get(pk=second.pk).coverage == "not-yet-addressed"
    assert Need.objects.get(pk=first.pk).coverage == "met-in-part"
