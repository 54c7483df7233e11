"""The statistics "as of" a date are the accepted values as they stood on that date,
read from the audit trail: a note generated for 1 September 2013 comes out identical
after later changes are accepted."""

import datetime

import pytest
import time_machine

from needs import services
from needs.followup.services import need_coverage_set
from needs.models import Need
from needs.reports.statistics import StatisticsFilter, compute
from reviews.models import Account, Article, CountryReview
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
DRAFTING = datetime.date(2013, 9, 1)


def as_of(day) -> dict:
    return compute(StatisticsFilter(as_of=day)).as_dict()


def test_the_note_for_a_date_is_the_same_after_later_acceptances(
    note_2013, secretariat
):
    # given the document as of the note's drafting date
    before = as_of(DRAFTING)
    review = CountryReview.objects.get(state__code="AF-01")
    focal_point = AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username="af01"
    ).user
    need, withdrawn = review.needs.order_by("pk")[:2]

    # when, later, the State's change, new need and withdrawal are accepted
    services.need_update(
        need=need,
        user=focal_point,
        expected_version=need.version,
        description="Changed after the note",
    )
    taken = set(review.needs.values_list("article__number", "need_type_id"))
    article = next(n for n in range(44, 51) if (n, 1) not in taken)
    services.need_create(
        review=review,
        user=focal_point,
        article=Article.objects.get(number=article),
        need_type_id=1,
    )
    services.need_withdraw(need=withdrawn, user=focal_point)
    services.review_submit(review=review, user=focal_point)
    services.review_accept(review=review, user=secretariat)

    # then the document as of that date has not moved, and today's has
    assert as_of(DRAFTING) == before
    today = compute().as_dict()
    assert today["chapters"]["IV"]["needs"] != before["chapters"]["IV"]["needs"]


def test_a_change_counts_from_the_day_it_was_accepted(own_review, secretariat):
    with time_machine.travel(datetime.datetime(2013, 6, 2, 9, tzinfo=datetime.UTC)):
        need = services.need_create(
            review=own_review,
            user=secretariat,
            article=Article.objects.get(number=15),
            need_type_id=1,
        )
    with time_machine.travel(datetime.datetime(2013, 9, 10, 9, tzinfo=datetime.UTC)):
        services.need_withdraw(need=need, user=secretariat)

    assert as_of(datetime.date(2013, 6, 1))["needs"] == 0
    assert as_of(datetime.date(2013, 6, 2))["needs"] == 1
    assert as_of(datetime.date(2013, 9, 9))["needs"] == 1
    assert as_of(datetime.date(2013, 9, 10))["needs"] == 0


def test_coverage_as_of_a_date_is_the_coverage_accepted_by_then(
    own_review, secretariat
):
    with time_machine.travel(datetime.datetime(2013, 6, 2, 9, tzinfo=datetime.UTC)):
        need = services.need_create(
            review=own_review,
            user=secretariat,
            article=Article.objects.get(number=15),
            need_type_id=1,
        )
    with time_machine.travel(datetime.datetime(2014, 1, 5, 9, tzinfo=datetime.UTC)):
        need_coverage_set(
            need=Need.objects.get(pk=need.pk),
            user=secretariat,
            coverage="met-fully",
            reason="Project completed",
        )
    assert as_of(datetime.date(2013, 12, 31))["coverage"]["overall"]["met-fully"] == 0
    assert as_of(datetime.date(2014, 1, 5))["coverage"]["overall"]["met-fully"] == 1
