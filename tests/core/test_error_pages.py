"""Our own 404 and 500 pages (DEBUG is off in tests, as in production), in the reader's language."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "way_back"),
    [("en", "Page not found", "Back to the start"), ("fr", "Page introuvable", "Retour à l’accueil")],
)
def test_an_unknown_address_gets_our_404_page_in_the_readers_language(client, owner, language, title, way_back):
    client.force_login(owner)
    response = client.get("/w/acme/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    page = response.content.decode()
    assert f'<html lang="{language}">' in page and f"<h1>{title}</h1>" in page and way_back in page
    assert 'class="topbar"' in page  # the usual top bar: the language button and the account menu


@pytest.mark.parametrize(("language", "title"), [("en", "Something went wrong"), ("fr", "Un problème est survenu")])
def test_a_server_error_gets_our_500_page_in_the_readers_language(language, title):
    request = RequestFactory().get("/w/acme/inbox/")
    with translation.override(language):
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in page and f"<h1>{title}</h1>" in page
    assert "/static/federe/federe.css" in page  # styled like the rest, from this server
