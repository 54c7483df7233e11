"""Every page in each of the six languages: the document says its language (and
direction), and none of the app's own English words is left on it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from needs.models import Need
from reviews.models import Account
from tests.factories import (
    SHARES_REPORT,
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
    make_assistance,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["ar", "zh-hans", "fr", "ru", "es"]
# Words of the interface (not of the data) that no translated page may show (none is
# spelt the same in French or Spanish, as "Description" or "Article" would be).
ENGLISH = [
    "Skip to content",
    "States parties",
    "Statistics",
    "Log out",
    "Type of need",
    "Not yet addressed",
    "Technical assistance needs",
    "Coverage",
    "Priority",
    "What still remains",
    "Follow-up",
    "Regional group",
    "Number of needs",
    "Chapter",
    "Save",
    "Download",
]


@pytest.fixture
def world(own_review):
    """Words typed by people are neutral here, so that only the interface speaks."""
    need = NeedFactory(review=own_review, description="—", remaining="—")
    sharing = CountryReviewFactory(state__code="SHR", shares=SHARES_REPORT)
    NeedFactory(review=sharing, description="—")
    project = make_assistance(states=[own_review.state], title="—")
    project.links.create(need=need, coverage="in-part")
    return {"need": need, "review": own_review, "assistance": project}


def pages(world) -> list[str]:
    review, need = world["review"], world["need"]
    state = review.state
    return [
        reverse("home"),
        reverse("needs:state_list"),
        state.get_absolute_url(),
        review.get_absolute_url(),
        reverse("needs:review_entry", args=[review.pk]),
        reverse("needs:need_list"),
        need.get_absolute_url(),
        reverse("needs:need_edit", args=[need.pk]),
        reverse("needs:need_history", args=[need.pk]),
        reverse("needs:recent_changes"),
        reverse("reports:overview"),
        reverse("reports:chapter", args=["III"]),
        reverse("reports:article", args=[15]),
        reverse("reports:types"),
        reverse("reports:regions"),
        reverse("reports:distribution"),
        reverse("reports:draft_note"),
        reverse("followup:desk"),
        reverse("followup:state_follow_up", args=[state.code]),
        reverse("followup:donor_mapping"),
        reverse("followup:unmet_needs"),
        reverse("followup:clusters"),
        world["assistance"].get_absolute_url(),
        reverse("login"),
    ]


def visible_text(html: str) -> str:
    """The text a person reads: no markup, scripts, styles or SVG path data."""
    html = re.sub(r"<(script|style)[\s\S]*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_language(world, secretariat, language):
    client = Client(headers={"accept-language": language})
    client.force_login(secretariat)
    problems = []
    for url in pages(world):
        response = client.get(url)
        html = response.getvalue().decode()
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        if f'lang="{language}"' not in html:
            problems.append(f"{url}: no lang={language}")
        direction = "rtl" if language == "ar" else "ltr"
        if f'dir="{direction}"' not in html:
            problems.append(f"{url}: not {direction}")
        text = visible_text(html)
        problems += [f"{url}: {word!r}" for word in ENGLISH if word in text]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_focal_point_enters_needs_in_the_language(world, focal_point, language):
    client = Client(headers={"accept-language": language})
    client.force_login(focal_point)
    for url in [
        reverse("needs:review_entry", args=[world["review"].pk]),
        world["need"].get_absolute_url(),
        reverse("home"),
    ]:
        text = visible_text(client.get(url).getvalue().decode())
        assert [word for word in ENGLISH if word in text] == [], url


def test_english_stays_english(world, secretariat):
    client = Client(headers={"accept-language": "en"})
    client.force_login(secretariat)
    html = client.get(reverse("needs:need_list")).getvalue().decode()
    assert 'lang="en"' in html
    assert "Type of need" in html


def test_the_profile_language_wins_over_the_browser(world, client):
    user = AccountFactory(
        role=Account.Role.SECRETARIAT, language="fr", user__username="fr"
    ).user
    client.force_login(user)
    html = client.get(reverse("home"), headers={"accept-language": "es"})
    assert 'lang="fr"' in html.getvalue().decode()


def test_the_language_menu_remembers_the_choice_in_the_profile(world, client):
    user = AccountFactory(role=Account.Role.VIEWER, user__username="v").user
    client.force_login(user)
    response = client.post(
        reverse("reviews:language_set"), {"language": "ru", "next": "/needs/"}
    )
    assert response.status_code == 302
    assert response.url == "/needs/"
    assert Account.objects.get(user=user).language == "ru"
    assert 'lang="ru"' in client.get("/needs/").getvalue().decode()


def test_an_anonymous_visitor_chooses_a_language_too(client):
    response = client.post(reverse("reviews:language_set"), {"language": "ar"})
    assert response.status_code == 302
    html = client.get(reverse("home")).getvalue().decode()
    assert 'lang="ar"' in html
    assert 'dir="rtl"' in html
    assert Need.objects.count() == 0


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_language_menu_names_each_language_in_itself(client, language):
    client.post(reverse("reviews:language_set"), {"language": language})
    html = client.get(reverse("home")).getvalue().decode()
    menu = html[html.index('<select name="language"') : html.index("</select>")]
    names = re.findall(
        r'<option value="([^"]+)" lang="[^"]+"[^>]*>([^<]+)</option>', menu
    )
    assert names == [
        ("ar", "العربية"),
        ("zh-hans", "中文"),
        ("en", "English"),
        ("fr", "Français"),
        ("ru", "Русский"),
        ("es", "Español"),
    ]
