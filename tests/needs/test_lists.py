"""The States list and the needs list: what they show by default, their order, their
filters' words and choices, their downloads, and their query counts."""

import csv
import io

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from needs import selectors
from needs.filtersets import NeedFilterSet
from needs.models import Donor, Need
from reviews.models import Article, RegionalGroup, StateParty, sort_key
from tests.factories import (
    SHARES_REPORT,
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
    StatePartyFactory,
    make_assistance,
)

pytestmark = pytest.mark.django_db

STATES = reverse("needs:state_list")
NEEDS = reverse("needs:need_list")
EVERY_STATE = {"party_status": "all", "reconstructed": "all"}


def listed(response) -> list[str]:
    """The codes of every State the filtered list holds (all pages), in order."""
    return [s.code for s in response.context["page_obj"].paginator.object_list]


def real_state(code, name, **values):
    return StatePartyFactory(code=code, name=name, reconstructed=False, **values)


# ---------------------------------------------------------------------------
# The States list
# ---------------------------------------------------------------------------
def test_states_list_shows_real_states_parties_by_default(user_client):
    # given a real party, a real State that is not a party, and a demonstration State
    real_state("ZZA", "Zzparty")
    real_state("ZZB", "Zznonparty", party_status=StateParty.PartyStatus.NO)
    StatePartyFactory(code="ZZ-01", name="Zzdemo")

    # when the list is asked for with no filter, then only the real party is listed
    default = listed(user_client.get(STATES, {"q": "zz"}))
    assert default == ["ZZA"]
    # each filter has an explicit "all"
    every_status = listed(user_client.get(STATES, {"q": "zz", "party_status": "all"}))
    assert every_status == ["ZZB", "ZZA"]
    demonstration = listed(
        user_client.get(STATES, {"q": "zz", "reconstructed": "true"})
    )
    assert demonstration == ["ZZ-01"]
    assert listed(user_client.get(STATES, {"q": "zz", **EVERY_STATE})) == [
        "ZZ-01",
        "ZZB",
        "ZZA",
    ]


def test_states_list_form_selects_the_defaults(user_client):
    html = user_client.get(STATES).getvalue().decode()
    assert '<option value="yes" selected>' in html
    assert '<option value="false" selected>' in html
    assert '<option value="all">' in html


def test_states_sort_by_the_collation_of_their_names(user_client):
    # The reference data holds Costa Rica, Côte d'Ivoire, Croatia, Cuba and Czechia.
    codes = listed(user_client.get(STATES))
    position = {code: codes.index(code) for code in ["CRI", "CIV", "HRV", "CZE"]}
    assert position["CIV"] == position["CRI"] + 1
    assert position["CRI"] < position["CIV"] < position["HRV"] < position["CZE"]


def test_the_sort_name_follows_the_name_through_update_or_create():
    state = real_state("ZZC", "Zulu")
    StateParty.objects.update_or_create(code="ZZC", defaults={"name": "Ålborg"})
    state.refresh_from_db()
    assert state.sort_name == "alborg"
    assert sort_key("Côte d'Ivoire") == "cotedivoire"


def test_states_search_ignores_accents(user_client):
    assert listed(user_client.get(STATES, {"q": "cote d'iv"})) == ["CIV"]
    assert listed(user_client.get(STATES, {"q": "Côte"})) == ["CIV"]


def test_states_list_keeps_its_filters_across_pages(user_client):
    html = user_client.get(STATES, {"party_status": "all"}).getvalue().decode()
    assert "party_status=all" in html
    assert "page=2" in html


def test_demonstration_states_are_counted_apart_and_labelled(user_client, note_2013):
    # given the reference data (real States) and the 44 States of the reconstruction
    parties = StateParty.objects.real().parties().count()
    demonstration = StateParty.objects.demonstration().count()
    assert demonstration == 44

    # the home page counts real parties only, and the demonstration States apart
    home = user_client.get(reverse("home"))
    assert home.context["states"].parties == parties
    assert home.context["states"].demonstration == 44
    text = home.getvalue().decode()
    assert "not counting 44 demonstration States" in text
    assert "demonstration data set" in text

    # the States list: hidden by default, counted, and labelled when shown
    page = user_client.get(STATES)
    assert not any(s.reconstructed for s in page.context["page_obj"])
    assert page.context["counts"].demonstration == 44
    assert "Also 44 anonymized States of the 2013 reconstruction" in (
        page.getvalue().decode()
    )
    shown = user_client.get(STATES, {"reconstructed": "true"})
    assert shown.context["page_obj"].paginator.count == 44
    assert shown.getvalue().decode().count("demonstration data</span>") == 44


def test_home_counts_of_a_real_installation(client):
    # given only the reference data: no demonstration data set
    home = client.get(reverse("home"))
    states = home.context["states"]
    assert states.parties == StateParty.objects.real().parties().count()
    assert states.others == StateParty.objects.exclude(party_status="yes").count()
    assert states.demonstration == 0
    assert "demonstration" not in home.getvalue().decode()


def test_every_page_of_a_demonstration_state_says_so(user_client):
    review = CountryReviewFactory()  # a State of the demonstration data set
    need = NeedFactory(review=review)
    real = NeedFactory(review__state=real_state("ZZR", "Real State"))
    for url in [
        review.state.get_absolute_url(),
        review.get_absolute_url(),
        reverse("needs:review_entry", args=[review.pk]),
        need.get_absolute_url(),
        reverse("needs:need_edit", args=[need.pk]),
        reverse("followup:state_follow_up", args=[review.state.code]),
    ]:
        assert "demonstration data</span>" in user_client.get(url).getvalue().decode()
    for url in [real.get_absolute_url(), real.review.state.get_absolute_url()]:
        assert (
            "demonstration data</span>" not in user_client.get(url).getvalue().decode()
        )


# ---------------------------------------------------------------------------
# The needs list: filters
# ---------------------------------------------------------------------------
LABELS = {
    "regional_group": "Regional group",
    "state": "State",
    "cycle": "Cycle",
    "review_year": "Year of the cycle",
    "chapter": "Chapter",
    "article": "Article",
    "need_type": "Type of need",
    "coverage": "Coverage",
    "priority": "Priority",
    "source": "Source",
    "donor": "Addressed by donor",
    "status": "Status",
    "updated_after": "Changed on or after",
    "updated_before": "Changed on or before",
    "q": "Search descriptions",
}


def test_needs_filters_speak_in_words_a_person_uses(user_client):
    form = user_client.get(NEEDS).context["filter"].form
    labels = {name: str(field.label) for name, field in form.fields.items()}
    assert labels == LABELS
    generated = ["Review state", "(id)", "is greater than", "is less than", "date"]
    assert [
        label for label in labels.values() if any(g in label for g in generated)
    ] == []


def test_state_choices_are_the_states_with_visible_reviews_by_name(client, viewer):
    # given a completed review, one under way (a viewer does not see it), and the
    # reference States (none of them reviewed)
    seen = CountryReviewFactory(state=real_state("ZZD", "Zz Côte"))
    CountryReviewFactory(state=real_state("ZZE", "Zz Costa"))
    CountryReviewFactory(status="under-way", completed_on=None)
    client.force_login(viewer)

    choices = client.get(NEEDS).context["filter"].form.fields["state"].queryset
    assert [s.code for s in choices] == ["ZZE", seen.state.code]


def test_donors_are_chosen_by_name_among_those_addressing_visible_needs(user_client):
    need = NeedFactory()
    gives = Donor.objects.create(name="Zeta Fund", kind=Donor.Kind.NGO)
    also = Donor.objects.create(name="Alpha Aid", kind=Donor.Kind.NGO)
    Donor.objects.create(name="Idle Donor", kind=Donor.Kind.NGO)
    project = make_assistance(donors=[gives, also], states=[need.review.state])
    project.links.create(need=need, coverage="in-part")
    NeedFactory(article=Article.objects.get(number=16))

    response = user_client.get(NEEDS)
    field = response.context["filter"].form.fields["donor"]
    assert [str(label) for _, label in field.choices][1:] == ["Alpha Aid", "Zeta Fund"]
    # the query still names the donor by its id (the API's parameter)
    filtered = user_client.get(NEEDS, {"donor": gives.pk})
    assert [n["id"] for n in filtered.context["page_obj"]] == [need.pk]


def test_the_api_keeps_the_parameter_names():
    assert set(NeedFilterSet.base_filters) == set(LABELS)


# ---------------------------------------------------------------------------
# The needs list: descriptions
# ---------------------------------------------------------------------------
@pytest.fixture
def sharing_and_withholding():
    sharing = CountryReviewFactory(
        state=real_state("ZZS", "Sharing State"), shares=SHARES_REPORT
    )
    withholding = CountryReviewFactory(state=real_state("ZZW", "Withholding State"))
    return {
        "shared": NeedFactory(review=sharing, description="Shared words"),
        "withheld": NeedFactory(review=withholding, description="Secret words"),
    }


def test_description_column_shows_only_shared_descriptions(
    client, viewer, sharing_and_withholding
):
    client.force_login(viewer)
    response = client.get(NEEDS)
    html = response.getvalue().decode()
    assert response.context["shows_descriptions"]
    assert "Shared words" in html
    assert "Secret words" not in html
    assert "Withheld." in html


def test_description_column_is_hidden_where_nothing_is_shared(
    client, viewer, sharing_and_withholding
):
    client.force_login(viewer)
    response = client.get(NEEDS, {"state": "ZZW"})
    assert [n["id"] for n in response.context["page_obj"]] == [
        sharing_and_withholding["withheld"].pk
    ]
    assert not response.context["shows_descriptions"]
    assert '<th scope="col">Description</th>' not in response.getvalue().decode()


def test_the_secretariat_reads_every_description(user_client, sharing_and_withholding):
    html = user_client.get(NEEDS).getvalue().decode()
    assert "Shared words" in html
    assert "Secret words" in html


def test_search_does_not_reveal_a_withheld_description(
    client, viewer, sharing_and_withholding
):
    client.force_login(viewer)
    assert client.get(NEEDS, {"q": "Secret"}).context["page_obj"].paginator.count == 0
    assert client.get(NEEDS, {"q": "words"}).context["page_obj"].paginator.count == 1


# ---------------------------------------------------------------------------
# The needs list: downloads
# ---------------------------------------------------------------------------
def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def xlsx_rows(response) -> list[list[str]]:
    """The workbook's rows as the CSV writes them (text; empty for no value)."""
    sheet = load_workbook(io.BytesIO(response.getvalue()), read_only=True).active
    return [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def test_downloads_hold_exactly_the_filtered_needs(user_client):
    # given needs in two chapters, more than a page of them in chapter III
    review = CountryReviewFactory()
    in_three = [
        NeedFactory(review=review, article=Article.objects.get(number=number))
        for number in range(15, 42)
    ]
    NeedFactory(review=review, article=Article.objects.get(number=46))
    query = {"chapter": "III", "coverage": "not-yet-addressed"}

    page = user_client.get(NEEDS, query)
    as_csv = user_client.get(NEEDS, {**query, "format": "csv"})
    as_xlsx = user_client.get(NEEDS, {**query, "format": "xlsx"})

    assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="needs.xlsx"' in as_xlsx["Content-Disposition"]
    rows = csv_rows(as_csv)
    assert xlsx_rows(as_xlsx) == rows
    ids = [int(row[0]) for row in rows[1:]]
    assert ids == [n["id"] for n in page.context["page_obj"].paginator.object_list]
    assert sorted(ids) == sorted(n.pk for n in in_three)
    # the page links to both, with its filters
    html = page.getvalue().decode()
    assert "?chapter=III&amp;coverage=not-yet-addressed&amp;format=csv" in html
    assert "?chapter=III&amp;coverage=not-yet-addressed&amp;format=xlsx" in html


def test_xlsx_runs_no_formula_and_keeps_what_it_cannot_hold_out(user_client):
    NeedFactory(description='=HYPERLINK("http://x")\x0b', remaining="-2+3")
    sheet = load_workbook(
        io.BytesIO(user_client.get(NEEDS, {"format": "xlsx"}).getvalue())
    ).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["description"].value == '\'=HYPERLINK("http://x")'
    assert row["description"].data_type == "s"
    assert row["remaining"].value == "'-2+3"
    assert row["id"].data_type == "n"


def test_downloads_withhold_what_the_user_may_not_read(
    client, viewer, sharing_and_withholding
):
    client.force_login(viewer)
    rows = xlsx_rows(client.get(NEEDS, {"format": "xlsx"}))
    descriptions = {row[2]: row[9] for row in rows[1:]}
    assert descriptions == {"ZZS": "Shared words", "ZZW": "[withheld]"}


# ---------------------------------------------------------------------------
# Query counts: the same for 5 rows as for 50
# ---------------------------------------------------------------------------
def queries(client, url, query=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
        response.getvalue()
    assert response.status_code == 200
    return len(captured)


def make_needs(count: int, reviews: list) -> None:
    articles = list(Article.objects.filter(chapter__number__in=["III", "IV"]))
    Need.objects.bulk_create(
        Need(
            review=reviews[i % len(reviews)],
            article=articles[i // len(reviews)],
            need_type_id=1,
            description=f"Need {i}",
        )
        for i in range(count)
    )


@pytest.mark.parametrize("role", ["secretariat", "viewer"])
def test_needs_list_and_downloads_cost_the_same_for_5_and_50_rows(client, role):
    user = AccountFactory(role=role).user
    client.force_login(user)
    sharing = CountryReviewFactory(shares=SHARES_REPORT)
    withholding = CountryReviewFactory()
    make_needs(5, [sharing, withholding])
    counts = [queries(client, NEEDS, {"format": f}) for f in ["html", "csv", "xlsx"]]
    make_needs(50, [CountryReviewFactory(shares=SHARES_REPORT), CountryReviewFactory()])
    assert Need.objects.count() == 55
    assert [queries(client, NEEDS, {"format": f}) for f in ["html", "csv", "xlsx"]] == (
        counts
    )


def test_states_list_costs_the_same_for_5_and_50_rows(user_client):
    asia = RegionalGroup.objects.get(slug="asia-pacific")
    query = {"q": "zzq", **EVERY_STATE}
    for n in range(5):
        NeedFactory(review__state=real_state(f"ZQ{n}", f"Zzq {n}", regional_group=asia))
    few = queries(user_client, STATES, query)
    for n in range(5, 50):
        NeedFactory(review__state=real_state(f"ZQ{n}", f"Zzq {n}"))
    assert user_client.get(STATES, query).context["page_obj"].paginator.count == 50
    assert queries(user_client, STATES, query) == few


def test_state_counts_of_a_focal_point_are_their_own_state(client, focal_point):
    client.force_login(focal_point)
    counts = client.get(STATES).context["counts"]
    assert counts == selectors.StateCounts(parties=0, others=0, demonstration=1)


def test_every_filter_of_the_needs_list_says_what_its_empty_choice_means(
    client, secretariat
):
    client.force_login(secretariat)
    html = client.get("/needs/").content.decode()
    assert "---------" not in html
    for words in ("Any coverage", "Any priority", "Any source", "Any status"):
        assert words in html


# ---------------------------------------------------------------------------
# A filter given a value it does not take
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=ZZZ", "state"),
        ("cycle=9", "cycle"),
        ("article=999", "article"),
        ("priority=bogus", "priority"),
    ],
)
def test_a_bad_filter_lists_nothing_and_says_which(
    user_client, own_review, query, field
):
    # given needs that an unfiltered page lists
    NeedFactory(review=own_review)

    # when a filter is given a value it does not take
    response = user_client.get(f"{NEEDS}?{query}")

    # then the page says so by the field and lists nothing (not every need)
    assert response.status_code == 400
    assert response.context["filter"].form.errors[field]
    assert response.context["page_obj"].paginator.count == 0
    html = response.content.decode()
    assert "Nothing is listed until the filters marked below are corrected." in html
    # and the downloads are not every need either
    download = user_client.get(f"{NEEDS}?{query}&format=csv")
    assert download.status_code == 400
    assert download["Content-Type"].startswith("text/html")


def test_a_focal_point_naming_another_state_is_told_and_sees_none_of_its_own(
    client, focal_point, own_review, other_review
):
    # given a need of the focal point's own State
    NeedFactory(review=own_review)
    client.force_login(focal_point)

    # when it filters on another State's code
    response = client.get(NEEDS, {"state": "OTH"})

    # then the State field says why, and no need is listed under that State's name
    assert response.status_code == 400
    assert response.context["filter"].form.errors["state"] == [
        "No State with this code among those whose needs you may see: choose one "
        "of the States suggested."
    ]
    assert response.context["page_obj"].paginator.count == 0


def test_the_states_and_unmet_needs_lists_refuse_a_bad_filter_too(
    user_client, own_review
):
    NeedFactory(review=own_review)
    states = user_client.get(STATES, {"regional_group": "nowhere"})
    unmet = user_client.get(reverse("followup:unmet_needs"), {"priority": "bogus"})
    for response in (states, unmet):
        assert response.status_code == 400
        assert response.context["page_obj"].paginator.count == 0


def test_an_exact_count_is_written_with_the_languages_grouping():
    class Paginator:
        count, num_pages, count_estimated = 1202, 25, False

    class Page:
        paginator, number = Paginator(), 1
        has_previous = has_next = lambda self: False

    html = render_to_string("includes/_pagination.html", {"page_obj": Page()})
    assert "(1,202 in all)" in html
