"""The kinds other parts of the inbox raise: SLA about to breach, escalation updated, alert fired. Each reads well
in both languages from its params (never a raw code), has its e-mail choice on the profile, and leads somewhere."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from federe.accounts.models import EmailChoice
from federe.notifications import digests, services
from federe.notifications.models import Kind, Notification
from federe.notifications.words import describe

pytestmark = pytest.mark.django_db

DUE = "2026-03-10T14:30:00+00:00"  # 15:30 in Paris


def _words(notification: Notification, language: str) -> str:
    with translation.override(language), timezone.override("Europe/Paris"):
        return describe(notification)


@pytest.mark.parametrize(
    ("target", "english", "french"),
    [
        ("first_response", "The first response to", "La première réponse à"),
        ("next_response", "The next response to", "La prochaine réponse à"),
        ("resolution", "must be resolved by", "doit être résolu avant le"),
    ],
)
def test_sla_breach_names_the_target_and_the_time_in_words(conv, owner, hana, target, english, french):
    [n] = services.notify(
        [hana],
        Kind.SLA_BREACH,
        workspace=conv.workspace,
        conversation=conv,
        params={"target": target, "due_at": DUE},
        email=False,
    )
    en, fr = _words(n, "en"), _words(n, "fr")
    assert english in en and str(conv) in en and "15:30" in en and target not in en
    assert french in fr and "15:30" in fr and target not in fr


@pytest.mark.parametrize(
    ("params", "english", "french"),
    [
        (
            {"ticket": 7, "team": "IT", "status": "in_progress"},
            "to IT is now in progress",
            "vers IT est maintenant en cours",
        ),
        (
            {"ticket": 7, "team": "Sales", "status": "resolved"},
            "to Sales is now resolved",
            "vers Sales est maintenant résolue",
        ),
        ({"ticket": 7, "team": "PR", "status": "open"}, "to PR is now open", "vers PR est maintenant ouverte"),
        ({"ticket": 7, "status": "resolved"}, "is now resolved", "est maintenant résolue"),
        ({"ticket": 7, "team": "IT", "status": "weird_code"}, "to IT was updated", "vers IT a été mise à jour"),
    ],
)
def test_ticket_updated_maps_the_status_to_words(conv, hana, params, english, french):
    [n] = services.notify(
        [hana], Kind.TICKET_UPDATED, workspace=conv.workspace, conversation=conv, params=params, email=False
    )
    en, fr = _words(n, "en"), _words(n, "fr")
    assert english in en and str(conv) in en and french in fr
    assert "in_progress" not in en + fr and "weird_code" not in en + fr


def test_alert_fired_reads_the_spike_and_leads_to_the_query(client, conv, hana):
    volume = {"alert": 3, "query": 41, "query_name": "Acme", "alert_kind": "volume", "window": 12, "window_minutes": 60}
    [n] = services.notify([hana], Kind.ALERT_FIRED, workspace=conv.workspace, params=volume, email=False)
    assert _words(n, "en") == "Listening alert: 12 mentions of “Acme” in the last 60 minutes, far more than usual"
    assert "12 mentions de « Acme »" in _words(n, "fr")
    n.params = {**volume, "window": 1, "window_minutes": 1}
    assert "1 mention of “Acme” in the last 1 minute," in _words(n, "en")
    n.params = {**volume, "alert_kind": "negative"}
    assert _words(n, "en") == "Listening alert: negative mentions of “Acme” are rising"
    assert "négatives" in _words(n, "fr")
    client.force_login(hana)
    opened = client.post(reverse("notifications:open", args=[conv.workspace.slug, n.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("listening:query", args=[conv.workspace.slug, 41])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"target": ["x"], "due_at": "not a date"},
        {"team": None, "status": 5},
        {"query_name": "", "window": "many"},
        [],
    ],
)
@pytest.mark.parametrize("kind", [Kind.SLA_BREACH, Kind.TICKET_UPDATED, Kind.ALERT_FIRED])
def test_odd_params_still_read_as_a_sentence(conv, hana, kind, params):
    [n] = services.notify([hana], kind, workspace=conv.workspace, conversation=conv, params=params, email=False)
    assert _words(n, "en") and _words(n, "fr") != _words(n, "en")


def test_sla_breach_is_emailed_at_once_in_the_readers_language_and_timezone(
    conv, hana, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            [hana],
            Kind.SLA_BREACH,
            workspace=conv.workspace,
            conversation=conv,
            params={"target": "first_response", "due_at": DUE},
        )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["hana@example.org"]
    assert "La première réponse" in mailoutbox[0].subject and "15:30" in mailoutbox[0].subject
    assert f"/w/{conv.workspace.slug}/inbox/{conv.pk}/" in mailoutbox[0].body


def test_each_new_kind_follows_its_own_email_choice(conv, hana, mailoutbox, django_capture_on_commit_callbacks):
    hana.notify_sla_breach, hana.notify_ticket_updated, hana.notify_alert_fired = "off", "digest", "now"
    hana.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([hana], Kind.SLA_BREACH, workspace=conv.workspace, conversation=conv, params={})
        services.notify(
            [hana],
            Kind.TICKET_UPDATED,
            workspace=conv.workspace,
            conversation=conv,
            params={"team": "IT", "status": "resolved"},
        )
        services.notify(
            [hana],
            Kind.ALERT_FIRED,
            workspace=conv.workspace,
            params={"query": 41, "query_name": "Acme", "alert_kind": "negative"},
        )
    assert len(mailoutbox) == 1 and "Acme" in mailoutbox[0].subject
    assert f"/w/{conv.workspace.slug}/listening/queries/41/" in mailoutbox[0].body
    assert digests.send_digests() == 1
    assert "IT" in mailoutbox[1].body and "résolue" in mailoutbox[1].body
    assert Notification.objects.get(kind=Kind.SLA_BREACH).emailed_at is None  # off: in the app only


def test_the_profile_page_offers_and_saves_the_new_kinds_choices(client, owner):
    from tests.accounts.test_profile import FULL

    client.force_login(owner)
    page = client.get(reverse("accounts:profile")).content.decode()
    for name in ("notify_sla_breach", "notify_ticket_updated", "notify_alert_fired"):
        assert f'name="{name}"' in page
    chosen = {"notify_sla_breach": "digest", "notify_ticket_updated": "off", "notify_alert_fired": "digest"}
    assert client.post(reverse("accounts:profile"), {**FULL, **chosen}).status_code == 302
    owner.refresh_from_db()
    assert (owner.notify_sla_breach, owner.notify_ticket_updated, owner.notify_alert_fired) == (
        EmailChoice.DIGEST,
        EmailChoice.OFF,
        EmailChoice.DIGEST,
    )
    assert client.post(reverse("accounts:profile"), {**FULL, "notify_alert_fired": "weekly"}).status_code == 422
    owner.refresh_from_db()
    assert owner.notify_alert_fired == EmailChoice.DIGEST
