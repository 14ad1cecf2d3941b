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
