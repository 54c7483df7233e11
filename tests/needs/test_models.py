import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from needs.models import Need
from reviews.models import Article, CountryReview, ReviewCycle
from tests.factories import CountryReviewFactory, NeedFactory

pytestmark = pytest.mark.django_db


def test_second_need_with_same_review_article_and_type_is_refused_clearly():
    need = NeedFactory()
    duplicate = Need(review=need.review, article=need.article, need_type=need.need_type)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "already records this type of need for this article" in str(caught.value)


def test_database_refuses_a_duplicate_need_too():
    need = NeedFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.create(
            review=need.review, article=need.article, need_type=need.need_type
        )
    assert Need.objects.count() == 1


def test_same_article_and_type_in_another_review_is_allowed():
    need = NeedFactory()
    other = NeedFactory(article=need.article, need_type=need.need_type)
    other.full_clean()
    assert other.review.state != need.review.state


def test_article_outside_the_cycles_chapters_is_refused():
    review = CountryReviewFactory()  # cycle 1: chapters III and IV
    need = NeedFactory.build(review=review, article=Article.objects.get(number=9))
    with pytest.raises(ValidationError) as caught:
        need.full_clean()
    assert caught.value.message_dict["article"] == [
        "Article 9 is in chapter II, which cycle 1 does not review "
        "(it reviews chapters III, IV)."
    ]


def test_article_of_the_second_cycle_is_accepted_there():
    review = CountryReviewFactory(cycle=ReviewCycle.objects.get(number=2))
    NeedFactory.build(
        review=review, article=Article.objects.get(number=52)
    ).full_clean()


def test_completed_review_needs_a_date():
    review = CountryReviewFactory.build(
        status=CountryReview.Status.COMPLETED, completed_on=None
    )
    review.state.save()
    with pytest.raises(ValidationError, match="completion date"):
        review.full_clean()


def test_one_review_per_state_and_cycle():
    review = CountryReviewFactory()
    twin = CountryReviewFactory.build(state=review.state, cycle=review.cycle)
    with pytest.raises(ValidationError, match="already has a review in this cycle"):
        twin.full_clean()


def test_a_stored_need_moved_to_another_article_is_checked_again():
    # given a stored need, read back
    need = Need.objects.get(pk=NeedFactory().pk)
    assert need.key_as_stored()

    # when its article becomes one its cycle does not review, or another need's
    other = NeedFactory(review=need.review, article=Article.objects.get(number=16))
    need.article = Article.objects.get(number=9)
    assert not need.key_as_stored()
    with pytest.raises(ValidationError, match="does not review"):
        need.full_clean(exclude=Need.KEY_FIELDS if need.key_as_stored() else None)
    need.article, need.need_type = other.article, other.need_type

    # then it is checked again, as a new one would be
    with pytest.raises(ValidationError, match="already records this type"):
        need.full_clean(exclude=Need.KEY_FIELDS if need.key_as_stored() else None)


def test_a_stored_needs_other_fields_are_checked_without_looking_up_its_key(
    django_assert_num_queries,
):
    need = Need.objects.get(pk=NeedFactory().pk)
    need.description = "Changed"
    with django_assert_num_queries(0):
        need.full_clean(exclude=Need.KEY_FIELDS)
    need.priority = "not a priority"
    with pytest.raises(ValidationError, match="priority"):
        need.full_clean(exclude=Need.KEY_FIELDS)
