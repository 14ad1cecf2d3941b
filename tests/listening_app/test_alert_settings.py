"""The alert settings form: validated when saved, in both languages, typed values kept, the secret never shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from federe.accounts.models import Role
from federe.listening import services
from federe.listening.models import AlertSettings

pytestmark = pytest.mark.django_db

SECRET = "whsec-Xq81-do-not-show"


def form_data(**changes):
    data = {
        "window_minutes": "60",
        "baseline_minutes": "720",
        "min_volume": "10",
        "volume_factor": "3",
        "negative_share": "0.5",
        "negative_rise": "0.2",
        "emails": "",
        "webhook_url": "",
        "new_secret": "",
    }
    return {**data, **changes}


def post(client, data, language="en"):
    return client.post(reverse("listening:alerts", args=["acme"]), data, HTTP_ACCEPT_LANGUAGE=language)


def test_french_decimal_commas_are_accepted(client, connection, owner):
    client.force_login(owner)
    response = post(client, form_data(volume_factor="2,5", negative_share="0,6", negative_rise="0,15"), "fr")
    assert response.status_code == 302
    config = AlertSettings.objects.get(workspace=connection.workspace)
    assert (config.volume_factor, config.negative_share, config.negative_rise) == (2.5, 0.6, 0.15)


@pytest.mark.parametrize(
    ("language", "email_error", "number_error"),
    [
        ("en", "is not a valid e-mail address", "Enter a number."),
        ("fr", "n’est pas une adresse e-mail valide", "Indiquez un nombre."),
    ],
)
def test_bad_emails_and_numbers_are_refused_in_place_keeping_what_was_typed(
    client, connection, owner, language, email_error, number_error
):
    client.force_login(owner)
    data = form_data(emails="cm@example.org\nnot-an-address", negative_share="0,6x", window_minutes="45")
    response = post(client, data, language)
    page = response.content.decode()
    assert response.status_code == 400
    assert "not-an-address" in page and email_error in page
    assert number_error in page and 'value="0,6x"' in page and 'value="45"' in page
    assert not AlertSettings.objects.filter(workspace=connection.workspace, window_minutes=45).exists()


def test_a_loopback_webhook_is_refused_when_saved_like_a_channel(client, connection, owner, settings):
    settings.FEDERE_NET_ALLOW_HOSTS = []
    client.force_login(owner)
    response = post(client, form_data(webhook_url="http://127.0.0.1:8000/hook"))
    page = response.content.decode()
    assert response.status_code == 400 and "loopback" in page and "http://127.0.0.1:8000/hook" in page
    assert services.alert_settings(connection.workspace_id).webhook_url == ""
    response = post(client, form_data(webhook_url="ftp://example.org/hook"))
    assert response.status_code == 400 and "Only http:// and https://" in response.content.decode()


def test_shares_outside_zero_to_one_and_a_zero_window_are_refused(client, connection, owner):
    client.force_login(owner)
    response = post(client, form_data(negative_share="1.5", baseline_minutes="0"))
    assert response.status_code == 400
    assert services.alert_settings(connection.workspace_id).negative_share == 0.5


def test_the_signing_secret_is_never_rendered_and_an_empty_field_keeps_it(client, connection, owner, member_factory):
    client.force_login(owner)
    assert post(client, form_data(new_secret=SECRET)).status_code == 302
    assert services.alert_settings(connection.workspace_id).webhook_secret == SECRET
    for user in (owner, member_factory(Role.MODERATOR), member_factory(Role.CLIENT)):
        client.force_login(user)
        page = client.get(reverse("listening:alerts", args=["acme"])).content.decode()
        assert SECRET not in page and "A signing secret is set" in page
    client.force_login(owner)
    refused = post(client, form_data(new_secret=SECRET, window_minutes="x"))
    assert refused.status_code == 400 and SECRET not in refused.content.decode()
    assert post(client, form_data(min_volume="4")).status_code == 302
    config = services.alert_settings(connection.workspace_id)
    assert config.webhook_secret == SECRET and config.min_volume == 4
    assert post(client, form_data(remove_secret="on")).status_code == 302
    assert services.alert_settings(connection.workspace_id).webhook_secret == ""


def test_decimals_are_shown_in_the_reader_s_format_and_a_dot_still_works(client, connection, owner):
    client.force_login(owner)
    page = client.get(reverse("listening:alerts", args=["acme"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'value="0,5"' in page and 'inputmode="decimal"' in page
    assert post(client, form_data(negative_share="0.7"), "fr").status_code == 302
    assert services.alert_settings(connection.workspace_id).negative_share == 0.7
    assert post(client, form_data(volume_factor="2,5"), "en").status_code == 302
    config = services.alert_settings(connection.workspace_id)
    assert (config.negative_share, config.volume_factor) == (0.5, 2.5)
