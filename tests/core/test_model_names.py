"""Classifier models are named in words ("Shipped spam model, 23 Nov 2026"), never by their id
("linear:spam@2026-11-23"), on the models page and in the tooltips of scores."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from federe.nlp.explain import model_name

RAW_ID = re.compile(r"\b(linear|workspace|lexicon|lingua|transformers|deep):[\w+]")


@pytest.mark.parametrize(
    ("model_id", "english", "french"),
    [
        ("linear:spam@2026-11-23", "Shipped spam model, 23 Nov 2026", "Modèle de spam livré, 23 novembre 2026"),
        (
            "workspace:toxicity@v3",
            "This workspace's toxicity model, version 3",
            "Modèle de toxicité de cet espace, version 3",
        ),
        ("lexicon:sentiment@2026-11-23", "Shipped tone model, 23 Nov 2026", "Modèle de ton livré, 23 novembre 2026"),
        ("lingua:fr+en", "Language detection (French, English)", "Détection de la langue (Français, Anglais)"),
        (
            "deep:toxicity@2026-12-06",
            "Shipped toxicity model with the sentence encoder, 6 Dec 2026",
            "Modèle de toxicité livré avec l’encodeur de phrases, 6 décembre 2026",
        ),
    ],
)
def test_model_ids_read_as_words(model_id, english, french):
    with translation.override("en"):
        assert model_name(model_id) == english
    with translation.override("fr"):
        assert model_name(model_id) == french


def test_an_unknown_id_is_not_shown_as_is():
    with translation.override("fr"):
        assert model_name("mystery:thing") == "un autre modèle"


@pytest.mark.django_db
def test_the_models_page_shows_no_model_id(client, workspace, owner, synced):
    owner.language = "fr"
    owner.save()
    client.force_login(owner)

    html = client.get(reverse("nlp:models", args=[workspace.slug])).content.decode()

    assert "Modèle de spam livré" in html
    assert RAW_ID.findall(html) == []
