"""Editions of the note: the secretariat's pages and forms, the examples the note may
quote, section IV written from the follow-up records (the same numbers as the
follow-up pages for the same day), and the downloads; the public draft page stays
what it was."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from docx import Document

from needs.followup import selectors as followup
from needs.followup import services as followup_services
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    Consent,
    Donor,
    FollowUp,
    Need,
    NeedType,
    NoteEdition,
)
from needs.reports import draft_note, selectors, services
from reviews.models import Article, Chapter, CountryReview, RegionalGroup, ReviewCycle
from tests.factories import CountryReviewFactory, NeedFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 5, 10)
NOON = datetime.datetime(2024, 5, 10, 12, tzinfo=datetime.UTC)


def make_edition(user, **values) -> NoteEdition:
    values = {"cycle": ReviewCycle.objects.get(number=1), "cut_off": DAY} | values
    values.setdefault("title", "Analysis of technical assistance needs")
    return services.note_edition_save(
        edition=NoteEdition(**values), chapters=None, user=user
    )


def drafted(edition, user) -> draft_note.Draft:
    document, sources = selectors.edition_sources(user=user, edition=edition)
    return draft_note.compose(document, sources=sources)


def paragraphs(edition, user) -> list[str]:
    return [block.text for block in drafted(edition, user).paragraphs]


# ---------------------------------------------------------------------------
# Who sees the editions
# ---------------------------------------------------------------------------
@pytest.fixture
def edition(secretariat, own_review):
    NeedFactory(review=own_review)
    return make_edition(secretariat, mandate="First.\n\nSecond paragraph.")


def urls(edition) -> list[str]:
    return [
        reverse("reports:edition_list"),
        reverse("reports:edition_create"),
        edition.get_absolute_url(),
        edition.get_absolute_url() + "?format=docx",
        reverse("reports:edition_edit", args=[edition.pk]),
    ]


@pytest.mark.parametrize("role", ["focal_point", "viewer", "no_role"])
def test_only_the_secretariat_finds_the_editions(client, request, edition, role):
    user = (
        UserFactory(username="nobody")
        if role == "no_role"
        else request.getfixturevalue(role)
    )
    client.force_login(user)

    for url in urls(edition):
        assert client.get(url).status_code == 404, url
    # a change posted by someone else changes nothing
    response = client.post(
        reverse("reports:edition_edit", args=[edition.pk]), {"title": "Taken"}
    )
    assert response.status_code == 404
    edition.refresh_from_db()
    assert edition.title == "Analysis of technical assistance needs"


def test_anonymous_visitors_are_sent_to_log_in(client, edition):
    for url in urls(edition):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_secretariat_reads_each_page(client, secretariat, edition):
    client.force_login(secretariat)

    for url in urls(edition):
        assert client.get(url).status_code == 200, url


def test_the_public_draft_stays_the_statistical_sections_for_anyone(
    client, edition, own_review
):
    page = client.get(reverse("reports:draft_note")).getvalue().decode()
    word = client.get(reverse("reports:draft_note"), {"format": "docx"})

    assert "Figure I" in page
    assert "Second paragraph." not in page
    assert "Information on needs already being addressed" not in page
    assert "letter offering" not in page
    assert reverse("reports:edition_list") not in page
    assert Document(io.BytesIO(word.getvalue())).paragraphs


# ---------------------------------------------------------------------------
# Creating and changing an edition
# ---------------------------------------------------------------------------
def form_data(**values) -> dict:
    data = {
        "cycle": ReviewCycle.objects.get(number=1).pk,
        "chapters": [Chapter.objects.get(number="III").pk],
        "cut_off": "2024-05-10",
        "title": "Analysis of technical assistance needs, 2024",
        "symbol": "CAC/COSP/2024/9",
        "mandate": "The mandate.\n\nIts second paragraph.",
        "figure_articles": "15, 16",
    }
    return data | values


def test_the_secretariat_creates_an_edition_with_the_form(client, secretariat):
    client.force_login(secretariat)

    response = client.post(reverse("reports:edition_create"), form_data())

    edition = NoteEdition.objects.get()
    assert response["Location"] == edition.get_absolute_url()
    assert [c.number for c in edition.chapters.all()] == ["III"]
    assert edition.created_by == secretariat
    assert edition.figure_article_numbers == {15, 16}
    assert edition.history.filter(history_user=secretariat).exists()
    assert paragraphs(edition, secretariat)[:2] == [
        "The mandate.",
        "Its second paragraph.",
    ]


REFUSED = {
    # chapter II is not reviewed in the first cycle
    "chapters": lambda: {"chapters": [Chapter.objects.get(number="II").pk]},
    "figure_articles": lambda: {"figure_articles": "15, sixteen"},
    "cut_off": lambda: {"cut_off": ""},
}


@pytest.mark.parametrize("field", REFUSED)
def test_the_form_refuses_what_the_edition_cannot_be(client, secretariat, field):
    client.force_login(secretariat)

    response = client.post(
        reverse("reports:edition_create"), form_data(**REFUSED[field]())
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not NoteEdition.objects.exists()


def test_a_second_edition_with_the_same_symbol_is_refused(client, secretariat):
    client.force_login(secretariat)
    client.post(reverse("reports:edition_create"), form_data())

    response = client.post(reverse("reports:edition_create"), form_data())

    assert response.status_code == 200
    assert "Another edition has this symbol." in response.getvalue().decode()
    assert NoteEdition.objects.count() == 1


def test_a_new_edition_starts_from_the_latest_else_from_2013(client, secretariat):
    client.force_login(secretariat)
    first = client.get(reverse("reports:edition_create")).context["form"]
    make_edition(secretariat, mandate="Our own mandate.", symbol="X/1")

    second = client.get(reverse("reports:edition_create")).context["form"]

    assert first.initial["mandate"].startswith("In its resolution 3/1, the Conference")
    assert first.initial["cut_off"] == datetime.date(2013, 9, 1)
    assert second.initial["mandate"] == "Our own mandate."
    assert second.initial["symbol"] == ""  # each edition its own


def test_editing_an_edition_changes_its_draft(client, secretariat, edition):
    client.force_login(secretariat)
    url = reverse("reports:edition_edit", args=[edition.pk])
    versions = edition.history.count()

    client.post(url, form_data(considerations="Consider this.", symbol=""))

    page = client.get(edition.get_absolute_url()).getvalue().decode()
    assert "Consider this." in page
    assert "Areas for further consideration" in page
    assert edition.history.count() > versions


def test_the_service_refuses_anyone_but_the_secretariat(focal_point):
    edition = NoteEdition(cycle=ReviewCycle.objects.get(number=1), cut_off=DAY)
    edition.title = "x"

    with pytest.raises(PermissionDenied):
        services.note_edition_save(edition=edition, chapters=None, user=focal_point)
    assert not NoteEdition.objects.exists()


# ---------------------------------------------------------------------------
# Examples quoted from the descriptions
# ---------------------------------------------------------------------------
def described(text: str, audience: str | None, agreed_on=DAY, **values):
    review = CountryReviewFactory()
    if audience:
        Consent.objects.create(
            review=review,
            subject=Consent.Subject.NEED_DESCRIPTIONS,
            audience=audience,
            agreed_on=agreed_on,
        )
    return NeedFactory(review=review, description=text, **values)


def test_the_note_quotes_only_descriptions_shared_with_the_public(secretariat):
    # given descriptions shared with the public (two States alike), with donors only,
    # with the public after the cut-off, and one from an unpublished source
    with time_machine.travel(NOON, tick=False):
        described("Training of judges.", Consent.Audience.PUBLIC)
        described("Training of judges", Consent.Audience.PUBLIC)
        described("Kept among donors.", Consent.Audience.DONORS)
        later = DAY + datetime.timedelta(days=1)
        described("Shared too late.", Consent.Audience.PUBLIC, agreed_on=later)
        described(
            "From the checklist.", Consent.Audience.PUBLIC, source=Need.Source.CHECKLIST
        )
        other = NeedType.objects.get(slug="other")
        described("A database.", Consent.Audience.PUBLIC, need_type=other)
        edition = make_edition(secretariat)

    # when the edition is drafted
    text = " ".join(paragraphs(edition, secretariat))

    # then only the public ones are quoted, anonymised, counted by States
    assert (
        "Two States sought summary of good practices/lessons learned: “Training of "
        "judges”." in text
    )
    assert "One State sought other assistance: “A database”." in text
    for withheld in ("Kept among donors", "Shared too late", "From the checklist"):
        assert withheld not in text


# ---------------------------------------------------------------------------
# Section IV: the follow-up records, as the follow-up pages count them
# ---------------------------------------------------------------------------
@pytest.fixture
def follow_up_world(secretariat):
    """Four African States with the same unaddressed need, one Asian; letters to
    two, events, an adopted plan integrated into programming and one being drafted,
    assistance ongoing (with a bilateral donor), planned and ended."""
    user = secretariat
    asia = RegionalGroup.objects.get(slug="asia-pacific")
    with time_machine.travel(NOON, tick=False):
        african = [CountryReviewFactory() for _ in range(4)]
        asian = CountryReviewFactory(state__regional_group=asia)
        CountryReviewFactory()  # completed, no need: no letter expected
        for review in [*african, asian]:
            NeedFactory(review=review)
        need = NeedFactory(
            review=african[0],
            article=Article.objects.get(number=16),
            need_type=NeedType.objects.get(slug="legislative-drafting"),
        )
        followup_services.follow_up_save(
            follow_up=FollowUp(
                review=african[0],
                letter_sent_on=datetime.date(2024, 1, 10),
                reply_received_on=datetime.date(2024, 2, 1),
            ),
            events=[
                {"date": datetime.date(2024, 3, 1), "kind": "country-visit"},
                {"date": datetime.date(2024, 3, 5), "kind": "workshop"},
                {"date": datetime.date(2024, 6, 5), "kind": "workshop"},  # later
            ],
            user=user,
        )
        followup_services.follow_up_save(
            follow_up=FollowUp(
                review=african[1], letter_sent_on=datetime.date(2024, 1, 10)
            ),
            events=None,
            user=user,
        )
        followup_services.action_plan_save(
            plan=ActionPlan(
                state=african[0].state,
                title="Plan",
                status=ActionPlan.Status.ADOPTED,
                started_on=datetime.date(2024, 2, 1),
                adopted_on=datetime.date(2024, 4, 1),
            ),
            items=[
                {
                    "rank": 1,
                    "responsible_authority": "Ministry of Justice",
                    "integration": ActionPlanItem.Integration.UNDAF,
                    "integration_reference": "UNDAF 2024-2028",
                    "needs": [need],
                }
            ],
            user=user,
        )
        followup_services.action_plan_save(
            plan=ActionPlan(
                state=african[1].state,
                title="Draft plan",
                started_on=datetime.date(2024, 4, 1),
            ),
            items=None,
            user=user,
        )
        bilateral = followup_services.donor_save(
            donor=Donor(
                name="Agency", kind=Donor.Kind.BILATERAL, home_country=asian.state
            ),
            user=user,
        )
        fund = followup_services.donor_save(
            donor=Donor(name="Fund", kind=Donor.Kind.MULTILATERAL), user=user
        )
        ongoing = followup_services.assistance_save(
            assistance=Assistance(title="Courts", status=Assistance.Status.ONGOING),
            donors=[bilateral],
            beneficiaries=[african[0].state],
            user=user,
        )
        followup_services.assistance_link_need(
            assistance=ongoing, need=need, coverage="in-part", user=user
        )
        followup_services.assistance_save(
            assistance=Assistance(title="Later", status=Assistance.Status.PLANNED),
            donors=[fund],
            beneficiaries=[african[1].state],
            user=user,
        )
        followup_services.assistance_save(
            assistance=Assistance(title="Past", status=Assistance.Status.ENDED),
            beneficiaries=[asian.state],
            user=user,
        )
        return make_edition(user)


def test_section_iv_counts_what_the_follow_up_pages_show_that_day(
    secretariat, follow_up_world
):
    # given the follow-up pages' numbers on the cut-off day
    desk = {
        section.key: section.total
        for section in followup.desk(user=secretariat, today=DAY)
    }
    matrix = followup.donor_matrix(user=secretariat, dimension="type")
    clusters = followup.regional_clusters(user=secretariat)

    # when the edition of that day is drafted
    document, sources = selectors.edition_sources(
        user=secretariat, edition=follow_up_world
    )
    summary = sources.follow_up

    # then section IV counts the same
    assert summary.letters_pending == desk["no-letter"] == 3
    assert summary.plans_not_integrated == desk["not-integrated"] == 1
    assert summary.unaddressed_without_assistance == desk["unaddressed"] == 5
    assert document.coverage.overall["met-in-part"] == desk["in-part"] == 1
    assert summary.assistance == matrix.status_counts
    assert [(c.region, c.article, c.need_type, c.states) for c in summary.clusters] == [
        (row["region"], row["article"], row["need_type"], row["states"])
        for row in clusters
    ]
    assert summary.events == {"country-visit": 1, "workshop": 1}
    assert summary.assistance_by_donor_kind == {"bilateral": 1, "multilateral": 1}
    assert summary.states_with_ongoing_assistance == 1


def test_section_iv_writes_the_numbers_in_the_notes_words(secretariat, follow_up_world):
    draft = drafted(follow_up_world, secretariat)
    text = " ".join(block.text for block in draft.paragraphs)
    titles = [table.title for table in draft.tables]

    assert (
        "By 10 May 2024, the reviews of five States parties had been completed with "
        "technical assistance needs identified. The secretariat had sent two of them "
        "the letter offering to take forward the outcome of the review; three letters "
        "were pending. One State party had replied." in text
    )
    assert (
        "The follow-up recorded comprised one country visit and one workshop led by "
        "the focal point." in text
    )
    assert (
        "Of the 6 needs identified, 0 had been met fully and 1 in part; 5 had not yet "
        "been addressed, 5 of them with no assistance recorded." in text
    )
    assert "In one case, the same need had been left unaddressed by three" in text
    assert "chapters III and IV of the Convention" in text  # those of the cycle
    clusters = next(t for t in draft.tables if t.slug == "follow-up-clusters")
    assert clusters.rows == [
        ["Group of African States", 15, "Summary of good practices/lessons learned", 4]
    ]
    assert "Technical assistance recorded, by kind of donor" in titles
    assert "Action plan items integrated into programming, by framework" in titles


def test_section_iv_is_the_records_as_they_stood_on_the_cut_off_day(
    secretariat, follow_up_world
):
    # given the edition as drafted now
    before = draft_note.to_markdown(drafted(follow_up_world, secretariat))
    pending = CountryReview.objects.filter(
        needs__isnull=False, follow_up__isnull=True
    ).first()
    visited = FollowUp.objects.filter(events__isnull=False).distinct().get()
    planned = Assistance.objects.get(status=Assistance.Status.PLANNED)

    # when, after the cut-off day, a letter is recorded dated back to that day, the
    # events are replaced by an earlier one, and the planned assistance starts
    followup_services.follow_up_save(
        follow_up=FollowUp(review=pending, letter_sent_on=DAY),
        events=None,
        user=secretariat,
    )
    followup_services.follow_up_save(
        follow_up=visited,
        events=[{"date": datetime.date(2024, 1, 1), "kind": "donor-meeting"}],
        user=secretariat,
    )
    planned.status = Assistance.Status.ONGOING
    followup_services.assistance_save(assistance=planned, user=secretariat)

    # then the edition has not moved
    assert draft_note.to_markdown(drafted(follow_up_world, secretariat)) == before


# ---------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------
def test_the_edition_downloads_as_pdf_and_prints(client, secretariat, edition):
    client.force_login(secretariat)
    url = edition.get_absolute_url()

    pdf = client.get(url, {"format": "pdf"})
    printable = client.get(url, {"format": "print"}).getvalue().decode()

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.getvalue().startswith(b"%PDF")
    assert "note-print.css" in printable
    assert '<p class="numbered" id="paragraph-1">' in printable
    # The page's title is the edition's, and its charts take their styles from the
    # stylesheet (the Content-Security-Policy refuses a <style> inside an SVG)
    assert f"<title>{edition.symbol or edition}</title>" in printable
    assert "<style>" not in printable


def test_the_printable_draft_note_is_titled_and_styled_by_its_stylesheet(
    client, note_2013
):
    printable = client.get("/reports/draft-note/", {"format": "print"})
    html = printable.getvalue().decode()
    assert "<title>Draft note</title>" in html
    assert "<svg" in html
    assert "<style>" not in html


def test_the_edition_page_costs_a_bounded_number_of_queries(
    client, secretariat, edition, django_assert_max_num_queries
):
    client.force_login(secretariat)
    for _ in range(5):
        NeedFactory(review=CountryReviewFactory())

    with django_assert_max_num_queries(50):
        client.get(edition.get_absolute_url())
