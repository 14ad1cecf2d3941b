"""Writing posts: create, edit, reschedule, cancel, delete, retry. Every change to a post reaches its pending
deliveries in the same transaction, so a stale schedule never fires: a worker holding one of them finds its claim
gone (``sending.start_sending`` moves only the rows its token still holds)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.core import audit
from federe.publishing import approvals, queueing
from federe.publishing.checks import PAST_GRACE, PostInput, VariantInput, check_post, to_utc, workspace_zone
from federe.publishing.models import Approval, Delivery, DeliveryState, Post, PostStatus, Variant
from federe.publishing.models.deliveries import PENDING_STATES
from federe.publishing.recurrence import occurrence_at
from federe.publishing.status import refresh

VARIANT_FIELDS = ("title", "body_html", "body_text", "content_warning", "visibility", "language", "options")
#: A delivery in one of these states has (or may have) reached the network: its variant no longer changes.
STARTED = (DeliveryState.SENDING, DeliveryState.SENT, DeliveryState.OUTCOME_UNKNOWN)


def _require(user: Any, workspace: Workspace) -> None:
    """The role must allow publishing; ``None`` is the operator at the command line (``federe posts``)."""
    if user is not None:
        require(user, workspace, Perm.PUBLISH)


def _variant_values(variant: VariantInput) -> dict[str, Any]:
    return {name: getattr(variant, name) for name in VARIANT_FIELDS}


MAX_CLIENT_KEY_LENGTH = 255


def create_post(
    workspace: Workspace, user: Any, data: PostInput, *, client_key: str = "", client_digest: str = ""
) -> Post:
    """A new post (a draft without ``scheduled_at``). With a ``client_key`` (the API's Idempotency-Key), the same
    key and the same request (``client_digest``) give back the post made the first time and create nothing; the
    same key with another request is refused."""
    _require(user, workspace)
    if len(client_key) > MAX_CLIENT_KEY_LENGTH or not client_key.isprintable():
        raise ValidationError({"idempotency_key": _("An idempotency key is at most 255 printable characters.")})
    if not client_key:
        return _create(workspace, user, data)
    earlier = _earlier(workspace, user, client_key, client_digest)
    if earlier is not None:
        return earlier
    try:
        return _create(workspace, user, data, client_key=client_key, client_digest=client_digest)
    except IntegrityError:  # the same key at the same moment: the other request made it
        earlier = _earlier(workspace, user, client_key, client_digest)
        if earlier is None:
            raise
        return earlier


def _earlier(workspace: Workspace, user: Any, client_key: str, client_digest: str) -> Post | None:
    earlier = Post.objects.filter(workspace=workspace, author=user, client_key=client_key).first()
    if earlier is not None and earlier.client_digest != client_digest:
        raise ValidationError({"idempotency_key": _("This idempotency key was already used for another request.")})
    return earlier


@transaction.atomic
def _create(workspace: Workspace, user: Any, data: PostInput, *, client_key: str = "", client_digest: str = "") -> Post:
    _place_in_queue(workspace, data)
    channels = check_post(workspace, data)
    post = Post.objects.create(
        workspace=workspace,
        author=user if getattr(user, "is_authenticated", False) else None,
        title=data.title,
        body=data.body,
        scheduled_at=data.scheduled_at,
        status=PostStatus.SCHEDULED if data.scheduled_at else PostStatus.DRAFT,
        approval=data.approval or approvals.initial_state(workspace),  # never NOT_REQUIRED where approval is asked
        recurrence=data.recurrence,
        recurrence_until=data.recurrence_until,
        client_key=client_key,
        client_digest=client_digest,
    )
    for variant in data.variants:
        Variant.objects.create(
            workspace=workspace, post=post, connection=channels[variant.connection_id], **_variant_values(variant)
        )
    if post.scheduled_at:
        _schedule(post)
    audit.record("post.created", workspace=workspace, actor=user, target=post, details={"channels": sorted(channels)})
    return post


def _place_in_queue(workspace: Workspace, data: PostInput, post: Post | None = None) -> None:
    """A post added to the queue takes the next slot free on every chosen channel (in the caller's transaction, so
    two posts queued at once do not take the same slot)."""
    if not data.queue:
        return
    if data.scheduled_at is not None:
        raise ValidationError({"queue": [_("Either add the post to the queue or give it a time, not both.")]})
    ids = [variant.connection_id for variant in data.variants]
    data.scheduled_at = queueing.queue_time(workspace, ids, exclude_post=post.pk if post else None)


def _schedule(post: Post) -> None:
    """Every variant gets its delivery, due at the post's time; cancelled ones that never went out come back."""
    assert post.scheduled_at is not None
    due = post.scheduled_at
    existing = {d.variant_id: d for d in Delivery.objects.filter(post=post, occurrence=0)}
    for variant in post.variants.all():
        delivery = existing.get(variant.pk)
        if delivery is None:
            Delivery.objects.create(
                workspace_id=post.workspace_id,
                post=post,
                variant=variant,
                connection_id=variant.connection_id,
                due_at=due,
                next_attempt_at=due,
            )
        elif delivery.state in PENDING_STATES or (delivery.state == DeliveryState.CANCELLED and not delivery.key):
            Delivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.SCHEDULED,
                due_at=due,
                next_attempt_at=due,
                claim_token="",
                claimed_until=None,
                last_error="",
                updated_at=timezone.now(),
            )


def _retime_occurrences(post: Post) -> None:
    """Pending later occurrences follow the post's schedule as it now is, or go when it no longer repeats."""
    assert post.scheduled_at is not None
    zone = workspace_zone(post.workspace)
    for delivery in Delivery.objects.filter(post=post, occurrence__gt=0, state__in=PENDING_STATES):
        due = occurrence_at(post.scheduled_at, post.recurrence, delivery.occurrence, zone) if post.recurrence else None
        if due is None or (post.recurrence_until is not None and due > post.recurrence_until):
            _cancel_pending(post, _("The post no longer repeats then."), [delivery.variant_id], delivery.occurrence)
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.SCHEDULED, due_at=due, next_attempt_at=due, claim_token="", claimed_until=None
            )


def _locked(post: Post) -> dict[int, Delivery]:
    """The post's first-occurrence deliveries by variant, locked against a worker's claim (PostgreSQL; SQLite's
    write transaction already excludes the worker)."""
    rows = Delivery.objects.select_for_update().filter(post=post, occurrence=0)
    return {delivery.variant_id: delivery for delivery in rows}


def _cancel_pending(
    post: Post, reason: str, variant_ids: list[int] | None = None, occurrence: int | None = None
) -> int:
    rows = Delivery.objects.filter(post=post, state__in=(*PENDING_STATES, DeliveryState.FAILED))
    if variant_ids is not None:
        rows = rows.filter(variant_id__in=variant_ids)
    if occurrence is not None:
        rows = rows.filter(occurrence=occurrence)
    cancelled = rows.update(
        state=DeliveryState.CANCELLED,
        next_attempt_at=None,
        claim_token="",
        claimed_until=None,
        last_error=reason,
        updated_at=timezone.now(),
    )
    # An unknown outcome stays unknown (it may be on the network) but is no longer pursued.
    Delivery.objects.filter(post=post, state=DeliveryState.OUTCOME_UNKNOWN).filter(
        **({"variant_id__in": variant_ids} if variant_ids is not None else {})
    ).update(next_attempt_at=None)
    return cancelled


def _editable(post: Post) -> None:
    if post.deleted_at is not None:
        raise ValidationError(_("This post was deleted."))
    if post.status == PostStatus.CANCELLED:
        raise ValidationError(_("This post was cancelled: write a new one."))


@transaction.atomic
def update_post(post: Post, user: Any, data: PostInput) -> Post:
    """Edit, reschedule or unschedule (``scheduled_at`` None: back to draft). Channels already sent to keep
    what they got; changing their text is refused."""
    _require(user, post.workspace)
    post = Post.objects.select_for_update().get(pk=post.pk)
    _editable(post)
    _place_in_queue(post.workspace, data, post)
    channels = check_post(post.workspace, data)
    deliveries = _locked(post)
    variants = {v.connection_id: v for v in post.variants.all()}
    _refuse_started_changes(data, variants, deliveries, channels)
    removed = [v.pk for cid, v in variants.items() if cid not in channels]
    _cancel_pending(post, _("The channel was taken off the post."), removed)
    # A channel taken off before anything was tried there goes with its delivery; one that was tried keeps both
    # (cancelled) in the ledger.
    Variant.objects.filter(pk__in=removed).exclude(deliveries__key__gt="").delete()
    for variant in data.variants:
        values = _variant_values(variant)
        if variant.connection_id in variants:
            Variant.objects.filter(pk=variants[variant.connection_id].pk).update(**values)
        else:
            Variant.objects.create(
                workspace=post.workspace, post=post, connection=channels[variant.connection_id], **values
            )
    changed = _changed_fields(post, data)
    for name in changed:
        setattr(post, name, getattr(data, name))
    post.status = _intent_status(post)
    post.save()
    if post.scheduled_at and post.status != PostStatus.EXPIRED:
        _schedule(post)
        _retime_occurrences(post)
    else:
        _cancel_pending(post, _("The post was taken off the schedule."))
    refresh([post.pk])
    audit.record("post.updated", workspace=post.workspace, actor=user, target=post, details={"changed": changed})
    return post


def _changed_fields(post: Post, data: PostInput) -> list[str]:
    names = ["title", "body", "scheduled_at", "recurrence", "recurrence_until"]
    if data.approval is not None:  # None keeps the approval as it is
        names.append("approval")
    return [name for name in names if getattr(post, name) != getattr(data, name)]


def _intent_status(post: Post) -> str:
    if post.status == PostStatus.EXPIRED and post.approval == Approval.EXPIRED:
        return PostStatus.EXPIRED
    return PostStatus.SCHEDULED if post.scheduled_at else PostStatus.DRAFT


def _refuse_started_changes(
    data: PostInput, variants: dict[int, Variant], deliveries: dict[int, Delivery], channels: dict[int, Connection]
) -> None:
    started = {cid for cid, v in variants.items() if v.pk in deliveries and deliveries[v.pk].state in STARTED}
    wanted = {variant.connection_id: variant for variant in data.variants}
    problems = []
    for cid in started:
        old = variants[cid]
        new = wanted.get(cid)
        if new is None or any(getattr(old, name) != value for name, value in _variant_values(new).items()):
            name = channels[cid].name if cid in channels else old.connection.name
            problems.append(
                _("%(channel)s already has this post (or may have it): it can no longer change there.")
                % {"channel": name}
            )
    if problems:
        raise ValidationError({"variants": problems})


#: Statuses a post may be moved from: nothing of it went out yet.
MOVABLE = (PostStatus.SCHEDULED,)


def may_move(post: Post) -> bool:
    """A scheduled post, none of whose channels has it yet (a published one stays where it went out)."""
    return post.deleted_at is None and post.status in MOVABLE and post.approval != Approval.EXPIRED


@transaction.atomic
def reschedule_post(post: Post, user: Any, when: datetime) -> Post:
    """Move a scheduled post to ``when`` (aware, or naive on the workspace's clock); its pending deliveries and
    later occurrences follow in the same transaction. Refused in words: a published (or publishing) post, a time in
    the past. The texts are unchanged, so an approval given stays (the API's edit does the same)."""
    _require(user, post.workspace)
    post = Post.objects.select_for_update().get(pk=post.pk)
    _editable(post)
    deliveries = _locked(post)
    if not may_move(post) or any(d.state in STARTED or d.state == DeliveryState.SENT for d in deliveries.values()):
        raise ValidationError(_("This post has already gone out (or is going out): it cannot move."))
    try:
        new_time = to_utc(when, post.workspace)
    except (OverflowError, ValueError) as exc:
        raise ValidationError(_("This date is out of range.")) from exc
    if new_time < timezone.now() - PAST_GRACE:
        raise ValidationError(_("This time is in the past: choose a time to come."))
    if new_time == post.scheduled_at:
        return post
    post.scheduled_at = new_time
    post.save(update_fields=["scheduled_at", "updated_at"])
    _schedule(post)
    _retime_occurrences(post)
    refresh([post.pk])
    audit.record(
        "post.rescheduled",
        workspace=post.workspace,
        actor=user,
        target=post,
        details={"changed": ["scheduled_at"]},
    )
    return post


@transaction.atomic
def cancel_post(post: Post, user: Any) -> Post:
    """Nothing more goes out; what was already published stays on the networks."""
    _require(user, post.workspace)
    post = Post.objects.select_for_update().get(pk=post.pk)
    _locked(post)
    if post.status != PostStatus.CANCELLED:
        count = _cancel_pending(post, _("The post was cancelled."))
        post.status = PostStatus.CANCELLED
        post.save(update_fields=["status", "updated_at"])
        audit.record("post.cancelled", workspace=post.workspace, actor=user, target=post, details={"count": count})
    return post


@transaction.atomic
def delete_post(post: Post, user: Any) -> None:
    """Cancelled and hidden; its ledger stays (what was sent, where)."""
    _require(user, post.workspace)
    post = Post.objects.select_for_update().get(pk=post.pk)
    _locked(post)
    if post.deleted_at is None:
        _cancel_pending(post, _("The post was deleted."))
        post.status, post.deleted_at = PostStatus.CANCELLED, timezone.now()
        post.save(update_fields=["status", "deleted_at", "updated_at"])
        audit.record("post.deleted", workspace=post.workspace, actor=user, target=post)


@transaction.atomic
def retry_failed(post: Post, user: Any) -> int:
    """Send again the channels that failed, and only them."""
    _require(user, post.workspace)
    post = Post.objects.select_for_update().get(pk=post.pk)
    _editable(post)
    _locked(post)
    now = timezone.now()
    count = Delivery.objects.filter(post=post, state=DeliveryState.FAILED).update(
        state=DeliveryState.SCHEDULED, next_attempt_at=now, last_error="", updated_at=now
    )
    if count:
        post.status = PostStatus.PUBLISHING
        post.save(update_fields=["status", "updated_at"])
        refresh([post.pk])
        audit.record("delivery.retried", workspace=post.workspace, actor=user, target=post, details={"count": count})
    return count


@transaction.atomic
def settle_unknown(delivery: Delivery, user: Any, *, published: bool, url: str = "") -> Delivery:
    """A person looked on the network: it is there (sent), or it is not (sent again, with the same key)."""
    _require(user, delivery.post.workspace)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != DeliveryState.OUTCOME_UNKNOWN:
        raise ValidationError(_("This publication's outcome is already known."))
    now = timezone.now()
    if published:
        delivery.state, delivery.sent_at, delivery.url, delivery.next_attempt_at = DeliveryState.SENT, now, url, None
    else:
        delivery.state, delivery.next_attempt_at = DeliveryState.SCHEDULED, now
    delivery.uncertain, delivery.last_error = False, ""
    delivery.save()
    refresh([delivery.post_id])
    audit.record(
        "delivery.resolved",
        workspace=delivery.workspace_id,
        actor=user,
        target=delivery.post,
        details={"delivery": delivery.pk, "published": published},
    )
    return delivery
