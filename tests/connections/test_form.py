"""The connection form builds each network's fields from its SetupField list: a choice is a list, not free text."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connections.forms import ConnectionForm
from federe.connectors.base import SetupField

pytestmark = pytest.mark.django_db


def test_a_choice_field_is_a_list_whose_first_choice_is_chosen():
    with translation.override("fr"):
        html = str(ConnectionForm()["imap__security"])
    assert html.startswith("<select") and '<option value="auto" selected>' in html
    assert "Automatique : STARTTLS quand le serveur le propose" in html and 'value="none"' in html


def test_a_value_outside_the_choices_is_refused_in_words_and_a_choice_is_stored_as_given(owner):
    data = {"name": "News", "network": "nntp", "nntp__host": "news.example.org", "nntp__tls": "maybe"}
    with translation.override("fr"):
        form = ConnectionForm(data)
        assert not form.is_valid()
        assert "Sélectionnez un choix valide" in form.errors["nntp__tls"][0]
    form = ConnectionForm({**data, "nntp__tls": "yes"})
    assert form.is_valid(), form.errors
    assert form.config_and_credentials()[0]["tls"] == "yes"


def test_choices_come_with_the_choice_kind_and_only_with_it():
    with pytest.raises(TypeError, match="choices"):
        SetupField("tls", "TLS", kind="choice")
    with pytest.raises(TypeError, match="choices"):
        SetupField("tls", "TLS", choices=(("yes", "Yes"),))
