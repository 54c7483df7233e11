"""'Forgot password?': Django's password reset by e-mail, in tatracker's pages."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from reviews.models import Account
from reviews.services import user_add
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "correct horse battery staple"
NEW = "a much better passphrase 2026"
RESET = reverse("password_reset")


def reset_link(message) -> str:
    """The path of the link in a reset e-mail (checked to start with SITE_URL)."""
    [url] = re.findall(r"https?://\S+/accounts/reset/\S+/", message.body)
    assert url.startswith("http://127.0.0.1:8000/")
    return url.removeprefix("http://127.0.0.1:8000")


def set_new_password(client, link: str):
    """Follow the e-mailed link, then choose the new password."""
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"]
    return client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW, "new_password2": NEW},
        follow=True,
    )


def without_csrf_token(response) -> str:
    """The page, without the token that differs on every request."""
    html = response.getvalue().decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_login_page_links_to_the_reset(client):
    html = client.get(reverse("login")).getvalue().decode()
    assert f'href="{RESET}"' in html


def test_a_known_address_gets_a_link_that_sets_a_new_password(client):
    # given a person with an e-mail address
    user = UserFactory(username="alice", email="alice@example.org")

    # when they ask for a reset (anonymous: no log-in required), with other case
    response = client.post(RESET, {"email": "Alice@Example.org"})

    # then they are told to read their e-mail, and the e-mail came to them
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "alice" in message.body

    # and its link sets the new password
    done = set_new_password(client, reset_link(message))
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Your password has been set." in done.getvalue().decode()
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert not user.check_password(OLD)
    # and the link works once
    again = client.get(reset_link(message), follow=True)
    assert not again.context["validlink"]
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_an_unknown_address_reveals_nothing(client):
    UserFactory(username="alice", email="alice@example.org")
    known = client.post(RESET, {"email": "alice@example.org"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert unknown.redirect_chain == known.redirect_chain
    assert without_csrf_token(unknown) == without_csrf_token(known)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_an_inactive_account_gets_no_link(client):
    UserFactory(username="gone", email="gone@example.org", is_active=False)
    response = client.post(RESET, {"email": "gone@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_person_added_without_a_password_gets_a_link(client, own_review):
    # given a focal point added with add_user, who never used their setup link
    user = user_add(
        username="newfp",
        role=Account.Role.FOCAL_POINT,
        state_code=own_review.state.code,
        email="newfp@example.org",
    )
    assert not user.has_usable_password()

    client.post(RESET, {"email": "newfp@example.org"})

    [message] = mail.outbox
    set_new_password(client, reset_link(message))
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_the_link_is_built_on_site_url_not_on_the_requested_host(client):
    UserFactory(username="alice", email="alice@example.org")
    with override_settings(
        SITE_URL="https://tatracker.example.org/",
        ALLOWED_HOSTS=["localhost", "127.0.0.1", "evil.example"],
    ):
        client.post(RESET, {"email": "alice@example.org"}, HTTP_HOST="evil.example")
    [message] = mail.outbox
    assert "https://tatracker.example.org/accounts/reset/" in message.body
    assert "evil.example" not in message.body


def test_the_email_is_in_the_persons_language(client):
    AccountFactory(
        role=Account.Role.SECRETARIAT,
        language="fr",
        user__username="amelie",
        user__email="amelie@example.org",
    )
    client.post(RESET, {"email": "amelie@example.org"})
    [message] = mail.outbox
    assert message.subject == "Réinitialisation du mot de passe sur tatracker"


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_pages_speak_the_language(language):
    client = Client(headers={"accept-language": language})
    for url in [RESET, reverse("password_reset_done"), reverse("login")]:
        html = client.get(url).getvalue().decode()
        assert f'lang="{language}"' in html
        for english in ["Forgotten your", "Reset my password", "emailed"]:
            assert english not in html, url


def test_a_locked_out_person_resets_and_logs_in_at_once(client):
    # given a person locked out by repeated failures (django-axes)
    user = UserFactory(username="alice", email="alice@example.org")
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "alice", "password": OLD})
    assert locked.status_code == 429
    assert f'href="{RESET}"' in locked.getvalue().decode()

    # when they ask for a reset and set a new password
    client.post(RESET, {"email": "alice@example.org"})
    [message] = mail.outbox
    set_new_password(client, reset_link(message))

    # then the failures are forgotten, and the new password logs them in
    assert not AccessAttempt.objects.filter(username="alice").exists()
    response = client.post(reverse("login"), {"username": "alice", "password": NEW})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_bad_link_sets_nothing(client):
    user = UserFactory(username="alice", email="alice@example.org")
    url = reverse(
        "password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}
    )
    page = client.get(url, follow=True)
    assert not page.context["validlink"]
    assert f'href="{RESET}"' in page.getvalue().decode()
    client.post(url, {"new_password1": NEW, "new_password2": NEW})
    user.refresh_from_db()
    assert user.check_password(OLD)
