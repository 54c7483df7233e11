"""Focal points enter needs in the browser; the secretariat accepts or returns them."""

import pytest
from django.urls import reverse

from needs.models import EntryEvent, Need
from needs.reports.statistics import StatisticsFilter, compute
from reviews.models import Article

pytestmark = pytest.mark.django_db


def entry_url(review, chapter="III"):
    return reverse("needs:review_entry", args=[review.pk]) + f"?chapter={chapter}"


def form_data(response):
    """The entry form's current values, as a browser would post them back."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name.endswith("-on"):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def decide_url(review):
    return reverse("needs:review_decide", args=[review.pk])


def decide(client, review, action="", comment="", **per_need):
    """Post the decision page as a browser would: every hidden version, the overall
    comment, and per proposal id a decision and comment (`p<id>=("returned", "…")`)."""
    form = client.get(decide_url(review)).context["form"]
    data = {"action": action, "comment": comment}
    for name in form.fields:
        if name.startswith("version-"):
            data[name] = form[name].value()
    for key, (outcome, text) in per_need.items():
        data[f"decision-{key[1:]}"] = outcome
        data[f"comment-{key[1:]}"] = text
    return client.post(decide_url(review), data)


def tick(data, article, slug, description="", priority="unset"):
    data[f"a{article}-{slug}-on"] = "on"
    data[f"a{article}-{slug}-description"] = description
    data[f"a{article}-{slug}-priority"] = priority


def test_entry_page_walks_the_chapter_in_the_notes_order(
    client, focal_point, own_review
):
    client.force_login(focal_point)
    response = client.get(entry_url(own_review))
    articles = [a.number for a, _ in response.context["form"].rows()]
    assert articles == list(range(15, 43))
    assert b"A. Bribery offences" in response.getvalue()
    chapter_iv = client.get(entry_url(own_review, "IV")).context["form"]
    assert [a.number for a, _ in chapter_iv.rows()] == [43, 44, 45, 47, 46, 48, 49, 50]


def test_focal_point_drafts_submits_and_secretariat_accepts(
    client, focal_point, secretariat, own_review
):
    client.force_login(focal_point)
    data = form_data(client.get(entry_url(own_review)))
    tick(data, 15, "capacity-building", "Train prosecutors", "high")
    tick(data, 23, "on-site-expert")
    client.post(entry_url(own_review), data)

    drafts = Need.objects.filter(review=own_review)
    assert {(n.article.number, n.status) for n in drafts} == {
        (15, "draft"),
        (23, "draft"),
    }
    before = compute(StatisticsFilter(article=15)).as_dict()["needs"]
    page = client.get(entry_url(own_review))
    assert page.context["completeness"].without_description == 1

    client.post(reverse("needs:review_submit", args=[own_review.pk]))
    assert set(drafts.values_list("status", flat=True)) == {"submitted"}

    client.force_login(secretariat)
    decide(client, own_review, action="accept-all")
    assert set(drafts.values_list("status", flat=True)) == {"accepted"}
    assert compute(StatisticsFilter(article=15)).as_dict()["needs"] == before + 1
    event = own_review.entry_events.first()
    assert (event.action, event.user, event.need_count) == ("accepted", secretariat, 2)


def test_secretariat_returns_with_a_comment_and_the_state_revises(
    client, focal_point, secretariat, own_review
):
    client.force_login(focal_point)
    data = form_data(client.get(entry_url(own_review)))
    tick(data, 16, "model-legislation", "Draft law")
    client.post(entry_url(own_review), data)
    client.post(reverse("needs:review_submit", args=[own_review.pk]))

    client.force_login(secretariat)
    refused = decide(client, own_review, action="return-all")
    assert refused.status_code == 400
    assert b"Say what should be revised" in refused.content
    assert Need.objects.get(review=own_review).status == "submitted"
    decide(client, own_review, action="return-all", comment="Be specific.")
    need = Need.objects.get(review=own_review)
    assert need.status == "returned"
    assert own_review.entry_events.first().comment == "Be specific."

    client.force_login(focal_point)
    page = client.get(entry_url(own_review))
    assert page.context["entry_status"] == "returned"
    assert b"Be specific." in page.content


def test_drafts_are_not_counted_in_the_statistics(client, focal_point, own_review):
    client.force_login(focal_point)
    data = form_data(client.get(entry_url(own_review)))
    tick(data, 15, "other", "x")
    client.post(entry_url(own_review), data)
    assert compute().as_dict()["needs"] == 0


def test_unticking_an_accepted_need_asks_for_withdrawal(
    client, focal_point, secretariat, own_review
):
    accepted = Need.objects.create(
        review=own_review,
        article=Article.objects.get(number=15),
        need_type_id=1,
        description="Accepted",
    )
    client.force_login(focal_point)
    data = form_data(client.get(entry_url(own_review)))
    data.pop("a15-legislative-drafting-on")
    client.post(entry_url(own_review), data)
    accepted.refresh_from_db()
    assert accepted.withdrawal_requested
    assert (
        compute().as_dict()["needs"] == 1
    )  # still counted until the secretariat agrees
    client.post(reverse("needs:review_submit", args=[own_review.pk]))
    client.force_login(secretariat)
    decide(client, own_review, action="accept-all")
    assert not Need.objects.filter(pk=accepted.pk).exists()
    assert compute().as_dict()["needs"] == 0


def test_nothing_to_submit_is_said_clearly(client, focal_point, own_review):
    client.force_login(focal_point)
    response = client.post(
        reverse("needs:review_submit", args=[own_review.pk]), follow=True
    )
    assert b"nothing to submit" in response.getvalue()
    assert not EntryEvent.objects.exists()


def test_focal_point_cannot_accept_their_own_needs(client, focal_point, own_review):
    need = Need.objects.create(
        review=own_review,
        article=Article.objects.get(number=15),
        need_type_id=2,
        status=Need.Status.SUBMITTED,
        accepted_at=None,
    )
    client.force_login(focal_point)
    response = client.post(decide_url(own_review), {"action": "accept-all"})
    assert response.status_code == 403
    need.refresh_from_db()
    assert need.status == "submitted"


def test_stale_entry_page_saves_nothing_and_shows_the_change(
    client, focal_point, secretariat, own_review
):
    need = Need.objects.create(
        review=own_review,
        article=Article.objects.get(number=15),
        need_type_id=1,
        description="Original",
    )
    client.force_login(focal_point)
    data = form_data(client.get(entry_url(own_review)))
    # Meanwhile the secretariat edits the same need.
    need.description = "Secretariat's wording"
    need.save()
    data["a15-legislative-drafting-description"] = "My wording"
    tick(data, 20, "other", "Another need")
    response = client.post(entry_url(own_review), data)
    assert response.status_code == 409
    assert b"Secretariat&#x27;s wording" in response.getvalue()
    need.refresh_from_db()
    assert need.description == "Secretariat's wording"
    assert not Need.objects.filter(article__number=20).exists()  # all or nothing
