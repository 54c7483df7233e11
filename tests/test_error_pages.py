"""The error pages: in the site's layout and the reader's language, saying why."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_page_not_found_is_in_the_sites_layout_and_language(client, secretariat):
    client = client_for(client, secretariat)

    response = client.get("/needs/999999/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Page introuvable" in html
    assert 'class="site"' in html  # the site's header and menu
    assert 'href="/"' in html


def test_a_refusal_says_the_applications_reason(client, viewer):
    client = client_for(client, viewer)

    response = client.get("/exchange/import/needs/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html
    assert "You cannot import needs." in html
    assert 'class="site"' in html


def test_the_server_error_page_renders_without_a_request():
    with translation.override("ar"):
        html = render_to_string("500.html")
    assert 'dir="rtl"' in html
    assert "tatracker" in html
