"""The delivery ledger on the dummy network: sent once, never stale, never re-sent blind."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from federe.connections.runtime import connector_for
from federe.connectors.base import Connector
from federe.connectors.dummy.connector import DummyConnector
from federe.publishing import ledger
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Approval, Delivery, DeliveryState, PostStatus
from federe.publishing.sending import publish_due, start_sending
from federe.publishing.services import delete_post, retry_failed, update_post
from tests.publishing.conftest import network_lines

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_due_post_goes_out_once_on_each_channel(make_post, publish_log):
    post = make_post()
    counts = publish_due()
    assert counts["sent"] == 2
    assert publish_due()["claimed"] == 0
    deliveries = list(Delivery.objects.filter(post=post))
    assert {d.state for d in deliveries} == {DeliveryState.SENT}
    assert all(d.external_id == f"post-{d.key}" and d.sent_at for d in deliveries)
    assert sorted(line["key"] for line in network_lines(publish_log)) == sorted(d.key for d in deliveries)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_two_claims_never_share_a_delivery(make_post):
    for _ in range(5):
        make_post()
    first_token, first = ledger.claim_due(limit=6)
    second_token, second = ledger.claim_due(limit=6)
    assert len(first) == 6 and len(second) == 4
    assert not set(first) & set(second)
    assert first_token != second_token


def test_the_key_is_stable_across_attempts(make_post, channels):
    post = make_post(on=channels[:1])
    channels[0].config["fail_publish"] = "timeout"
    channels[0].save()
    publish_due()
    delivery = Delivery.objects.get(post=post)
    first_key = delivery.key
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    publish_due()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.key == first_key != ""


def test_a_rescheduled_post_never_fires_at_its_old_time(make_post, owner, channels, publish_log):
    post = make_post()
    later = timezone.now() + timedelta(hours=2)
    data = PostInput(body=post.body, scheduled_at=later, variants=[VariantInput(connection_id=c.pk) for c in channels])
    update_post(post, owner, data)
    assert publish_due()["claimed"] == 0
    assert network_lines(publish_log) == []
    assert set(Delivery.objects.filter(post=post).values_list("due_at", flat=True)) == {later}


def test_a_deleted_post_never_fires(make_post, owner, publish_log):
    post = make_post()
    delete_post(post, owner)
    assert publish_due()["claimed"] == 0
    assert network_lines(publish_log) == []
    assert set(Delivery.objects.filter(post=post).values_list("state", flat=True)) == {DeliveryState.CANCELLED}


def test_an_edit_after_the_claim_takes_the_claim_back(make_post, owner, channels, publish_log):
    post = make_post()
    token, ids = ledger.claim_due()
    assert len(ids) == 2
    later = timezone.now() + timedelta(hours=1)
    data = PostInput(body="Corrigé", scheduled_at=later, variants=[VariantInput(connection_id=c.pk) for c in channels])
    update_post(post, owner, data)
    assert start_sending(token) == []
    assert network_lines(publish_log) == []
    assert set(Delivery.objects.filter(post=post).values_list("state", flat=True)) == {DeliveryState.SCHEDULED}


def _crash_after_the_call(post_channels_log):
    """What a worker killed between the network's answer and the commit leaves: the post on the network, the
    delivery still 'sending', its lease then run out."""
    token, _ids = ledger.claim_due()
    jobs = start_sending(token)
    for job in jobs:
        connector_for(job.delivery.connection).publish(job.outgoing)
    Delivery.objects.filter(state=DeliveryState.SENDING).update(claimed_until=timezone.now() - timedelta(seconds=1))
    return jobs


def test_a_crash_after_the_call_is_resolved_by_looking_not_by_sending(make_post, publish_log):
    post = make_post()
    _crash_after_the_call(post)
    released, unknown = ledger.recover()
    assert (released, unknown) == (0, 2)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.OUTCOME_UNKNOWN}
    publish_due()
    assert len(network_lines(publish_log)) == 2  # found on the network: not sent again
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_a_crash_before_the_call_sends_after_looking(make_post, publish_log):
    make_post()
    token, _ids = ledger.claim_due()
    start_sending(token)
    Delivery.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    ledger.recover()
    publish_due()
    assert len(network_lines(publish_log)) == 2  # not found on the network: sent, once
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_an_unknown_outcome_on_a_network_that_cannot_be_searched_waits_for_a_person(
    make_post, publish_log, monkeypatch, owner
):
    monkeypatch.setattr(DummyConnector, "find_published", Connector.find_published)
    owner.email = "owner@example.org"
    owner.save()
    make_post()
    _crash_after_the_call(None)
    ledger.recover()
    publish_due()
    assert len(network_lines(publish_log)) == 2  # nothing re-sent blind
    rows = Delivery.objects.all()
    assert {d.state for d in rows} == {DeliveryState.OUTCOME_UNKNOWN}
    assert all(d.next_attempt_at is None for d in rows)
    assert len(mail.outbox) == 2 and "check" in mail.outbox[0].body


def test_an_idempotent_network_gets_the_same_key_again(make_post, publish_log, monkeypatch):
    monkeypatch.setattr(DummyConnector, "publish_is_idempotent", True)
    make_post()
    jobs = _crash_after_the_call(None)
    ledger.recover()
    publish_due()
    keys = [line["key"] for line in network_lines(publish_log)]
    # the dummy network does not deduplicate: both calls reached it, with one key (a real idempotent one keeps one)
    assert sorted(keys) == sorted([job.outgoing.idempotency_key for job in jobs] * 2)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_transient_errors_back_off_and_honour_retry_after(make_post, channels):
    channels[0].config["fail_publish"] = "rate_limit"
    channels[0].save()
    post = make_post(on=channels[:1])
    before = timezone.now()
    publish_due()
    delivery = Delivery.objects.get(post=post)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error == "The network asked us to slow down (HTTP 429)."
    assert delivery.next_attempt_at - before >= timedelta(seconds=120)  # the dummy's Retry-After


def test_a_permanent_error_stops_and_tells_the_author(make_post, channels, owner):
    owner.email = "owner@example.org"
    owner.save()
    channels[0].config["fail_publish"] = "malformed_response"
    channels[0].save()
    post = make_post()
    publish_due()
    failed = Delivery.objects.get(post=post, connection=channels[0])
    assert failed.state == DeliveryState.FAILED and failed.next_attempt_at is None
    post.refresh_from_db()
    assert post.status == PostStatus.PARTIAL
    assert len(mail.outbox) == 1 and channels[0].name in mail.outbox[0].subject


def test_an_author_who_turned_publishing_emails_off_gets_none(make_post, channels, owner):
    owner.email, owner.notify_publishing = "owner@example.org", False
    owner.save()
    channels[0].config["fail_publish"] = "malformed_response"
    channels[0].save()
    make_post()
    publish_due()
    assert Delivery.objects.filter(connection=channels[0], state=DeliveryState.FAILED).exists()
    assert mail.outbox == []
    unapproved = make_post(approval=Approval.PENDING)
    publish_due()
    unapproved.refresh_from_db()
    assert unapproved.status == PostStatus.EXPIRED and mail.outbox == []


def test_a_retry_sends_only_the_channels_that_failed(make_post, channels, owner, publish_log):
    channels[0].config["fail_publish"] = "malformed_response"
    channels[0].save()
    post = make_post()
    publish_due()
    assert len(network_lines(publish_log)) == 1
    channels[0].config.pop("fail_publish")
    channels[0].save()
    assert retry_failed(post, owner) == 1
    publish_due()
    keys = [line["key"] for line in network_lines(publish_log)]
    assert len(keys) == 2 and len(set(keys)) == 2
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_unapproved_at_its_time_is_not_sent_and_expires(make_post, owner, publish_log):
    owner.email = "owner@example.org"
    owner.save()
    post = make_post(approval=Approval.PENDING)
    publish_due()
    assert network_lines(publish_log) == []
    post.refresh_from_db()
    assert (post.approval, post.status) == (Approval.EXPIRED, PostStatus.EXPIRED)
    assert set(Delivery.objects.filter(post=post).values_list("state", flat=True)) == {DeliveryState.CANCELLED}
    assert len(mail.outbox) == 1 and "approved" in mail.outbox[0].subject


def test_an_approved_post_goes_out(make_post, publish_log):
    make_post(approval=Approval.APPROVED)
    publish_due()
    assert len(network_lines(publish_log)) == 2


def test_a_round_longer_than_its_lease_renews_it_and_sends_only_its_own(make_post, publish_log, monkeypatch, settings):
    settings.FEDERE_PUBLISH_LEASE_SECONDS = 1
    make_post(), make_post()  # four deliveries, 0.4 s each: the round lasts longer than its lease
    seen: list[tuple[int, int]] = []
    publish = DummyConnector.publish

    def slow(self, post):
        time.sleep(0.4)
        seen.append(ledger.recover())  # another worker looking for abandoned deliveries
        return publish(self, post)

    monkeypatch.setattr(DummyConnector, "publish", slow)
    assert publish_due()["sent"] == 4
    assert seen == [(0, 0)] * 4  # none was taken for abandoned
    assert len(network_lines(publish_log)) == 4


def test_a_round_never_calls_for_a_delivery_taken_back_from_it(make_post, publish_log, monkeypatch, settings):
    settings.FEDERE_PUBLISH_LEASE_SECONDS = 1
    make_post(), make_post()
    publish = DummyConnector.publish

    def slow_then_stolen(self, post):
        time.sleep(0.6)  # past half the lease: the next call renews it first
        others = Delivery.objects.filter(state=DeliveryState.SENDING).exclude(key=post.idempotency_key)
        others.update(claim_token="", state=DeliveryState.OUTCOME_UNKNOWN)  # as ledger.recover would
        return publish(self, post)

    monkeypatch.setattr(DummyConnector, "publish", slow_then_stolen)
    publish_due()
    assert len(network_lines(publish_log)) == 1  # the three others were no longer this round's
