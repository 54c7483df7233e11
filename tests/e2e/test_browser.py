"""End to end in a real browser: Debian's Chromium driven by Playwright.

Skipped, loudly, only where no Chromium exists; CI sets TATRACKER_REQUIRE_BROWSER=1 so
that a missing browser fails instead.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from needs.models import Need, NeedType
from reviews.models import Account, RegionalGroup
from tests.factories import (
    SHARES_REPORT,
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"  # UserFactory's test password

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def chromium(django_db_setup):
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"NO CHROMIUM AT {CHROMIUM}: the end-to-end browser tests did not run"
        if os.environ.get("TATRACKER_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the
    # test itself are synchronous and safe (the documented Playwright + Django setup).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """A transactional test empties the database afterwards: load the reference data
    again for each browser test."""
    call_command("load_reference", verbosity=0)


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_focal_point_enters_submits_secretariat_accepts_statistics_show_it(
    chromium, live_server
):
    base = live_server.url
    review = CountryReviewFactory(state__code="OWN", state__name="Own State")
    asia = RegionalGroup.objects.get(slug="asia-pacific")
    other = NeedFactory(
        review=CountryReviewFactory(state__code="OTH", state__regional_group=asia)
    )
    AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username="fp"
    )
    AccountFactory(role=Account.Role.SECRETARIAT, user__username="sec")
    page = chromium.new_page()

    # The focal point enters needs for two articles and submits them.
    log_in(page, base, "fp")
    page.goto(f"{base}/reviews/{review.pk}/entry/?chapter=III")
    article_15 = page.locator("#article-15")
    article_15.get_by_label("Capacity-building programmes", exact=True).check()
    article_15.get_by_label(
        "Description: article 15, Capacity-building programmes"
    ).fill("Training of investigators in interviewing techniques")
    article_32 = page.locator("#article-32")
    article_32.get_by_label("On-site expert", exact=True).check()
    article_32.get_by_label("Priority: article 32, On-site expert").select_option(
        "high"
    )
    page.get_by_role("button", name="Save chapter III as draft").click()
    assert page.get_by_text("Saved: 2 added").is_visible()
    page.get_by_role("button", name="Submit to the secretariat").click()
    assert page.get_by_text("Submitted to the secretariat.").first.is_visible()
    log_out(page)

    # The secretariat accepts them from the queue on its home page.
    log_in(page, base, "sec")
    page.get_by_role("link", name="Own State").click()
    page.get_by_role("button", name="Accept all").click()
    assert page.get_by_text("Recorded: 2 accepted").is_visible()
    assert Need.objects.filter(review=review, status="accepted").count() == 2

    # The statistics show the new counts.
    page.goto(f"{base}/reports/articles/15/?regional_group=african")
    row = page.get_by_role("row", name="Capacity-building programmes")
    assert row.get_by_role("cell").first.inner_text() == "1"
    page.goto(f"{base}/reports/chapters/III/?regional_group=african")
    assert page.get_by_role("row", name="All articles").inner_text().split() == [
        "All",
        "articles",
        "1",
        "2",
    ]
    log_out(page)

    # The focal point cannot open another State's need.
    log_in(page, base, "fp")
    response = page.goto(f"{base}/needs/{other.pk}/")
    assert response.status == 404
    page.close()


def test_a_viewer_sees_the_accepted_text_until_the_secretariat_accepts_the_change(
    chromium, live_server
):
    base = live_server.url
    review = CountryReviewFactory(
        state__code="OWN", state__name="Own State", shares=SHARES_REPORT
    )
    need = NeedFactory(review=review, description="Accepted wording")
    AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username="fp"
    )
    AccountFactory(role=Account.Role.SECRETARIAT, user__username="sec")
    AccountFactory(role=Account.Role.VIEWER, user__username="donor")
    page = chromium.new_page()

    # The focal point proposes a new wording and submits it.
    log_in(page, base, "fp")
    page.goto(f"{base}/needs/{need.pk}/edit/")
    page.get_by_label("Description").fill("Proposed wording")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Your change is proposed").is_visible()
    assert page.get_by_role("cell", name="Proposed wording").is_visible()
    page.goto(f"{base}/reviews/{review.pk}/entry/")
    page.get_by_role("button", name="Submit to the secretariat").click()
    log_out(page)

    # The viewer still reads the accepted text.
    log_in(page, base, "donor")
    page.goto(f"{base}/needs/{need.pk}/")
    assert page.get_by_text("Accepted wording").is_visible()
    assert page.get_by_text("Proposed wording").count() == 0
    log_out(page)

    # The secretariat accepts it.
    log_in(page, base, "sec")
    page.goto(f"{base}/reviews/{review.pk}/decisions/")
    assert page.get_by_role("cell", name="Proposed wording").is_visible()
    page.get_by_role("button", name="Accept all").click()
    assert page.get_by_text("Recorded: 1 accepted").is_visible()
    log_out(page)

    # Now the viewer reads the new text.
    log_in(page, base, "donor")
    page.goto(f"{base}/needs/{need.pk}/")
    assert page.get_by_text("Proposed wording").is_visible()
    assert page.get_by_text("Accepted wording").count() == 0
    page.close()


def test_the_whole_round_of_a_submission_with_e_mails_at_each_step(
    chromium, live_server, mailoutbox
):
    base = live_server.url
    review = CountryReviewFactory(state__code="OWN", state__name="Own State")
    AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username="fp"
    )
    AccountFactory(role=Account.Role.SECRETARIAT, user__username="sec")
    page = chromium.new_page()

    # The focal point ticks two needs and describes a third type without ticking it.
    log_in(page, base, "fp")
    page.goto(f"{base}/reviews/{review.pk}/entry/?chapter=III")
    article_15 = page.locator("#article-15")
    article_15.get_by_label("Capacity-building programmes", exact=True).check()
    article_15.get_by_label(
        "Description: article 15, Capacity-building programmes"
    ).fill("Training of investigators")
    article_15.get_by_label("Description: article 15, On-site expert").fill(
        "An adviser to the anti-corruption body"
    )
    article_32 = page.locator("#article-32")
    article_32.get_by_label("Model legislation", exact=True).check()
    page.get_by_role("button", name="Save chapter III as draft").click()

    # Warned, nothing saved, the text kept.
    assert page.get_by_text("Nothing was saved.").is_visible()
    assert page.get_by_text("did not tick it").first.is_visible()
    expert = article_15.get_by_label("Description: article 15, On-site expert")
    assert expert.input_value() == "An adviser to the anti-corruption body"
    assert not Need.objects.filter(review=review).exists()
    expert.fill("")
    page.get_by_role("button", name="Save chapter III as draft").click()
    assert page.get_by_text("Saved: 2 added").is_visible()
    page.get_by_role("button", name="Submit to the secretariat").click()
    assert [m.to for m in mailoutbox] == [["sec@example.org"]]
    log_out(page)

    # The secretariat finds it in the queue, returns one need and accepts the other.
    log_in(page, base, "sec")
    queue = page.get_by_role("table")
    assert "2 new" in queue.get_by_role("row", name="Own State").inner_text()
    page.get_by_role("link", name="Own State").click()
    capacity = page.locator("fieldset.decision", has_text="Capacity-building")
    capacity.get_by_label("Accept", exact=True).check()
    legislation = page.locator("fieldset.decision", has_text="Model legislation")
    legislation.get_by_label("Return for revision").check()
    legislation.get_by_label("Comment on this need").fill("Which law? Say so.")
    page.get_by_role("button", name="Record these decisions").click()
    assert page.get_by_text("Recorded: 1 accepted, 1 returned").is_visible()
    assert mailoutbox[-1].to == ["fp@example.org"]
    assert "Which law? Say so." in mailoutbox[-1].body
    log_out(page)

    # The focal point reads the comment, fixes the need and submits again.
    log_in(page, base, "fp")
    page.goto(f"{base}/reviews/{review.pk}/entry/?chapter=III")
    assert page.get_by_text("Which law? Say so.").first.is_visible()
    page.locator("#article-32").get_by_label(
        "Description: article 32, Model legislation"
    ).fill("A model law on the protection of reporting persons")
    page.get_by_role("button", name="Save chapter III as draft").click()
    page.get_by_role("button", name="Submit to the secretariat").click()
    assert mailoutbox[-1].to == ["sec@example.org"]
    log_out(page)

    # The secretariat accepts; both needs now count.
    log_in(page, base, "sec")
    page.goto(f"{base}/reviews/{review.pk}/decisions/")
    page.get_by_role("button", name="Accept all").click()
    assert page.get_by_text("Recorded: 1 accepted").is_visible()
    assert Need.objects.filter(review=review, status="accepted").count() == 2
    assert len(mailoutbox) == 4
    page.close()


SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_arabic_mirrors_the_layout_and_every_language_renders(chromium, live_server):
    base = live_server.url
    NeedFactory(
        review=CountryReviewFactory(state__code="OWN"),
        need_type=NeedType.objects.get(slug="capacity-building"),
    )
    AccountFactory(role=Account.Role.SECRETARIAT, user__username="sec")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, "sec")
    page.goto(f"{base}/reports/articles/15/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def choose(language):
        page.locator("#language").select_option(language)
        page.locator("form.language button").click()
        page.wait_for_load_state()

    # Arabic: right to left, the menu starts on the right, the chart still draws.
    choose("ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    brand = page.locator("a.brand").bounding_box()
    assert brand["x"] > 1280 / 2
    chart = page.locator("figure.chart svg").first
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 100
    page.screenshot(path=SCREENSHOTS / "article-15-ar.png", full_page=True)

    # Every other language, one screenshot each at 1280 px.
    for language in ["zh-hans", "fr", "ru", "es", "en"]:
        choose(language)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("html").get_attribute("dir") == "ltr"
        page.screenshot(path=SCREENSHOTS / f"article-15-{language}.png", full_page=True)

    # Back in English the menu starts on the left again.
    assert page.locator("a.brand").bounding_box()["x"] < 1280 / 2
    page.close()
