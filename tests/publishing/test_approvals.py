"""The approval workflow: steps in order, any or all, nobody approves their own post unless allowed, an edit asks
again, and a post still unapproved at its time does not go out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from federe.accounts.models import Role
from federe.core.models import AuditEvent
from federe.publishing import approvals, services
from federe.publishing.approvals import StepSpec
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, DeliveryState, Post
from federe.publishing.models.approvals import ApprovalRound, RoundState
from federe.publishing.sending import publish_due
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(workspace, owner, member_factory):
    cm = member_factory(Role.COMMUNITY_MANAGER)
    boss = member_factory(Role.COMMUNITY_MANAGER)
    client = member_factory(Role.CLIENT)
    for key, user in (("cm", cm), ("boss", boss), ("client", client)):
        user.email = f"{key}@example.org"
        user.save()
    return {"owner": owner, "cm": cm, "boss": boss, "client": client}


@pytest.fixture
def channel(workspace):
    return ConnectionFactory(workspace=workspace, name="Blog")


def workflow(workspace, owner, *steps, allow_self=False):
    return approvals.save_workflow(
        workspace, by=owner, required=True, allow_self_approval=allow_self, link_days=7, steps=list(steps)
    )


def write(workspace, author, channel, *, text="Bonjour à tous", when=None):
    data = PostInput(
        body=text,
        variants=[VariantInput(connection_id=channel.pk)],
        scheduled_at=when or timezone.now() + timedelta(hours=2),
        approval=approvals.initial_state(workspace),
    )
    post = services.create_post(workspace, author, data)
    approvals.submit(post, by=author)
    post.refresh_from_db()
    return post


def test_any_step_then_all_step_in_order(workspace, team, channel, django_capture_on_commit_callbacks):
    ids = {k: u.pk for k, u in team.items()}
    workflow(
        workspace,
        team["owner"],
        StepSpec("Team", "any", (ids["boss"], ids["owner"])),
        StepSpec("Client", "all", (ids["client"], ids["owner"])),
    )
    with django_capture_on_commit_callbacks(execute=True):
        post = write(workspace, team["cm"], channel)
    assert post.approval == "pending"
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.org"]  # owner has no address; author not asked
    with pytest.raises(PermissionDenied, match="not an approver"):
        approvals.decide(post, by=team["client"], verdict="approve")
    approvals.decide(post, by=team["boss"], verdict="approve")
    post.refresh_from_db()
    assert post.approval == "pending" and approvals.open_round(post).step_index == 1
    approvals.decide(post, by=team["client"], verdict="approve", comment="ok pour moi")
    post.refresh_from_db()
    assert post.approval == "pending"  # "all": the owner too
    with pytest.raises(PermissionDenied, match="already decided"):
        approvals.decide(post, by=team["client"], verdict="approve")
    approvals.decide(post, by=team["owner"], verdict="approve")
    post.refresh_from_db()
    assert post.approval == "approved"
    verbs = list(AuditEvent.objects.filter(verb__startswith="approval.").values_list("verb", flat=True))
    assert verbs.count("approval.approved") == 3 and "approval.submitted" in verbs


def test_nobody_approves_their_own_post_unless_the_workspace_allows(workspace, team, channel):
    workflow(workspace, team["owner"], StepSpec("Team", "any", (team["cm"].pk,)))
    post = write(workspace, team["cm"], channel)
    assert not approvals.may_decide(post, team["cm"])
    with pytest.raises(PermissionDenied, match="own post"):
        approvals.decide(post, by=team["cm"], verdict="approve")
    workflow(workspace, team["owner"], StepSpec("Team", "any", (team["cm"].pk,)), allow_self=True)
    post = write(workspace, team["cm"], channel, text="Deuxième")
    approvals.decide(post, by=team["cm"], verdict="approve")
    post.refresh_from_db()
    assert post.approval == "approved"


def test_all_mode_skips_the_author_when_self_approval_is_off(workspace, team, channel):
    workflow(workspace, team["owner"], StepSpec("Both", "all", (team["cm"].pk, team["boss"].pk)))
    post = write(workspace, team["cm"], channel)
    approvals.decide(post, by=team["boss"], verdict="approve")
    post.refresh_from_db()
    assert post.approval == "approved"


def test_one_rejection_rejects_and_the_author_is_told(workspace, team, channel, django_capture_on_commit_callbacks):
    team["cm"].language = "fr"
    team["cm"].save()
    workflow(workspace, team["owner"], StepSpec("Team", "all", (team["boss"].pk, team["owner"].pk)))
    post = write(workspace, team["cm"], channel)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approvals.decide(post, by=team["boss"], verdict="reject", comment="Trop long")
    post.refresh_from_db()
    assert post.approval == "rejected"
    assert [m.to for m in mail.outbox] == [["cm@example.org"]]
    assert "Trop long" in mail.outbox[0].body and "refusée" in mail.outbox[0].subject
    with pytest.raises(ValidationError, match="not awaiting approval"):
        approvals.decide(post, by=team["owner"], verdict="approve")


def test_without_steps_an_owner_or_manager_other_than_the_author_approves(workspace, team, channel):
    workflow(workspace, team["owner"])
    post = write(workspace, team["cm"], channel)
    with pytest.raises(PermissionDenied):
        approvals.decide(post, by=team["client"], verdict="approve")
    approvals.decide(post, by=team["boss"], verdict="approve")
    post.refresh_from_db()
    assert post.approval == "approved"


def test_editing_an_approved_post_asks_for_approval_again(workspace, team, channel):
    workflow(workspace, team["owner"], StepSpec("Team", "any", (team["boss"].pk,)))
    post = write(workspace, team["cm"], channel)
    approvals.decide(post, by=team["boss"], verdict="approve")
    first = ApprovalRound.objects.get(post=post)
    post.refresh_from_db()
    approvals.content_changed(post, by=team["cm"])
    post.refresh_from_db()
    first.refresh_from_db()
    assert post.approval == "pending" and first.state == RoundState.APPROVED
    assert approvals.open_round(post).pk != first.pk


def test_an_unapproved_post_does_not_go_out_at_its_time(workspace, team, channel, monkeypatch):
    workflow(workspace, team["owner"], StepSpec("Team", "any", (team["boss"].pk,)))
    post = write(workspace, team["cm"], channel, when=timezone.now() + timedelta(minutes=1))
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    publish_due()
    post.refresh_from_db()
    assert post.approval == "expired"
    assert not Delivery.objects.filter(post=post, state=DeliveryState.SENT).exists()
    assert not approvals.awaits_decision(post)
    with pytest.raises(ValidationError):
        approvals.decide(post, by=team["boss"], verdict="approve")


def test_an_approved_post_goes_out_at_its_time(workspace, team, channel, monkeypatch):
    workflow(workspace, team["owner"], StepSpec("Team", "any", (team["boss"].pk,)))
    post = write(workspace, team["cm"], channel, when=timezone.now() + timedelta(minutes=1))
    approvals.decide(post, by=team["boss"], verdict="approve")
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    publish_due()
    assert Delivery.objects.get(post=post).state == DeliveryState.SENT


def test_a_workspace_without_approval_asks_for_none(workspace, team, channel):
    post = write(workspace, team["cm"], channel)
    assert post.approval == "not_required" and approvals.open_round(post) is None
    assert Post.objects.get(pk=post.pk).approval == "not_required"


def test_the_workflow_is_the_owners_and_its_approvers_are_members(workspace, team, other_workspace):
    with pytest.raises(PermissionDenied):
        approvals.save_workflow(
            workspace, by=team["cm"], required=True, allow_self_approval=False, link_days=7, steps=[]
        )
    stranger = other_workspace[1]
    with pytest.raises(ValidationError, match="members"):
        workflow(workspace, team["owner"], StepSpec("X", "any", (stranger.pk,)))
    with pytest.raises(ValidationError, match="at least one approver"):
        workflow(workspace, team["owner"], StepSpec("X", "any", ()))


def test_approvers_and_authors_who_turned_publishing_emails_off_get_none(
    workspace, team, channel, django_capture_on_commit_callbacks
):
    team["boss"].notify_publishing = False
    team["boss"].save()
    team["cm"].notify_publishing = False
    team["cm"].save()
    workflow(workspace, team["owner"], StepSpec("Team", "all", (team["boss"].pk, team["client"].pk)))
    with django_capture_on_commit_callbacks(execute=True):
        post = write(workspace, team["cm"], channel)
    assert [m.to for m in mail.outbox] == [["client@example.org"]]  # boss turned them off
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approvals.decide(post, by=team["boss"], verdict="reject", comment="Trop long")
    post.refresh_from_db()
    assert post.approval == "rejected" and mail.outbox == []  # the author turned them off
