"""factory_boy factories. Reference rows (groups, chapters, articles, cycles, types)
come from the `reference` fixture, which loads the project's own reference data."""

import datetime

import factory
from django.contrib.auth import get_user_model

from needs.models import Assistance, Consent, Need, NeedType
from reviews.models import (
    Account,
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StatePartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateParty

    code = factory.Sequence(lambda n: f"T{n:02d}")
    name = factory.Sequence(lambda n: f"Test State {n:02d}")
    regional_group = factory.LazyFunction(
        lambda: RegionalGroup.objects.get(slug="african")
    )
    reconstructed = True


class CountryReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryReview
        # The `shares` hook creates Consent rows; the review itself is unchanged.
        skip_postgeneration_save = True

    state = factory.SubFactory(StatePartyFactory)
    cycle = factory.LazyFunction(lambda: ReviewCycle.objects.get(number=1))
    cycle_year = 1
    status = CountryReview.Status.COMPLETED
    completed_on = datetime.date(2013, 6, 1)
    has_executive_summary = True

    @factory.post_generation
    def shares(self, create, subjects, **kwargs):
        """CountryReviewFactory(shares=[subject, …]): the State shares these subjects
        with donors and partners (`audience=` to choose another audience)."""
        for subject in subjects or ():
            Consent.objects.create(
                review=self,
                subject=subject,
                audience=kwargs.get("audience", Consent.Audience.DONORS),
                agreed_on=self.completed_on or datetime.date(2013, 6, 1),
            )


# What the States that "agreed to the use of their full report" share.
SHARES_REPORT = [Consent.Subject.FULL_REPORT, Consent.Subject.NEED_DESCRIPTIONS]


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    review = factory.SubFactory(CountryReviewFactory)
    article = factory.LazyFunction(lambda: Article.objects.get(number=15))
    need_type = factory.LazyFunction(
        lambda: NeedType.objects.get(slug="good-practices")
    )
    description = "Training of prosecutors on case studies from other jurisdictions."


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    user = factory.SubFactory(UserFactory)
    role = Account.Role.SECRETARIAT
    state = None
    organisation = factory.LazyAttribute(
        lambda o: (
            Account.Organisation.DONOR_OR_PARTNER
            if o.role == Account.Role.VIEWER
            else ""
        )
    )


def make_assistance(status=None, donors=(), states=(), **values):
    """An assistance record with its donors and beneficiary States."""
    item = Assistance.objects.create(
        title=values.pop("title", "Project"),
        status=status or Assistance.Status.ONGOING,
        **values,
    )
    item.donors.set(donors)
    item.beneficiaries.set(states)
    return item
