"""Networks are named, in the reader's language, never by their key ("dummy", "rss")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from federe.connectors import registry
from federe.people.models import Person

# Product names read the same in every language.
PROPER_NAMES = {
    "WordPress",
    "Discourse",
    "Bluesky",
    "Discord",
    "Facebook",
    "Instagram",
    "Telegram",
    "X (Twitter)",
    "YouTube",
}


def test_every_connector_has_a_french_name():
    with translation.override("en"):
        english = {cls.key: str(cls.label) for cls in registry.available()}
    with translation.override("fr"):
        french = {cls.key: str(cls.label) for cls in registry.available()}
    assert len(english) >= 5
    assert [key for key in english if english[key] == french[key] and english[key] not in PROPER_NAMES] == []
    assert french["dummy"] == "Réseau de démonstration"


@pytest.mark.django_db
def test_a_person_page_names_the_network_not_its_key(client, workspace, owner, synced):
    owner.language = "fr"
    owner.save()
    person = Person.objects.filter(workspace=workspace, identities__isnull=False).first()
    client.force_login(owner)

    html = client.get(reverse("people:person", args=[workspace.slug, person.pk])).content.decode()

    assert "(dummy)" not in html and "(Réseau de démonstration)" in html
