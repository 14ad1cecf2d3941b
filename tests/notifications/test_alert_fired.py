"""A listening alert notifies the members who look after listening (in the app, and by e-mail per their choice),
without e-mailing twice those the alert itself already e-mails, nor those who turned listening alerts off."""

from __future__ import annotations

import pytest

from federe.accounts.models import EmailChoice, Role
from federe.inbox.ingest import ingest_items
from federe.listening import services as listening
from federe.listening.models import Alert
from federe.notifications.models import Kind, Notification
from federe.notifications.words import describe
from tests.listening_app.test_services import item, query

pytestmark = pytest.mark.django_db


def _member(member_factory, role, name, **fields):
    user = member_factory(role)
    user.username, user.email = name, f"{name}@example.org"
    for field, value in fields.items():
        setattr(user, field, value)
    user.save()
    return user


def test_an_alert_notifies_the_listening_members_and_emails_only_those_not_already_emailed(
    connection, owner, member_factory, mailoutbox, django_capture_on_commit_callbacks
):
    owner.email = ""
    owner.save()
    configured = _member(member_factory, Role.COMMUNITY_MANAGER, "cm")  # the alert e-mails this address itself
    analyst = _member(member_factory, Role.ANALYST, "ana")
    digest = _member(member_factory, Role.ANALYST, "dig", notify_alert_fired=EmailChoice.DIGEST)
    quiet = _member(member_factory, Role.COMMUNITY_MANAGER, "quiet", notify_alerts=False)  # no alert e-mails
    moderator = _member(member_factory, Role.MODERATOR, "mod")  # not of listening
    config = listening.alert_settings(connection.workspace_id)
    config.emails, config.min_volume = "CM@example.org", 3
    config.save()
    saved = query(connection.workspace, owner, "Lumière", "lumière")
    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(connection, [item(10 + i, f"lumière {i}", author=f"u{i}", minutes_ago=i) for i in range(4)])
    alert = Alert.objects.get()
    notified = Notification.objects.filter(kind=Kind.ALERT_FIRED)
    assert sorted(n.user.username for n in notified) == ["ana", "cm", "dig", "owner", "quiet"]
    assert moderator not in {n.user for n in notified}
    one = notified.get(user=analyst)
    assert one.params["alert"] == alert.pk and one.params["query"] == saved.pk and one.workspace == alert.workspace
    assert describe(one) == "Listening alert: 4 mentions of “Lumière” in the last 60 minutes, far more than usual"
    # E-mailed at once: only the analyst (cm gets the alert's own e-mail, quiet opted out, dig waits for the digest).
    notification_mails = [m for m in mailoutbox if "far more than usual" in m.subject]
    assert [m.to for m in notification_mails] == [["ana@example.org"]]
    assert f"/listening/queries/{saved.pk}/" in notification_mails[0].body
    assert notified.get(user=digest).emailed_at is None and notified.get(user=configured).emailed_at is None
    assert quiet.pk in set(notified.values_list("user", flat=True))


def test_another_workspaces_alert_notifies_no_one_here(connection, owner, other_workspace):
    ws, rival_owner, rival_conn = other_workspace
    config = listening.alert_settings(ws.pk)
    config.min_volume = 3
    config.save()
    query(ws, rival_owner, "Lumière", "lumière")
    ingest_items(rival_conn, [item(10 + i, f"lumière {i}", author=f"u{i}", minutes_ago=i) for i in range(4)])
    assert Alert.objects.filter(workspace=ws).count() == 1
    assert list(Notification.objects.values_list("user__username", "workspace")) == [("rival-owner", ws.pk)]
