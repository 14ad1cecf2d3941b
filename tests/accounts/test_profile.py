"""The profile page: name, e-mail, language, timezone, password, and which e-mails the user receives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from federe.accounts.models import Role, User
from federe.core import audit
from federe.core.models import AuditEvent

pytestmark = pytest.mark.django_db

FULL = {
    "first_name": "Ana",
    "last_name": "Lopes",
    "email": "ana@example.org",
    "language": "fr",
    "timezone": "America/New_York",
    "notify_assignments": "on",
    "notify_digests": "on",
    # reviews and alerts left unticked: turned off
}


def test_the_profile_page_saves_everything(client, owner):
    client.force_login(owner)
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(reverse("accounts:profile"), FULL)
    assert response.status_code == 302
    user = User.objects.get(pk=owner.pk)
    assert (user.first_name, user.last_name, user.email, user.language, user.timezone) == (
        "Ana",
        "Lopes",
        "ana@example.org",
        "fr",
        "America/New_York",
    )
    assert (user.notify_assignments, user.notify_reviews, user.notify_digests, user.notify_alerts) == (
        True,
        False,
        True,
        False,
    )
    event = AuditEvent.objects.get(verb="user.profile_changed")
    assert "email" in event.details["changed"] and "ana@example.org" not in str(event.details)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("email", "not-an-address", "valid e-mail"),
        ("timezone", "Mars/Olympus", "timezone from the list"),
        ("language", "xx", "valid choice"),
    ],
)
def test_bad_input_is_explained_and_nothing_changes(client, owner, field, value, says):
    client.force_login(owner)
    response = client.post(reverse("accounts:profile"), {**FULL, field: value})
    assert response.status_code == 422 and says in response.content.decode()
    assert User.objects.get(pk=owner.pk).first_name == ""


def test_an_e_mail_of_another_account_is_refused(client, owner, user_factory):
    user_factory(username="other", email="ana@example.org")
    client.force_login(owner)
    response = client.post(reverse("accounts:profile"), FULL)
    assert response.status_code == 422 and "Another account uses this e-mail" in response.content.decode()


def test_the_password_changes_only_with_the_current_one(client, owner):
    client.force_login(owner)
    url = reverse("accounts:password")
    wrong = client.post(url, {"current": "nope", "new": "a-new-long-secret-7", "new_again": "a-new-long-secret-7"})
    assert wrong.status_code == 422 and "not your current password" in wrong.content.decode()
    weak = client.post(url, {"current": "pw-for-tests", "new": "123", "new_again": "123"})
    assert weak.status_code == 422 and "too short" in weak.content.decode()
    differ = client.post(url, {"current": "pw-for-tests", "new": "a-new-long-secret-7", "new_again": "other"})
    assert differ.status_code == 422 and "differ" in differ.content.decode()
    assert User.objects.get(pk=owner.pk).check_password("pw-for-tests")
    done = client.post(
        url, {"current": "pw-for-tests", "new": "a-new-long-secret-7", "new_again": "a-new-long-secret-7"}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=owner.pk).check_password("a-new-long-secret-7")
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in on this browser
    assert AuditEvent.objects.filter(verb="user.password_changed", actor=owner).exists()


def test_times_are_shown_in_the_user_s_timezone(client, workspace, owner):
    event = audit.record("workspace.created", workspace=workspace, actor=owner, target=workspace)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    client.force_login(owner)
    paris = client.get(reverse("core:activity", args=[workspace.slug])).content.decode()
    assert "5 Jan 2026, 13:00" in paris  # the server's zone, Europe/Paris
    User.objects.filter(pk=owner.pk).update(timezone="America/New_York")
    new_york = client.get(reverse("core:activity", args=[workspace.slug])).content.decode()
    assert "5 Jan 2026, 07:00" in new_york


def test_the_language_chosen_in_the_profile_wins_over_an_earlier_switch(client, owner):
    client.force_login(owner)
    client.post(reverse("accounts:set-language"), {"language": "en", "next": "/"})
    client.post(reverse("accounts:profile"), FULL)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Votre profil" in page


# --- the e-mails the user receives ------------------------------------------------------------------


def test_review_notices_follow_the_preference(connection, owner, member_factory, mailoutbox):
    from federe.connections.services import sync_connection
    from federe.moderation import services as moderation
    from federe.moderation.models import Decision
    from federe.moderation.services import notify_moderators

    sync_connection(connection.pk, worker_id="test")
    quiet, keen = member_factory(Role.MODERATOR), member_factory(Role.MODERATOR)
    User.objects.filter(pk=quiet.pk).update(email="quiet@example.org", notify_reviews=False)
    User.objects.filter(pk=keen.pk).update(email="keen@example.org")
    from federe.inbox.models import Message

    message = Message.objects.filter(connection=connection).first()
    decision = moderation.decide(messages=[message], action="approve", by=owner)[0]
    assert Decision.objects.filter(pk=decision.pk).exists()
    assert notify_moderators([decision.pk]) == 1
    assert [m.to for m in mailoutbox] == [["keen@example.org"]]


def test_the_people_digest_follows_the_preference(workspace, owner, member_factory, mailoutbox):
    from federe.people.engagement.community import send_digest

    quiet, keen = member_factory(Role.COMMUNITY_MANAGER), member_factory(Role.COMMUNITY_MANAGER)
    User.objects.filter(pk=quiet.pk).update(email="quiet@example.org", notify_digests=False)
    User.objects.filter(pk=keen.pk).update(email="keen@example.org")
    assert send_digest(workspace) == 1
    assert [m.to for m in mailoutbox] == [["keen@example.org"]]


def test_a_hand_over_e_mail_follows_the_preference(workspace, owner, synced, member_factory, mailoutbox):
    from federe.listening import services as listening
    from federe.listening.models import Mention

    query = listening.save_query(workspace=workspace, by=owner, name="Brand", kind="brand", text="lang:fr OR lang:en")
    quiet = member_factory(Role.MODERATOR)
    User.objects.filter(pk=quiet.pk).update(email="quiet@example.org", notify_assignments=False)
    quiet.refresh_from_db()
    mention = Mention.objects.filter(query=query).select_related("message__conversation").first()
    listening.escalate(mention=mention, by=owner, assignee=quiet, note="look")
    assert mention.message.conversation.__class__.objects.get(pk=mention.message.conversation_id).assignee == quiet
    assert mailoutbox == []


def test_listening_alerts_skip_users_who_turned_them_off(user_factory):
    from federe.listening.delivery import alert_recipients

    user_factory(username="quiet", email="Quiet@example.org", notify_alerts=False)
    user_factory(username="keen", email="keen@example.org")
    assert alert_recipients("quiet@example.org\nkeen@example.org\noutside@example.net\n") == [
        "keen@example.org",
        "outside@example.net",
    ]
