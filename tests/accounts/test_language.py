"""The user's language is written by a service; the switch only calls it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from federe.accounts import services
from federe.accounts.models import User

pytestmark = pytest.mark.django_db


def test_set_language_remembers_a_known_language(owner):
    services.set_language(user=owner, language="fr")
    assert User.objects.get(pk=owner.pk).language == "fr"


def test_set_language_refuses_an_unknown_one_and_keeps_the_old(owner):
    services.set_language(user=owner, language="fr")
    with pytest.raises(ValidationError):
        services.set_language(user=owner, language="xx")
    assert User.objects.get(pk=owner.pk).language == "fr"


def test_the_switch_goes_through_the_service(client, owner, monkeypatch):
    calls = []
    real = services.set_language
    monkeypatch.setattr(services, "set_language", lambda **kw: calls.append(kw) or real(**kw))
    client.force_login(owner)
    response = client.post(reverse("accounts:set-language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert calls == [{"user": owner, "language": "fr"}]
    assert User.objects.get(pk=owner.pk).language == "fr"


def test_an_unknown_language_from_the_switch_changes_nothing(client, owner):
    client.force_login(owner)
    client.post(reverse("accounts:set-language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=owner.pk).language == ""


def test_an_anonymous_visitor_only_sets_the_cookie(client):
    response = client.post(reverse("accounts:set-language"), {"language": "fr", "next": "/login/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "fr"


def test_a_french_reader_s_request_leaves_the_thread_s_language_as_it_found_it(client, owner):
    """The profile's language holds for the request only: the thread that served it (a server thread, or a test)
    goes back to the language it had, so the next work done there is not in that reader's language."""
    from django.utils import translation

    services.set_language(user=owner, language="fr")
    client.force_login(owner)
    with translation.override("en"):
        response = client.get("/profile/")
        assert response.status_code == 200 and 'lang="fr"' in response.content.decode()
        assert translation.get_language() == "en"
        assert response.headers["Content-Language"] == "fr"
