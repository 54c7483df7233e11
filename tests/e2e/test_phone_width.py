"""Every page at a phone's width, as each role, in a real browser (Debian's Chromium).

In a window of 390 by 844 px no page may scroll sideways (a wide table scrolls inside
its own box) and the charts' text stays legible: at least 11 px as rendered, inside its
chart. The pages come from the URL resolver (the leak matrix's discovery), so a new page
is covered without anyone remembering it; a parameterised route is filled with a record
of the demo data set (`load_demo`: the 2013 data set and its follow-up records) through
the kind of record the leak matrix maps it to. The same pages load at 1280 px too.
Screenshots land in var/screenshots/<phone|wide>/<role>/ for a person to look at.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from needs.models import (
    ActionPlan,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    Consent,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
    NoteEdition,
    Upload,
)
from needs.selectors import AUDITED_MODELS
from needs.services import need_update, review_return, review_submit
from reviews.models import Account, CountryReview
from tests.e2e.test_browser import (  # noqa: F401 (fixtures)
    chromium,
    log_in,
    reference_data,
)
from tests.factories import AccountFactory, CountryReviewFactory, NeedFactory
from tests.security.test_leak_matrix import discover, fill, kind_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WINDOWS = {
    "phone": {"width": 390, "height": 844},
    "wide": {"width": 1280, "height": 900},
}
SMALLEST_CHART_TEXT = 11  # px, as rendered
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
FOCAL_STATE = "AF-01"  # the demo's State with assistance, letters and a plan
LONG_WORD = "https://example.org/" + "a-very-long-unbroken-address-" * 4 + "end"

# Routes that are no page to read, with the reason. The API and the admin are left out
# by their door: the API answers JSON; the admin is the secretariat's curation tool,
# with Django's own stylesheet. A route that answers a GET with 405 (require_POST:
# submit, accept, return, withdraw, coverage, the language menu's target) is POST
# only: it is listed as not measured, with its status.
NOT_PAGES = {
    "accounts/logout/": "logs out (POST only): the session the other pages need",
    "reports/tables/<slug:slug>.csv": "a CSV download",
    "reports/tables/<slug:slug>.xlsx": "an XLSX download",
    # The passkey script's steps (JSON, POST only) and its translations (JavaScript);
    # the pages that load the script, /accounts/two-factor/ and the verify page, are
    # measured.
    **{
        f"accounts/two-factor/passkeys/{step}/": "for the passkey script, no page"
        for step in (
            "registration/begin",
            "registration/complete",
            "authentication/begin",
            "authentication/complete",
            "jsi18n",
        )
    },
    "exchange/export/assistance.xml": "an IATI XML download",
}
# An IATI file awaiting the secretariat's confirmation (its preview page), whose
# activity has a long title and identifier.
IATI_UPLOAD = f"""<iati-activities version="2.03">
 <iati-activity><iati-identifier>XM-DAC-41110-{"0123456789" * 6}</iati-identifier>
  <title><narrative>Asset recovery; guidance at {LONG_WORD}</narrative></title>
  <participating-org role="1" ref="XM-DAC-41110"><narrative>UNODC</narrative>
  </participating-org><recipient-country code="KE"/><sector code="99999"/>
 </iati-activity>
</iati-activities>""".encode()


@dataclass
class Demo:
    """The demo data set's people, and the values that fill each kind of route."""

    users: dict[str, str]  # role -> username
    targets: dict[str, list[dict]]


@pytest.fixture
def demo(reference_data) -> Demo:  # noqa: F811 (the imported fixture)
    call_command("load_demo", stdout=io.StringIO())
    review = CountryReview.objects.get(state__code=FOCAL_STATE)
    fp = AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username="fp"
    ).user
    secretariat = AccountFactory(
        role=Account.Role.SECRETARIAT, user__username="sec"
    ).user
    # A project imported from IATI that addresses no need yet (the desk lists
    # it), and an IATI file awaiting the secretariat's confirmation.
    imported = Assistance.objects.create(
        title=f"Imported project, documented at {LONG_WORD}",
        iati_identifier="XM-DAC-41110-" + "9" * 40,
    )
    imported.beneficiaries.set([review.state])
    Upload.objects.create(
        kind=Upload.Kind.IATI,
        uploaded_by=secretariat,
        filename="activities.xml",
        content=IATI_UPLOAD,
    )
    # A proposal under review, with a long unbroken address in its description:
    # the entry form, the need, its history and the recent changes show it.
    needs = Need.objects.filter(review=review).order_by("article__number", "pk")
    need, accepted = needs[:2]
    need_update(
        need=need,
        user=fp,
        expected_version=need.version,
        description=f"Train investigators; guidance at {LONG_WORD}",
    )
    submitted = review_submit(review=review, user=fp)
    assistance = Assistance.objects.filter(beneficiaries=review.state).first()
    follow_up = FollowUp.objects.get(review=review)
    plan = ActionPlan.objects.get(state=review.state)
    event = FollowUpEvent.objects.create(
        follow_up=follow_up,
        kind=FollowUpEvent.Kind.WORKSHOP,
        date=datetime.date(2014, 3, 1),
        outcome=f"Workshop report at {LONG_WORD}",
    )
    consent = Consent.objects.create(
        review=review,
        subject=Consent.Subject.ACTION_PLAN,
        audience=Consent.Audience.DONORS,
        agreed_on=datetime.date(2014, 1, 1),
    )
    report = AssistanceReport.objects.create(
        state=review.state,
        title=f"Training programme reported at {LONG_WORD}",
        status=Assistance.Status.ONGOING,
        reported_by=fp,
    )
    report.links.create(need=accepted, coverage=AssistanceNeed.Coverage.IN_PART)
    edition = NoteEdition.objects.create(
        cycle=review.cycle,
        cut_off=datetime.date(2013, 9, 1),
        title="Analysis of the technical assistance needs",
    )
    # One record of each kind the leak matrix maps routes to, so that a new page of
    # an existing kind is filled without a change here.
    records = {
        "state": review.state,
        "review": review,
        "need": need,
        "proposal": need.proposal,
        "entry-event": submitted,
        "assistance": assistance,
        "assistance-link": AssistanceNeed.objects.filter(assistance=assistance).first(),
        "follow-up": follow_up,
        "follow-up-event": event,
        "action-plan": plan,
        "action-plan-item": plan.items.first(),
        "consent": consent,
        "donor": Donor.objects.order_by("pk").first(),
        "assistance-report": report,
        "note-edition": edition,
    }
    records = {kind: record for kind, record in records.items() if record is not None}
    targets = {kind: [{"pk": record.pk}] for kind, record in records.items()}
    targets |= {
        "state": [{"code": FOCAL_STATE}],
        "need": [{"pk": need.pk}, {"pk": accepted.pk}],
        "history": [
            {"model": record._meta.model_name, "pk": record.pk}
            for record in records.values()
            if type(record) in AUDITED_MODELS
        ],
        "chapter": [{"number": "III"}, {"number": "IV"}],
        "article": [{"number": 15}],
        "regional-group": [{"slug": review.state.regional_group.slug}],
        "need-type": [{"slug": need.need_type.slug}],
        "cycle": [{"number": review.cycle.number}],
        "password-reset": [
            {
                "uidb64": urlsafe_base64_encode(force_bytes(fp.pk)),
                "token": default_token_generator.make_token(fp),
            }
        ],
    }
    return Demo(users={"secretariat": "sec", "focal-point": "fp"}, targets=targets)


def pages(demo: Demo) -> tuple[list[str], list[str]]:
    """The URL of every page, and the problems: a route of a kind with no record to
    fill it with (add one to `demo`)."""
    with_params, plain, _problems = discover()
    found, problems = [], []
    for route in [*plain, *with_params]:
        if route.door != "page" or route.key in NOT_PAGES:
            continue
        if not route.parameterised:
            found.append("/" + route.key)
            continue
        kind = "password-reset" if "<uidb64>" in route.key else kind_of(route.key)
        for values in demo.targets.get(kind, [{}]):
            url, missing = fill(route.key, values)
            if missing:
                problems.append(f"{route.key}: no {kind!r} in `demo` for {missing}")
            else:
                found.append(url)
    return found, problems


# The widest elements that stick out of the window, outermost first; an element inside
# a box that clips or scrolls (overflow-x other than visible) does not count.
OFFENDERS = """() => {
  const limit = window.innerWidth, rtl = document.dir === "rtl";
  const out = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (rtl ? r.left < -0.5 : r.right > limit + 0.5);
  };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((c) => "." + c).join("") +
    ' "' + (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40) + '"';
  return [...document.body.querySelectorAll("*")]
    .filter((el) => out(el) && !out(el.parentElement) && !clipped(el))
    .map((el) => [Math.round(el.getBoundingClientRect().width), name(el)])
    .sort((a, b) => b[0] - a[0]).slice(0, 3)
    .map(([width, what]) => `${what} (${width} px wide)`);
}"""

# Each chart text: its font size as rendered (the computed size scaled by the SVG's
# transformation to the screen), whether it lies inside its chart, and the text.
CHART_TEXT = """() => [...document.querySelectorAll("figure.chart svg text")].map(
  (t) => {
    const ctm = t.getScreenCTM();
    const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(ctm.a, ctm.b);
    const box = t.getBoundingClientRect();
    const chart = t.ownerSVGElement.getBoundingClientRect();
    const inside = box.left >= chart.left - 1 && box.right <= chart.right + 1;
    return [Math.round(size * 10) / 10, inside, t.textContent];
  })"""


@dataclass
class Visit:
    failures: list[str] = field(default_factory=list)
    not_measured: list[str] = field(default_factory=list)
    measured: int = 0
    chart_texts: int = 0


def _answer(page, url: str) -> tuple[str, int, str, str]:
    """(URL, status, content type, redirect), asked without the browser: a POST-only
    route answers a GET with an empty 405, which Chromium shows as its own error
    page. A redirect elsewhere than to log in (a password reset link to its form)
    is followed once."""
    for _ in range(2):
        answer = page.request.get(url, max_redirects=0)
        where = urlsplit(answer.headers.get("location", "")).path
        if answer.status != 302 or where == resolve_url(settings.LOGIN_URL):
            break
        url = urlsplit(url)._replace(path=where, query="").geturl()
    kind = answer.headers.get("content-type", "").split(";")[0]
    return url, answer.status, kind, where


def _check(page, url: str, visit: Visit, shots: Path) -> None:
    """One page: its width, its charts' text, a screenshot."""
    url, status, content_type, where = _answer(page, url)
    if status >= 500:
        visit.failures.append(f"{url}: status {status}")
        return
    if status != 200 or content_type != "text/html":
        visit.not_measured.append(f"{url}: {status} {content_type} {where}")
        return
    page.goto(url)
    visit.measured += 1
    wide = page.evaluate("document.documentElement.scrollWidth")
    window = page.evaluate("window.innerWidth")
    if wide > window:
        offenders = "; ".join(page.evaluate(OFFENDERS))
        visit.failures.append(f"{url}: {wide} px wide in {window} px: {offenders}")
    texts = page.evaluate(CHART_TEXT)
    visit.chart_texts += len(texts)
    small = {(size, text) for size, _, text in texts if size < SMALLEST_CHART_TEXT}
    if small:
        visit.failures.append(f"{url}: chart text too small: {sorted(small)[:3]}")
    cut = [text for _, inside, text in texts if not inside]
    if cut:
        visit.failures.append(f"{url}: chart text cut at the chart's edge: {cut[:3]}")
    name = re.sub(r"[^a-z0-9]+", "-", urlsplit(url).path.lower()).strip("-")
    page.screenshot(path=shots / f"{name or 'home'}.png", full_page=True)


@pytest.mark.parametrize(
    ("role", "window", "language"),
    [
        ("secretariat", "phone", "en"),
        ("focal-point", "phone", "en"),
        ("anonymous", "phone", "en"),
        ("secretariat", "phone", "ar"),  # right to left: the overflow goes left
        ("secretariat", "wide", "en"),
    ],
)
def test_every_page_fits_the_window_and_its_charts_stay_legible(
    chromium,  # noqa: F811 (the imported fixture)
    live_server,
    demo,
    role,
    window,
    language,
):
    # given: every page, as the role, in the window and the language
    base = live_server.url
    urls, problems = pages(demo)
    assert problems == [], "\n".join(problems)
    page = chromium.new_page(viewport=WINDOWS[window])
    page.set_default_timeout(60_000)  # some pages are long; the machine may be busy
    if role in demo.users:
        log_in(page, base, demo.users[role])
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}
    page.context.add_cookies([cookie])
    shots = SCREENSHOTS / window / (role if language == "en" else f"{role}-{language}")
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    visit = Visit()

    # when
    for url in urls:
        _check(page, base + url, visit, shots)
    page.close()

    # then
    print(f"\n{role}, {language}, {WINDOWS[window]['width']} px wide:")
    print(f"{visit.measured} pages measured; not measured:")
    print("  " + "\n  ".join(visit.not_measured))
    assert visit.measured >= (10 if role == "anonymous" else 25)
    assert visit.chart_texts > 100  # the reports pages' charts were measured
    assert visit.failures == [], "\n".join(visit.failures)


def test_the_menu_folds_on_a_phone_and_stays_unfolded_on_a_wide_screen(
    chromium,  # noqa: F811 (the imported fixture)
    live_server,
):
    # given the secretariat, logged in on a phone
    AccountFactory(role=Account.Role.SECRETARIAT, user__username="sec")
    page = chromium.new_page(viewport=WINDOWS["phone"])
    log_in(page, live_server.url, "sec")
    menu = page.get_by_role("navigation", name="Main")
    needs = menu.get_by_role("link", name="Needs", exact=True)
    language = menu.get_by_label("Language")

    # then the menu is folded: one line, its links and the language menu hidden
    assert menu.bounding_box()["height"] < 60
    assert not needs.is_visible()
    assert not language.is_visible()

    # when the person unfolds it
    menu.get_by_text("Menu", exact=True).click()

    # then every link, the language menu and logging out fit the window
    for item in [needs, language, menu.get_by_role("button", name="Log out")]:
        assert item.is_visible()
        box = item.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= WINDOWS["phone"]["width"]
    page.screenshot(path=SCREENSHOTS / "phone" / "menu-unfolded.png")

    # and on a wide screen the menu is unfolded, without a "Menu" to click
    page.set_viewport_size(WINDOWS["wide"])
    page.reload()
    assert needs.is_visible()
    assert language.is_visible()
    assert not menu.get_by_text("Menu", exact=True).is_visible()
    assert menu.bounding_box()["height"] < 100
    page.close()


def test_the_entry_pages_warning_of_unchanged_returned_needs_fits_a_phone(
    chromium,  # noqa: F811 (the imported fixture)
    live_server,
    reference_data,  # noqa: F811 (the imported fixture)
):
    # given a focal point's need that the secretariat returned with a long comment,
    # unchanged since
    review = CountryReviewFactory(state__code="PHN", state__name="Phone State")
    fp = AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username="fp"
    ).user
    secretariat = AccountFactory(role=Account.Role.SECRETARIAT).user
    need = NeedFactory(review=review)
    need_update(need=need, user=fp, expected_version=1, description="Mine")
    review_submit(review=review, user=fp)
    review_return(review=review, user=secretariat, comment=f"See {LONG_WORD}")

    # when the focal point opens the entry page on a phone
    page = chromium.new_page(viewport=WINDOWS["phone"])
    log_in(page, live_server.url, "fp")
    page.goto(f"{live_server.url}/reviews/{review.pk}/entry/")

    # then the warning and its confirmation show, and nothing scrolls sideways
    assert page.get_by_text("has not changed since").is_visible()
    confirm = page.get_by_label("Resubmit the returned need unchanged")
    assert confirm.is_visible()
    box = confirm.bounding_box()
    assert box["x"] + box["width"] <= WINDOWS["phone"]["width"]
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= WINDOWS["phone"]["width"], page.evaluate(OFFENDERS)
    page.screenshot(path=SCREENSHOTS / "phone" / "entry-returned-unchanged.png")
    page.close()
