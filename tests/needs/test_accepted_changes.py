"""What a viewer sees of a need moves only when the secretariat changes its accepted
values: a State's proposal (a change, its submission, its return, a withdrawal asked)
saves the need's row, but its version and time of change, as a viewer reads them at
every door (the API's record, list, key and unmet needs, the CSV downloads, the
need's page, the filters and orderings by date, the ETag), stay as they were. The
State and the secretariat still see every save, and stale edits are still refused."""

import csv
import datetime
import importlib
import io
import re

import pytest
import time_machine
from django.apps import apps as django_apps
from django.utils import timezone
from rest_framework.test import APIClient

from needs import services
from needs.followup.services import need_coverage_set
from needs.models import Need
from reviews.models import Article
from tests.factories import SHARES_REPORT, NeedFactory

pytestmark = pytest.mark.django_db

DAY_ONE = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)
RECORDED = re.compile(r"last updated (?P<when>.+?) \(version (?P<version>\d+)\)")


def day(number: int) -> datetime.datetime:
    return DAY_ONE + datetime.timedelta(days=number - 1)


@pytest.fixture
def shared_review(own_review):
    """The focal point's review, shared with donors and partners in full."""
    for subject in SHARES_REPORT:
        own_review.consents.create(
            subject=subject, audience="donors", agreed_on=own_review.completed_on
        )
    return own_review


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _csv_row(client, url: str, need: Need) -> dict:
    text = b"".join(client.get(url).streaming_content).decode()
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    return rows[str(need.pk)]


def what_the_viewer_sees(viewer, need: Need) -> dict:
    """The need's version and time of change at each door a viewer has."""
    client = api(viewer)
    record = client.get(f"/api/v1/needs/{need.pk}/")
    listed = {n["id"]: n for n in client.get("/api/v1/needs/").json()["results"]}
    key = f"/api/v1/needs/{need.review.state.code}/15/{need.need_type.slug}/"
    unmet = {n["id"]: n for n in client.get("/api/v1/unmet-needs/").json()["results"]}
    client.force_login(viewer)
    page = RECORDED.search(client.get(f"/needs/{need.pk}/").content.decode())
    seen = {
        "record": (record.json()["version"], record.json()["updated_at"]),
        "etag": record["ETag"],
        "list": (listed[need.pk]["version"], listed[need.pk]["updated_at"]),
        "key": (
            client.get(key).json()["version"],
            client.get(key).json()["updated_at"],
        ),
        "unmet": (unmet[need.pk]["version"], unmet[need.pk]["updated_at"])
        if need.pk in unmet
        else None,
        "page": (page["version"], page["when"]),
    }
    for url in ("/needs/?format=csv", "/api/v1/needs/?format=csv"):
        seen[url] = _csv_row(client, url, need)["updated_at"]
    if need.pk in unmet:
        unmet_csv = _csv_row(client, "/api/v1/unmet-needs/?format=csv", need)
        seen["unmet.csv"] = unmet_csv["updated_at"]
    return seen


def test_a_viewer_sees_a_need_move_only_when_the_secretariat_accepts(
    shared_review, focal_point, secretariat, viewer
):
    # given an accepted need, as a viewer sees it on day 1
    with time_machine.travel(day(1), tick=False):
        need = NeedFactory(review=shared_review, description="Accepted wording")
    before = what_the_viewer_sees(viewer, need)
    assert before["record"] == (1, "2024-03-01T09:00:00Z")

    # when the focal point proposes a change, submits it and gets it back
    with time_machine.travel(day(2), tick=False):
        services.need_update(
            need=need, user=focal_point, expected_version=1, description="Mine"
        )
    with time_machine.travel(day(3), tick=False):
        services.review_submit(review=shared_review, user=focal_point)
    with time_machine.travel(day(4), tick=False):
        services.review_return(review=shared_review, user=secretariat, comment="No")
    need.refresh_from_db()

    # then the viewer sees nothing move, at any door
    assert what_the_viewer_sees(viewer, need) == before
    not_modified = api(viewer).get(
        f"/api/v1/needs/{need.pk}/", HTTP_IF_NONE_MATCH=before["etag"]
    )
    assert not_modified.status_code == 304
    # while the focal point sees every save of its need
    assert need.updated_at == day(4)
    assert api(focal_point).get(f"/api/v1/needs/{need.pk}/").json()["version"] > 1

    # when the secretariat accepts the State's revised proposal on day 6
    with time_machine.travel(day(5), tick=False):
        services.need_update(
            need=need, user=focal_point, expected_version=need.version, description="B"
        )
        services.review_submit(review=shared_review, user=focal_point)
    with time_machine.travel(day(6), tick=False):
        services.review_accept(review=shared_review, user=secretariat)
    need.refresh_from_db()

    # then the viewer sees the accepted change: one version more, on day 6
    after = what_the_viewer_sees(viewer, need)
    assert after["record"] == (2, "2024-03-06T09:00:00Z")
    assert after["list"] == after["key"] == after["unmet"] == after["record"]
    assert after["page"][0] == "2"
    assert after["/needs/?format=csv"] == "2024-03-06T09:00:00+00:00"
    assert after["/api/v1/needs/?format=csv"] == after["/needs/?format=csv"]
    assert after["etag"] != before["etag"]


def test_a_withdrawal_asked_moves_nothing_a_viewer_sees(
    shared_review, focal_point, viewer
):
    with time_machine.travel(day(1), tick=False):
        need = NeedFactory(review=shared_review)
    before = what_the_viewer_sees(viewer, need)

    with time_machine.travel(day(2), tick=False):
        services.need_withdraw(need=need, user=focal_point)
        services.review_submit(review=shared_review, user=focal_point)

    assert what_the_viewer_sees(viewer, need) == before


def test_the_secretariats_own_changes_move_what_a_viewer_sees(
    shared_review, secretariat, viewer
):
    # given an accepted need
    with time_machine.travel(day(1), tick=False):
        need = NeedFactory(review=shared_review)

    # when the secretariat changes it, then corrects its coverage
    with time_machine.travel(day(2), tick=False):
        services.need_update(
            need=need, user=secretariat, expected_version=1, description="Edited"
        )
    assert what_the_viewer_sees(viewer, need)["record"] == (2, "2024-03-02T09:00:00Z")
    with time_machine.travel(day(3), tick=False):
        need_coverage_set(
            need=need, user=secretariat, coverage="met-fully", reason="Project"
        )

    # then the viewer sees each accepted change
    assert what_the_viewer_sees(viewer, need)["record"] == (3, "2024-03-03T09:00:00Z")


def test_a_new_need_reads_as_changed_when_it_was_accepted(
    shared_review, focal_point, secretariat, viewer
):
    with time_machine.travel(day(1), tick=False):
        need = services.need_create(
            review=shared_review,
            user=focal_point,
            article=Article.objects.get(number=15),
            need_type_id=1,
            description="New",
        )
        services.need_update(
            need=need, user=focal_point, expected_version=need.version, description="N"
        )
        services.review_submit(review=shared_review, user=focal_point)
    with time_machine.travel(day(2), tick=False):
        services.review_accept(review=shared_review, user=secretariat)

    seen = api(viewer).get(f"/api/v1/needs/{need.pk}/").json()

    assert (seen["version"], seen["updated_at"]) == (1, "2024-03-02T09:00:00Z")


def test_the_date_filters_and_ordering_do_not_tell_a_viewer_of_a_proposal(
    shared_review, focal_point, viewer
):
    # given two accepted needs, the second accepted later, and a change of the
    # first proposed after both
    with time_machine.travel(day(1), tick=False):
        first = NeedFactory(review=shared_review)
    with time_machine.travel(day(2), tick=False):
        second = NeedFactory(
            review=shared_review, article=Article.objects.get(number=16)
        )
    with time_machine.travel(day(3), tick=False):
        services.need_update(
            need=first, user=focal_point, expected_version=1, description="Mine"
        )
    viewer_api, focal_api = api(viewer), api(focal_point)

    # then the viewer finds no need changed on day 3; the focal point finds its own
    changed = {"updated_after": "2024-03-03"}
    assert viewer_api.get("/api/v1/needs/", changed).json()["count"] == 0
    assert focal_api.get("/api/v1/needs/", changed).json()["count"] == 1
    client = viewer_api
    client.force_login(viewer)
    page = client.get("/needs/", changed | {"format": "csv"})
    assert len(list(csv.reader(io.StringIO(page.getvalue().decode())))) == 1
    before = {"updated_before": "2024-03-01"}
    assert viewer_api.get("/api/v1/needs/", before).json()["count"] == 1

    # and the latest changed first is the latest accepted, for the viewer
    ordered = viewer_api.get("/api/v1/needs/", {"ordering": "-updated_at"}).json()
    assert [n["id"] for n in ordered["results"]] == [second.pk, first.pk]
    ordered = focal_api.get("/api/v1/needs/", {"ordering": "-updated_at"}).json()
    assert [n["id"] for n in ordered["results"]] == [first.pk, second.pk]


def test_a_viewers_cursor_pages_by_the_accepted_changes(shared_review, viewer):
    # given three needs accepted on three days
    needs = []
    for number, article in enumerate([15, 16, 17], start=1):
        with time_machine.travel(day(number), tick=False):
            needs.append(
                NeedFactory(
                    review=shared_review, article=Article.objects.get(number=article)
                )
            )
    client = api(viewer)

    # when the viewer pages them two at a time, latest change first
    query = {"ordering": "-updated_at", "page_size": 2}
    first = client.get("/api/v1/needs/", query).json()
    second = client.get(first["next"]).json()

    # then the pages hold every need once, in that order
    listed = [n["id"] for n in first["results"] + second["results"]]
    assert listed == [need.pk for need in reversed(needs)]


def test_a_stale_edit_is_still_refused_after_a_proposal(shared_review, focal_point):
    need = NeedFactory(review=shared_review)
    services.need_update(
        need=need, user=focal_point, expected_version=1, description="Mine"
    )

    with pytest.raises(services.StaleEdit):
        services.need_update(
            need=need, user=focal_point, expected_version=1, description="Again"
        )
    assert Need.objects.get(pk=need.pk).proposal.description == "Mine"


def test_the_accepted_change_is_read_only_in_the_api(shared_review, secretariat):
    need = NeedFactory(review=shared_review)
    response = api(secretariat).patch(
        f"/api/v1/needs/{need.pk}/",
        {
            "version": 1,
            "accepted_version": 99,
            "accepted_changed_at": "2000-01-01T00:00:00Z",
            "priority": "high",
        },
        format="json",
    )
    assert response.status_code == 200
    need.refresh_from_db()
    assert need.accepted_version == 2
    assert need.accepted_changed_at > timezone.now() - datetime.timedelta(minutes=1)


def test_the_migration_dates_existing_needs_by_their_accepted_values(
    shared_review, focal_point
):
    # given, as the migration finds them: an accepted need, an accepted need with a
    # change proposed since, and a need never accepted
    migration = importlib.import_module(
        "needs.migrations.0018_need_accepted_changes_data"
    )
    with time_machine.travel(day(1), tick=False):
        plain = NeedFactory(review=shared_review)
        changing = NeedFactory(
            review=shared_review, article=Article.objects.get(number=16)
        )
        new = services.need_create(
            review=shared_review,
            user=focal_point,
            article=Article.objects.get(number=17),
            need_type_id=1,
        )
    with time_machine.travel(day(2), tick=False):
        services.need_update(
            need=changing, user=focal_point, expected_version=1, description="Mine"
        )
    Need.objects.update(accepted_version=7, accepted_changed_at=day(9))

    # when the migration's data step runs
    migration.forwards(django_apps, None)

    # then each keeps the version a viewer saw, dated by its accepted values
    values = {
        need.pk: (need.accepted_version, need.accepted_changed_at)
        for need in Need.objects.all()
    }
    assert values[plain.pk] == (1, day(1))
    assert values[changing.pk] == (2, day(1))
    assert values[new.pk][0] == 0


def test_a_viewer_reads_a_need_recorded_no_later_than_its_last_change(
    shared_review, viewer, secretariat, client
):
    # given a need accepted long before it was entered here (as the 2013 data set's)
    with time_machine.travel(day(30), tick=False):
        need = NeedFactory(review=shared_review, accepted_at=day(1))
    Need.objects.filter(pk=need.pk).update(accepted_changed_at=day(1))

    # when a viewer and the secretariat read its page
    pages = {}
    for user in (viewer, secretariat):
        client.force_login(user)
        pages[user] = client.get(f"/needs/{need.pk}/").content.decode()

    # then the viewer reads it recorded at its acceptance, never after its change;
    # the secretariat reads when it was entered here
    assert "March 1, 2024, 9 a.m.; last updated March 1, 2024, 9 a.m." in pages[viewer]
    assert "March 30, 2024, 9 a.m.; last updated March 30, 2024" in pages[secretariat]
