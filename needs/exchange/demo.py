"""Demo follow-up records for the reconstructed 2013 data set (`make run`).

Paragraphs 72-79 of the note, as records: letters and country visits, a prioritized
action plan, and the assistance paragraph 77 describes (a judicial modernization
programme with a bilateral donor since 2005; a European Union and bilateral project run
from 2003 to 2007 and not extended; Council of Europe support to prosecution services).
Anonymized like the States; idempotent.
"""

import datetime

from django.db import transaction

from needs.followup.services import need_coverage_refresh
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
)
from reviews.models import CountryReview, StateParty

DONORS = [
    ("European Union", Donor.Kind.REGIONAL, None),
    ("Council of Europe", Donor.Kind.REGIONAL, None),
    ("United Nations Development Programme", Donor.Kind.UN_ENTITY, None),
    ("Bilateral donor A", Donor.Kind.BILATERAL, "NOR"),
]
PROJECTS = [
    # title, donors, state, status, start, end, articles covered (coverage)
    (
        "Modernization of the judicial system (national programme, 2005)",
        ["Bilateral donor A"],
        "AF-01",
        Assistance.Status.ONGOING,
        (2005, 1, 1),
        None,
        {30: "in-part", 36: "in-part"},
    ),
    (
        "Training of judicial officers, legislative reform and legislative databases",
        ["European Union", "Bilateral donor A"],
        "AP-01",
        Assistance.Status.ENDED,
        (2003, 1, 1),
        (2007, 12, 31),
        {23: "in-part"},
    ),
    (
        "Support to the prosecution services",
        ["Council of Europe"],
        "EE-01",
        Assistance.Status.ONGOING,
        (2011, 3, 1),
        None,
        {37: "in-full", 38: "in-part"},
    ),
]


@transaction.atomic
def demo_follow_up_load() -> int:
    """Create the demo follow-up records once; return how many projects exist."""
    if not StateParty.objects.filter(code="AF-01").exists():
        return 0
    donors = {}
    for name, kind, home in DONORS:
        home_country = StateParty.objects.filter(code=home).first() if home else None
        donors[name], _ = Donor.objects.get_or_create(
            name=name, defaults={"kind": kind, "home_country": home_country}
        )
    for title, names, code, status, start, end, coverage in PROJECTS:
        state = StateParty.objects.get(code=code)
        project, created = Assistance.objects.get_or_create(
            title=title,
            defaults={
                "status": status,
                "starts_on": datetime.date(*start),
                "ends_on": datetime.date(*end) if end else None,
                "modality": Assistance.Modality.NATIONAL,
                "source": Assistance.Source.COUNTRY_VISIT,
            },
        )
        if not created:
            continue
        project.donors.set([donors[n] for n in names])
        project.beneficiaries.set([state])
        for need in Need.objects.filter(
            review__state=state, article__number__in=coverage
        ):
            AssistanceNeed.objects.create(
                assistance=project, need=need, coverage=coverage[need.article.number]
            )
            need_coverage_refresh(need=need)
    _letters_and_plan()
    return Assistance.objects.count()


def _letters_and_plan() -> None:
    for index, review in enumerate(
        CountryReview.objects.filter(state__reconstructed=True).order_by(
            "completed_on"
        )[:20]
    ):
        follow_up, created = FollowUp.objects.get_or_create(
            review=review,
            defaults={
                "letter_sent_on": review.completed_on + datetime.timedelta(days=30),
                "followed_up_by": [
                    FollowUp.Channel.HEADQUARTERS,
                    FollowUp.Channel.FIELD_OFFICE,
                    FollowUp.Channel.REGIONAL_ADVISER,
                ][index % 3],
            },
        )
        if created and index % 4 == 0:
            FollowUpEvent.objects.create(
                follow_up=follow_up,
                kind=FollowUpEvent.Kind.COUNTRY_VISIT,
                date=follow_up.letter_sent_on + datetime.timedelta(days=60),
                participants="Focal point, UNODC, UNDP and donors",
                outcome="Needs discussed with donors; action-plan workshop agreed.",
            )
    state = StateParty.objects.get(code="AF-01")
    plan, created = ActionPlan.objects.get_or_create(
        state=state,
        title="Prioritized action plan for the implementation of the Convention",
        defaults={
            "status": ActionPlan.Status.UNDER_DISCUSSION,
            "started_on": datetime.date(2013, 2, 1),
        },
    )
    if created:
        for rank, need in enumerate(
            Need.objects.filter(review__state=state).order_by("article__number")[:3], 1
        ):
            item = ActionPlanItem.objects.create(
                plan=plan,
                rank=rank,
                responsible_authority="Ministry of Justice",
                due_on=datetime.date(2014, 6, 30),
                expected_result=f"{need} addressed",
            )
            item.needs.set([need])
