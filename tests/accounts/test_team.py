"""The team of a workspace: add, invite, re-role and remove, from the UI and the CLI; the last owner stays."""

from __future__ import annotations

import re
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from federe.accounts import team
from federe.accounts.apps import VERB_LABELS
from federe.accounts.models import Invitation, Membership, Role, User
from federe.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BASE = "https://federe.example.org/"


def _link(mail) -> str:
    found = re.search(r"https://federe\.example\.org(/invitation/[^\s]+/)", mail.body)
    assert found, mail.body
    return found.group(1)


def _verbs(workspace) -> list[str]:
    return list(AuditEvent.objects.filter(workspace=workspace).order_by("id").values_list("verb", flat=True))


# --- services ---------------------------------------------------------------------------------------


def test_a_known_user_joins_at_once_by_name_or_e_mail(workspace, owner, user_factory):
    alice = user_factory(username="alice", email="alice@example.org")
    bob = user_factory(username="bob", email="bob@example.org")
    team.add_or_invite(workspace=workspace, who="alice", role=Role.MODERATOR, by=owner, base_url=BASE)
    team.add_or_invite(workspace=workspace, who="BOB@example.org", role=Role.ANALYST, by=owner, base_url=BASE)
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert roles == {"owner": Role.OWNER, alice.username: Role.MODERATOR, bob.username: Role.ANALYST}
    assert _verbs(workspace).count("member.added") == 2


def test_adding_a_member_twice_is_refused_and_keeps_the_role(workspace, owner, member_factory):
    cm = member_factory(Role.COMMUNITY_MANAGER)
    with pytest.raises(ValidationError) as info:
        team.add_or_invite(workspace=workspace, who=cm.username, role=Role.CLIENT, by=owner, base_url=BASE)
    assert "already a member" in " ".join(info.value.messages)
    assert Membership.objects.get(workspace=workspace, user=cm).role == Role.COMMUNITY_MANAGER


def test_an_unknown_name_that_is_not_an_e_mail_is_refused_in_plain_words(workspace, owner):
    with pytest.raises(ValidationError) as info:
        team.add_or_invite(workspace=workspace, who="nobody-here", role=Role.CLIENT, by=owner, base_url=BASE)
    assert "e-mail address to invite" in " ".join(info.value.messages)
    assert not Invitation.objects.exists()


def test_an_unknown_e_mail_gets_a_signed_single_use_invitation(client, workspace, owner, mailoutbox):
    invitation = team.add_or_invite(
        workspace=workspace, who="new@example.org", role=Role.MODERATOR, by=owner, base_url=BASE
    )
    assert isinstance(invitation, Invitation) and invitation.role == Role.MODERATOR
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    assert workspace.name in mailoutbox[0].subject
    link = _link(mailoutbox[0])
    assert "member.invited" in _verbs(workspace)

    page = client.get(link)
    assert page.status_code == 200 and "new@example.org" in page.content.decode()
    response = client.post(
        link, {"username": "newbie", "password": "long-enough-pw-42", "password_again": "long-enough-pw-42"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:overview", args=[workspace.slug])
    newbie = User.objects.get(username="newbie")
    assert newbie.email == "new@example.org" and newbie.check_password("long-enough-pw-42")
    assert Membership.objects.get(workspace=workspace, user=newbie).role == Role.MODERATOR
    assert client.session["_auth_user_id"] == str(newbie.pk)
    assert "member.joined" in _verbs(workspace)

    # single use: the same link again, logged out, creates nothing
    client.logout()
    again = client.post(
        link, {"username": "second", "password": "long-enough-pw-42", "password_again": "long-enough-pw-42"}
    )
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_a_logged_in_user_accepts_as_themselves(client, workspace, owner, user_factory, mailoutbox):
    carol = user_factory(username="carol")
    team.invite(workspace=workspace, email="carol.other@example.org", role=Role.ANALYST, by=owner, base_url=BASE)
    client.force_login(carol)
    response = client.post(_link(mailoutbox[0]))
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=carol).role == Role.ANALYST


def test_an_expired_or_forged_or_withdrawn_link_is_refused(client, workspace, owner, mailoutbox, monkeypatch):
    invitation = team.invite(workspace=workspace, email="late@example.org", role=Role.CLIENT, by=owner, base_url=BASE)
    link = _link(mailoutbox[0])
    join = {"username": "late", "password": "long-enough-pw-42", "password_again": "long-enough-pw-42"}

    forged = link.replace("/invitation/", "/invitation/9").rstrip("/") + "x/"
    assert "not valid" in client.get(forged).content.decode()

    later = time.time() + (team.invitation_days() + 1) * 86400
    with monkeypatch.context() as m:
        m.setattr("django.core.signing.time.time", lambda: later)
        response = client.post(link, join)
    assert response.status_code == 410 and "expired" in response.content.decode()

    team.revoke_invitation(invitation=invitation, by=owner)
    response = client.post(link, join)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert not User.objects.filter(username="late").exists()
    assert "member.invitation_revoked" in _verbs(workspace)


def test_a_weak_password_is_refused_and_the_invitation_kept(client, workspace, owner, mailoutbox):
    team.invite(workspace=workspace, email="weak@example.org", role=Role.CLIENT, by=owner, base_url=BASE)
    link = _link(mailoutbox[0])
    response = client.post(link, {"username": "weak", "password": "123", "password_again": "123"})
    assert response.status_code == 422 and "too short" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()
    assert Invitation.objects.get().accepted_at is None


def test_the_last_owner_cannot_be_demoted_or_removed(workspace, owner):
    mine = Membership.objects.get(workspace=workspace, user=owner)
    with pytest.raises(ValidationError) as info:
        team.change_role(membership=mine, role=Role.COMMUNITY_MANAGER, by=owner)
    assert "at least one owner" in " ".join(info.value.messages)
    with pytest.raises(ValidationError):
        team.remove(membership=mine, by=owner)
    assert Membership.objects.get(pk=mine.pk).role == Role.OWNER


def test_with_a_second_owner_the_first_can_step_down(workspace, owner, member_factory):
    other = member_factory(Role.OWNER)
    mine = Membership.objects.get(workspace=workspace, user=owner)
    team.change_role(membership=mine, role=Role.MODERATOR, by=owner)
    theirs = Membership.objects.get(workspace=workspace, user=other)
    with pytest.raises(ValidationError):  # now the last one
        team.remove(membership=theirs, by=other)
    assert Membership.objects.get(pk=mine.pk).role == Role.MODERATOR
    event = AuditEvent.objects.get(verb="member.role_changed")
    assert event.details == {"user": "owner", "from": Role.OWNER, "to": Role.MODERATOR}


def test_removing_a_member_is_recorded(workspace, owner, member_factory):
    mod = member_factory(Role.MODERATOR)
    team.remove(membership=Membership.objects.get(workspace=workspace, user=mod), by=owner)
    assert not Membership.objects.filter(workspace=workspace, user=mod).exists()
    assert AuditEvent.objects.get(verb="member.removed").details == {"user": mod.username, "role": Role.MODERATOR}


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.MODERATOR, Role.ANALYST, Role.CLIENT])
def test_only_owners_change_the_team(workspace, owner, member_factory, role):
    actor = member_factory(role)
    mine = Membership.objects.get(workspace=workspace, user=owner)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        team.add_or_invite(workspace=workspace, who="x@example.org", role=Role.OWNER, by=actor, base_url=BASE)
    with pytest.raises(PermissionDenied):
        team.change_role(membership=Membership.objects.get(user=actor), role=Role.OWNER, by=actor)
    with pytest.raises(PermissionDenied):
        team.remove(membership=mine, by=actor)
    assert AuditEvent.objects.count() == before
    assert Membership.objects.get(user=actor).role == role and not Invitation.objects.exists()


def test_an_unknown_role_is_refused(workspace, owner, member_factory):
    mod = member_factory(Role.MODERATOR)
    with pytest.raises(ValidationError):
        team.change_role(membership=Membership.objects.get(user=mod), role="king", by=owner)


def test_every_team_verb_has_a_label_in_english_and_french():
    for verb in ["member.added", *VERB_LABELS]:
        with translation.override("en"):
            english = AuditEvent(verb=verb).label
        with translation.override("fr"):
            french = AuditEvent(verb=verb).label
        assert english != verb and french not in (verb, english), (verb, english, french)


# --- the Team page ----------------------------------------------------------------------------------


def test_the_owner_adds_changes_and_removes_from_the_team_page(client, workspace, owner, user_factory, mailoutbox):
    dana = user_factory(username="dana")
    client.force_login(owner)
    url = reverse("accounts:team", args=[workspace.slug])
    assert client.post(url, {"who": "dana", "role": Role.MODERATOR}).status_code == 302
    membership = Membership.objects.get(workspace=workspace, user=dana)
    assert membership.role == Role.MODERATOR
    client.post(reverse("accounts:team-member", args=[workspace.slug, membership.pk]), {"role": Role.CLIENT})
    assert Membership.objects.get(pk=membership.pk).role == Role.CLIENT
    client.post(url, {"who": "eve@example.org", "role": Role.ANALYST})
    page = client.get(url).content.decode()
    assert "eve@example.org" in page and "dana" in page
    client.post(reverse("accounts:team-remove", args=[workspace.slug, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:invitation-revoke", args=[workspace.slug, invitation.pk]))
    assert Invitation.objects.get().revoked_at is not None
    assert "eve@example.org" not in client.get(url).content.decode()


def test_the_page_says_why_the_last_owner_stays(client, workspace, owner):
    client.force_login(owner)
    mine = Membership.objects.get(workspace=workspace, user=owner)
    response = client.post(
        reverse("accounts:team-member", args=[workspace.slug, mine.pk]), {"role": Role.CLIENT}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.get(pk=mine.pk).role == Role.OWNER


def test_bad_input_on_the_team_page_is_explained(client, workspace, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:team", args=[workspace.slug]), {"who": "nobody-here", "role": Role.CLIENT})
    assert response.status_code == 422 and "e-mail address to invite" in response.content.decode()
    response = client.post(reverse("accounts:team", args=[workspace.slug]), {"who": "", "role": "king"})
    assert response.status_code == 422


def test_a_member_without_the_right_sees_the_team_but_no_controls(client, workspace, owner, member_factory):
    cm = member_factory(Role.COMMUNITY_MANAGER)
    team.invite(workspace=workspace, email="secret@example.org", role=Role.CLIENT, by=owner, base_url=BASE)
    client.force_login(cm)
    page = client.get(reverse("accounts:team", args=[workspace.slug])).content.decode()
    assert "owner" in page and cm.username in page
    assert '<select name="role"' not in page and "Add or invite" not in page
    assert "secret@example.org" not in page


def test_the_nav_links_to_the_team_and_the_profile(client, workspace, owner):
    client.force_login(owner)
    page = client.get(reverse("core:overview", args=[workspace.slug])).content.decode()
    assert reverse("accounts:team", args=[workspace.slug]) in page and reverse("accounts:profile") in page


# --- the CLI ----------------------------------------------------------------------------------------


def test_the_cli_adds_lists_changes_and_removes(workspace, owner, user_factory, capsys, mailoutbox):
    frank = user_factory(username="frank")
    call_command("members", "add", "frank", "--role", "moderator", "--workspace", workspace.slug)
    call_command("members", "add", "gina@example.org", "--role", "client", "--workspace", workspace.slug)
    assert [m.to for m in mailoutbox] == [["gina@example.org"]]
    call_command("members", "role", "frank", "--role", "analyst", "--workspace", workspace.slug)
    assert Membership.objects.get(workspace=workspace, user=frank).role == Role.ANALYST
    capsys.readouterr()
    call_command("members", "list", "--workspace", workspace.slug)
    listed = capsys.readouterr().out
    assert "frank" in listed and "analyst" in listed and "gina@example.org" in listed
    call_command("members", "remove", "frank", "--workspace", workspace.slug)
    assert not Membership.objects.filter(workspace=workspace, user=frank).exists()
    with pytest.raises(CommandError, match="at least one owner"):
        call_command("members", "remove", "owner", "--workspace", workspace.slug)
    with pytest.raises(CommandError, match="does not allow"):
        call_command(
            "members", "add", "x@example.org", "--role", "owner", "--workspace", workspace.slug, "--as", frank.username
        )


def test_the_cli_is_listed_in_federe_help():
    from federe.config.cli import render_help

    assert "members" in render_help()


def test_the_demo_has_a_pending_invitation(monkeypatch, db):
    from federe.core import demo

    small = [
        (slug, name, [(channels[0][0], channels[0][1], 0.8, 3600, 30, 11)]) for slug, name, channels in demo.WORKSPACES
    ]
    monkeypatch.setattr(demo, "WORKSPACES", small[:1])
    said: list[str] = []
    assert demo.load_demo(say=said.append)
    invitation = Invitation.objects.get()
    assert invitation.email == demo.INVITED and invitation.workspace.slug == small[0][0]
    assert invitation in team.pending(invitation.workspace)
    assert any("/invitation/" in line for line in said)


@pytest.mark.parametrize("change", ["demoted", "removed"])
def test_threads_of_someone_who_can_no_longer_answer_go_back_to_the_team(
    synced, workspace, owner, member_factory, change
):
    from federe.inbox.models import Conversation, ConversationStatus
    from federe.inbox.services import assign

    mod = member_factory(Role.MODERATOR)
    mine, other = Conversation.objects.filter(workspace=workspace).order_by("pk")[:2]
    assign(conversation=mine, assignee=mod, by=owner)
    assign(conversation=other, assignee=owner, by=owner)
    membership = Membership.objects.get(workspace=workspace, user=mod)
    if change == "demoted":
        team.change_role(membership=membership, role=Role.CLIENT, by=owner)
    else:
        team.remove(membership=membership, by=owner)
    mine.refresh_from_db()
    assert mine.assignee_id is None and mine.status == ConversationStatus.NEW
    assert Conversation.objects.get(pk=other.pk).assignee_id == owner.pk
    event = AuditEvent.objects.get(verb="conversation.released")
    assert event.details == {"user": mod.username, "threads": 1}


def test_a_change_between_answering_roles_keeps_the_threads(synced, workspace, owner, member_factory):
    from federe.inbox.models import Conversation
    from federe.inbox.services import assign

    mod = member_factory(Role.MODERATOR)
    mine = Conversation.objects.filter(workspace=workspace).order_by("pk").first()
    assign(conversation=mine, assignee=mod, by=owner)
    team.change_role(membership=Membership.objects.get(user=mod), role=Role.COMMUNITY_MANAGER, by=owner)
    assert Conversation.objects.get(pk=mine.pk).assignee_id == mod.pk
    assert not AuditEvent.objects.filter(verb="conversation.released").exists()


def test_an_accepted_or_withdrawn_invitation_cannot_be_withdrawn_again(client, workspace, owner, mailoutbox):
    """Withdrawing is for pending invitations: an accepted one keeps its record, a withdrawn one its first date."""
    accepted = team.invite(workspace=workspace, email="joined@example.org", role=Role.CLIENT, by=owner, base_url=BASE)
    join = {"username": "joined", "password": "long-enough-pw-42", "password_again": "long-enough-pw-42"}
    assert client.post(_link(mailoutbox[0]), join).status_code == 302
    withdrawn = team.invite(workspace=workspace, email="gone@example.org", role=Role.CLIENT, by=owner, base_url=BASE)
    team.revoke_invitation(invitation=withdrawn, by=owner)
    first_date = Invitation.objects.get(pk=withdrawn.pk).revoked_at
    events = AuditEvent.objects.filter(verb="member.invitation_revoked").count()

    for invitation in (Invitation.objects.get(pk=accepted.pk), Invitation.objects.get(pk=withdrawn.pk)):
        with pytest.raises(ValidationError):
            team.revoke_invitation(invitation=invitation, by=owner)
    assert Invitation.objects.get(pk=accepted.pk).revoked_at is None
    assert Invitation.objects.get(pk=withdrawn.pk).revoked_at == first_date
    assert AuditEvent.objects.filter(verb="member.invitation_revoked").count() == events

    client.force_login(owner)
    url = reverse("accounts:invitation-revoke", args=[workspace.slug, accepted.pk])
    with translation.override("fr"):
        response = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and "déjà été acceptée" in response.content.decode()
