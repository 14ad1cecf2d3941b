"""The client approval link: no account, only its post, approve or reject with a comment; expiring, revocable,
rate-limited and audited. Another post's id, an expired or revoked token give the same nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from federe.core.models import AuditEvent
from federe.publishing import approvals, services
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.client_views import RATE
from federe.publishing.models.approvals import ApprovalLink
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(workspace, owner, member_factory):
    from federe.accounts.models import Role

    approvals.save_workflow(workspace, by=owner, required=True, allow_self_approval=False, link_days=7, steps=[])
    channel = ConnectionFactory(workspace=workspace, name="Blog")
    author = member_factory(Role.COMMUNITY_MANAGER)
    made = []
    for text in ("Le lancement de jeudi", "Secret: les soldes de juin"):
        data = PostInput(
            body=text,
            variants=[VariantInput(connection_id=channel.pk)],
            scheduled_at=timezone.now() + timedelta(days=1),
            approval="pending",
        )
        post = services.create_post(workspace, author, data)
        approvals.submit(post, by=author)
        made.append(post)
    return author, made


def link_for(post, author):
    _link, token = approvals.create_link(post, by=author, label="Marie")
    return reverse("publishing:client", args=[post.pk, token]), token


def test_the_client_approves_without_an_account(client, posts):
    author, (post, _other) = posts
    address, _token = link_for(post, author)
    page = client.get(address).content.decode()
    assert "Le lancement de jeudi" in page and "Secret" not in page
    answer = client.post(address, {"verdict": "approve", "comment": "Parfait"})
    assert "you approved this post" in answer.content.decode()
    post.refresh_from_db()
    assert post.approval == "approved"
    decision = post.approval_rounds.get().decisions.get()
    assert (decision.user, decision.comment, decision.link.label) == (None, "Parfait", "Marie")
    verbs = set(AuditEvent.objects.filter(object_id=str(post.pk)).values_list("verb", flat=True))
    assert {"approval.link_created", "approval.link_opened", "approval.approved"} <= verbs
    again = client.post(address, {"verdict": "reject"}).content.decode()
    assert "not awaiting approval" in again
    post.refresh_from_db()
    assert post.approval == "approved"


def test_reject_with_a_comment(client, posts):
    author, (post, _other) = posts
    address, _token = link_for(post, author)
    client.post(address, {"verdict": "reject", "comment": "Pas avant lundi"})
    post.refresh_from_db()
    assert post.approval == "rejected"
    assert post.approval_rounds.get().decisions.get().comment == "Pas avant lundi"


def test_another_posts_id_gives_nothing(client, posts):
    author, (post, other) = posts
    _address, token = link_for(post, author)
    foreign = reverse("publishing:client", args=[other.pk, token])
    for answer in (client.get(foreign), client.post(foreign, {"verdict": "approve"})):
        assert answer.status_code == 404
        assert "Secret" not in answer.content.decode() and "lancement" not in answer.content.decode()
    other.refresh_from_db()
    assert other.approval == "pending"
    media = reverse("publishing:client-image", args=[other.pk, token, 1])
    assert client.get(media).status_code == 404


def test_a_wrong_expired_or_revoked_token_gives_the_same_page(client, posts):
    author, (post, _other) = posts
    address, token = link_for(post, author)
    wrong = reverse("publishing:client", args=[post.pk, token[:-2] + "xx"])
    assert client.get(wrong).status_code == 404
    ApprovalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(address).status_code == 404
    address, _token = link_for(post, author)
    approvals.revoke_link(ApprovalLink.objects.latest("id"), by=author)
    gone = client.post(address, {"verdict": "approve"})
    assert gone.status_code == 404 and "This link does not work" in gone.content.decode()
    post.refresh_from_db()
    assert post.approval == "pending"


def test_the_token_is_stored_hashed(posts):
    author, (post, _other) = posts
    _address, token = link_for(post, author)
    stored = ApprovalLink.objects.get()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert not AuditEvent.objects.filter(details__icontains=token).exists()


def test_an_address_that_asks_too_often_is_slowed_down(client, posts):
    cache.clear()
    author, (post, _other) = posts
    address, _token = link_for(post, author)
    answers = [client.get(address).status_code for _ in range(RATE + 1)]
    assert answers[:RATE] == [200] * RATE and answers[RATE] == 429


def test_the_team_creates_and_revokes_links_from_the_post_page(client, owner, posts):
    author, (post, _other) = posts
    client.force_login(author)
    page = client.post(reverse("publishing:link-create", args=["acme", post.pk]), {"label": "Marie"})
    body = page.content.decode()
    assert page.status_code == 200 and f"/approve/{post.pk}/" in body
    link = ApprovalLink.objects.get()
    assert link.token_hash not in body
    client.post(reverse("publishing:link-revoke", args=["acme", post.pk, link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_the_limit_is_counted_for_every_process_together(posts):
    author, (post, _other) = posts
    address, _token = link_for(post, author)
    answers = []
    for _ in range(RATE + 1):
        cache.clear()  # two processes share no memory: what one counted there, the other never sees
        answers.append(Client(REMOTE_ADDR="203.0.113.9").get(address).status_code)  # a fresh client each time
    assert answers[:RATE] == [200] * RATE and answers[RATE] == 429
    assert Client(REMOTE_ADDR="203.0.113.10").get(address).status_code == 200  # another address counts apart
