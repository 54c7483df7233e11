"""Changing one's password from the app's own pages (linked from every page)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_signed_in_user_finds_and_changes_their_password(secretariat):
    secretariat.set_password("old-password-123")
    secretariat.save()
    client = Client()
    client.force_login(secretariat)

    home = client.get("/").content.decode()
    assert 'href="/accounts/password_change/"' in home
    page = client.get("/accounts/password_change/").content.decode()
    assert 'class="brand"' in page  # the app's page, not the admin's
    assert 'id="id_new_password1_helptext"' in page

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "old-password-123",
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )

    assert response.status_code == 302
    assert response.url == "/accounts/password_change/done/"
    secretariat.refresh_from_db()
    assert secretariat.check_password("a-new-long-passphrase-42")
    assert "Your password was changed." in client.get(response.url).content.decode()


def test_a_wrong_old_password_changes_nothing(secretariat):
    secretariat.set_password("old-password-123")
    secretariat.save()
    client = Client()
    client.force_login(secretariat)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 200
    secretariat.refresh_from_db()
    assert secretariat.check_password("old-password-123")


def test_the_log_in_link_on_the_log_in_page_does_not_return_to_it(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/login/?next=/accounts/login/"' not in html
    assert 'href="/accounts/login/?next=' in client.get("/reports/").content.decode()


def test_anonymous_menu_offers_only_what_opens_without_signing_in(client):
    html = client.get("/reports/").content.decode()
    assert 'href="/needs/"' not in html
    assert 'href="/states/"' not in html.split("<main")[0]
