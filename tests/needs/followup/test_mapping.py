"""Donor mapping (paragraph 78): every donor and every project, a status filter, cells
that say what they count, the active tab marked, the same projects as a State's
follow-up page, and a CSV that agrees with the page."""

import csv
import io

import pytest
from django.urls import reverse

from needs.followup import selectors
from needs.models import Assistance, AssistanceNeed, Donor, Need
from reviews.models import Article, CountryReview
from tests.factories import CountryReviewFactory, NeedFactory, make_assistance

pytestmark = pytest.mark.django_db
URL = reverse("followup:donor_mapping")
ALL_STATUSES = tuple(Assistance.Status.values)


def link(project, need, coverage="in-part"):
    return AssistanceNeed.objects.create(
        assistance=project, need=need, coverage=coverage
    )


def by_donor(matrix) -> dict:
    return {row.donor: row for row in matrix.rows}


def cell(matrix, donor, column) -> tuple:
    found = by_donor(matrix)[donor].cells.get(column)
    return (found.projects, found.in_full, found.in_part) if found else None


@pytest.fixture
def donors(db) -> dict:
    return {
        name: Donor.objects.create(name=name, kind=Donor.Kind.REGIONAL)
        for name in ["European Union", "Council of Europe", "UNDP"]
    }


# ---------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------
def test_every_donor_and_every_project_counts(secretariat, donors):
    # Given a project with a linked need, one that ended with none linked, one with
    # no donor recorded, and a donor (UNDP) with no project
    need = NeedFactory()
    linked = make_assistance(donors=[donors["European Union"]], title="Linked")
    link(linked, need, "in-full")
    make_assistance(
        donors=[donors["Council of Europe"]],
        status=Assistance.Status.ENDED,
        title="Ended, no need linked",
    )
    make_assistance(title="No donor")

    # When the matrix by type is read
    matrix = selectors.donor_matrix(user=secretariat, dimension="type")

    # Then every donor has a row, and every project is counted somewhere
    assert [row.donor for row in matrix.rows] == [
        "Council of Europe",
        "European Union",
        "UNDP",
        "Donor not recorded",
    ]
    assert cell(matrix, "European Union", "good-practices") == (1, 1, 0)
    assert cell(matrix, "Council of Europe", selectors.UNLINKED) == (1, 0, 0)
    assert cell(matrix, "Donor not recorded", selectors.UNLINKED) == (1, 0, 0)
    assert by_donor(matrix)["UNDP"].cells == {}
    assert dict(matrix.columns)[selectors.UNLINKED] == "No need linked yet"
    assert sum(row.total.projects for row in matrix.rows) == 3


def test_a_cell_counts_projects_and_distinct_needs_in_full_before_in_part(
    secretariat, donors
):
    # Given two EU projects on the same need (one in part, one in full), a third
    # need addressed in part, and a joint project with the Council of Europe
    eu, coe = donors["European Union"], donors["Council of Europe"]
    first, second = NeedFactory(), NeedFactory()
    one = make_assistance(donors=[eu])
    two = make_assistance(donors=[eu, coe])
    link(one, first, "in-part")
    link(two, first, "in-full")
    link(two, second, "in-part")

    matrix = selectors.donor_matrix(user=secretariat, dimension="type")

    # Then the EU has 2 projects, 1 need in full and 1 only in part; the Council of
    # Europe, the joint project only
    assert cell(matrix, "European Union", "good-practices") == (2, 1, 1)
    assert cell(matrix, "Council of Europe", "good-practices") == (1, 1, 1)
    assert by_donor(matrix)["European Union"].total.projects == 2


def test_by_state_a_project_counts_for_its_beneficiaries(secretariat, donors):
    # Given a programme serving a State with no need linked yet
    review = CountryReviewFactory(state__name="Served State")
    make_assistance(donors=[donors["UNDP"]], states=[review.state])

    matrix = selectors.donor_matrix(user=secretariat, dimension="state")

    assert cell(matrix, "UNDP", review.state.code) == (1, 0, 0)
    assert dict(matrix.columns)[review.state.code] == "Served State"


def test_columns_by_article_follow_the_numbers(secretariat, donors):
    eu = donors["European Union"]
    project = make_assistance(donors=[eu])
    for number in (23, 5, 15):
        link(project, NeedFactory(article=Article.objects.get(number=number)))

    matrix = selectors.donor_matrix(user=secretariat, dimension="article")

    assert [key for key, _ in matrix.columns] == ["5", "15", "23"]


def test_the_default_leaves_out_planned_projects_and_says_how_many(secretariat, donors):
    # Given one project of each status
    for status in Assistance.Status.values:
        make_assistance(donors=[donors["UNDP"]], status=status, title=status)

    default = selectors.donor_matrix(user=secretariat, dimension="type")
    planned = selectors.donor_matrix(
        user=secretariat, dimension="type", statuses=("planned",)
    )

    assert by_donor(default)["UNDP"].total.projects == 3
    assert by_donor(planned)["UNDP"].total.projects == 1
    assert default.status_counts == dict.fromkeys(Assistance.Status.values, 1)
    assert set(default.statuses) == {"ongoing", "completed", "ended-without-extension"}


# ---------------------------------------------------------------------------
# The page, by role
# ---------------------------------------------------------------------------
def page(client, user, **query):
    client.force_login(user)
    response = client.get(URL, query)
    assert response.status_code == 200
    return response


def test_the_page_has_a_legend_and_cells_that_say_what_they_count(
    client, secretariat, donors
):
    project = make_assistance(donors=[donors["European Union"]])
    link(project, NeedFactory(), "in-full")

    html = page(client, secretariat).getvalue().decode()

    assert "How to read the table" in html
    assert html.index("How to read the table") < html.index("<table")
    assert "1 project" in html
    assert "needs: 1 in full, 0 in part" in html
    assert " / " not in html.split("<table")[1].split("</table>")[0]


@pytest.mark.parametrize("dimension", list(selectors.MAPPING_DIMENSIONS))
def test_the_active_tab_is_marked_and_keeps_the_filter(client, secretariat, dimension):
    html = page(client, secretariat, by=dimension, status="planned")
    html = html.getvalue().decode()

    current = [line for line in html.split("<li>") if 'aria-current="page"' in line]
    assert len(current) == 1
    assert f"?by={dimension}&amp;status=planned" in current[0]


def test_the_filter_shows_which_statuses_are_active(client, secretariat):
    make_assistance(status=Assistance.Status.PLANNED, title="Planned one")

    default = page(client, secretariat).getvalue().decode()
    chosen = page(client, secretariat, status="planned").getvalue().decode()

    assert 'value="planned">' in default  # not ticked
    assert 'value="ongoing" checked>' in default
    assert "Planned one" not in default
    assert "Planned (1)" in default
    assert 'value="planned" checked>' in chosen
    assert 'value="ongoing">' in chosen
    assert "Planned one" in chosen


def test_an_unknown_status_or_dimension_falls_back_to_the_default(client, secretariat):
    response = page(client, secretariat, by="galaxy", status="lost")

    assert response.context["matrix"].dimension == "type"
    assert response.context["matrix"].statuses == selectors.MAPPING_STATUSES


def test_the_secretariat_sees_every_donor_and_project(client, secretariat, donors):
    make_assistance(
        donors=[donors["European Union"]],
        states=[CountryReviewFactory().state],
        title="Serving A",
    )
    make_assistance(title="Beneficiaries not recorded yet")

    response = page(client, secretariat, by="state")
    html = response.getvalue().decode()

    for name in ["European Union", "Council of Europe", "UNDP", "Donor not recorded"]:
        assert name in html
    assert "Serving A" in html
    assert "Beneficiaries not recorded yet" in html
    assert "No beneficiary recorded" in html


def test_a_focal_point_sees_the_projects_its_follow_up_page_shows(
    client, focal_point, own_review, other_review, donors
):
    # Given an ongoing programme for the focal point's State with no need linked
    # (what once read "No assistance linked"), and another State's project
    programme = make_assistance(
        donors=[donors["Council of Europe"]],
        states=[own_review.state],
        title="Judicial modernization",
    )
    ended = make_assistance(
        states=[own_review.state],
        status=Assistance.Status.ENDED,
        title="Ended project",
    )
    make_assistance(
        donors=[donors["European Union"]],
        states=[other_review.state],
        title="Other State's project",
    )
    NeedFactory(review=other_review)

    # When it opens donor mapping (by State) and its follow-up page
    mapping = page(client, focal_point, by="state")
    follow_up = client.get(
        reverse("followup:state_follow_up", args=[own_review.state.code])
    )

    # Then both show the same projects, and nothing of the other State
    listed = {project.pk for project in mapping.context["page_obj"]}
    assert listed == {item.pk for item in follow_up.context["page"].assistance}
    assert listed == {programme.pk, ended.pk}
    matrix = mapping.context["matrix"]
    assert cell(matrix, "Council of Europe", own_review.state.code) == (1, 0, 0)
    assert cell(matrix, "Donor not recorded", own_review.state.code) == (1, 0, 0)
    assert by_donor(matrix)["European Union"].cells == {}
    html = mapping.getvalue().decode()
    assert "Other State" not in html
    assert "Judicial modernization" in html


def test_a_viewer_counts_only_the_needs_it_may_see(client, viewer, donors):
    # Given a project on a published need and on a need from the checklist that
    # the State does not share, and a project of a review not completed
    review = CountryReviewFactory(state__name="Reviewed State")
    published = NeedFactory(review=review)
    withheld = NeedFactory(review=review, need_type_id=6, source=Need.Source.CHECKLIST)
    project = make_assistance(
        donors=[donors["UNDP"]], states=[review.state], notes="internal note"
    )
    link(project, published, "in-full")
    link(project, withheld, "in-full")
    pending = CountryReviewFactory(
        status=CountryReview.Status.UNDER_WAY, state__name="Pending State"
    )
    make_assistance(states=[pending.state], title="Not yet public")

    response = page(client, viewer)

    matrix = response.context["matrix"]
    assert cell(matrix, "UNDP", "good-practices") == (1, 1, 0)
    assert "capacity-building" not in by_donor(matrix)["UNDP"].cells
    html = response.getvalue().decode()
    assert "Not yet public" not in html
    assert "Pending State" not in html
    assert "internal note" not in html
    assert [p.needs_in_full for p in response.context["page_obj"]] == [1]


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    make_assistance(title="Hidden project")

    response = client.get(URL)

    assert response.status_code == 302
    assert b"Hidden project" not in response.getvalue()


def test_a_user_with_no_role_finds_nothing(client, django_user_model):
    client.force_login(django_user_model.objects.create(username="nobody"))

    assert client.get(URL).status_code == 404
    assert client.get(URL, {"format": "csv"}).status_code == 404


# ---------------------------------------------------------------------------
# The CSV
# ---------------------------------------------------------------------------
def csv_rows(client, **query) -> list[list[str]]:
    response = client.get(URL, {**query, "format": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def test_the_csv_has_the_pages_cells_and_filter(client, secretariat, donors):
    # Given an ongoing linked project, a planned one, and a donor with none
    need = NeedFactory()
    ongoing = make_assistance(donors=[donors["European Union"]])
    link(ongoing, need, "in-full")
    make_assistance(
        donors=[donors["Council of Europe"]], status=Assistance.Status.PLANNED
    )
    client.force_login(secretariat)

    default = csv_rows(client)
    planned = csv_rows(client, status="planned")

    label = dict(page(client, secretariat).context["matrix"].columns)
    assert default == [
        [
            "donor",
            "type",
            "projects",
            "needs addressed in full",
            "needs addressed in part",
        ],
        ["Council of Europe", "", "0", "0", "0"],
        ["European Union", label["good-practices"], "1", "1", "0"],
        ["UNDP", "", "0", "0", "0"],
    ]
    assert planned[1] == ["Council of Europe", "No need linked yet", "1", "0", "0"]
    html = page(client, secretariat).getvalue().decode()
    assert "?by=type&amp;format=csv" in html
    html = page(client, secretariat, status="planned").getvalue().decode()
    assert "?by=type&amp;status=planned&amp;format=csv" in html


# ---------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------
def world(count: int, donors: dict) -> None:
    names = list(donors.values())
    for index in range(count):
        review = CountryReviewFactory()
        need = NeedFactory(review=review)
        project = make_assistance(
            donors=[names[index % 3]],
            states=[review.state],
            status=ALL_STATUSES[index % 4],
        )
        if index % 2:
            link(project, need)


@pytest.mark.parametrize("dimension", list(selectors.MAPPING_DIMENSIONS))
@pytest.mark.parametrize("role", ["secretariat", "viewer"])
def test_the_page_costs_the_same_queries_for_2_or_20_projects(
    client, request, donors, django_assert_num_queries, dimension, role
):
    client.force_login(request.getfixturevalue(role))
    query = {"by": dimension, "status": list(ALL_STATUSES)}
    world(2, donors)
    with django_assert_num_queries(30, exact=False) as few:
        client.get(URL, query)
    world(18, donors)
    with django_assert_num_queries(len(few)):
        response = client.get(URL, query)
    assert len(response.context["page_obj"]) == 20


def test_the_csv_costs_the_same_queries_for_2_or_20_projects(
    client, secretariat, donors, django_assert_num_queries
):
    client.force_login(secretariat)
    world(2, donors)
    with django_assert_num_queries(30, exact=False) as few:
        csv_rows(client, by="state")
    world(18, donors)
    with django_assert_num_queries(len(few)):
        rows = csv_rows(client, by="state")
    # the header and a cell for each project not planned (one donor, one State each)
    assert len(rows) == 1 + Assistance.objects.exclude(status="planned").count()
