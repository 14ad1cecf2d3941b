"""Telling a post's author, by e-mail in their language, what happened to it: a channel refused it for good, its
outcome needs a person's check, or it was not approved in time. Only to an author who has not turned these e-mails
off (``User.notify_publishing``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from federe.accounts.profile import wants
from federe.publishing.models import Delivery, Post

FAILED = "failed"
UNKNOWN = "unknown"
EXPIRED = "expired"


def notify_author(post_id: int, kind: str, delivery_id: int | None = None) -> bool:
    """E-mail the author (after the commit; never raises into the worker). Returns whether a message went out."""
    post = Post.objects.select_related("author", "workspace").filter(pk=post_id).first()
    if post is None or post.author is None or not wants(post.author, "notify_publishing"):
        return False
    delivery = Delivery.objects.select_related("connection").filter(pk=delivery_id).first() if delivery_id else None
    with translation.override(post.author.language or settings.LANGUAGE_CODE):
        subject, body = _words(post, kind, delivery)
    try:
        send_mail(f"[{post.workspace.name}] {subject}", body, None, [post.author.email])
    except Exception:  # an SMTP failure must not stop publishing; the post's page shows the same state
        return False
    return True


def _words(post: Post, kind: str, delivery: Delivery | None) -> tuple[str, str]:
    channel = delivery.connection.name if delivery else ""
    values = {"post": str(post), "channel": channel, "error": delivery.last_error if delivery else ""}
    if kind == EXPIRED:
        return (
            _("Post not published: not approved in time"),
            _("“%(post)s” reached its publication time before it was approved, so it was not published.") % values
            + "\n"
            + _("Approve it and choose a new time to publish it."),
        )
    if kind == UNKNOWN:
        return (
            _("Post on %(channel)s: please check the network") % values,
            _(
                "We cannot tell whether “%(post)s” was published on %(channel)s, and this network gives no way to"
                " check it, so it will not be sent again by itself: %(error)s"
            )
            % values
            + "\n"
            + _("Look on the network, then mark it as published or send it again."),
        )
    return (
        _("Post not published on %(channel)s") % values,
        _("“%(post)s” could not be published on %(channel)s: %(error)s") % values
        + "\n"
        + _("Fix the problem, then retry: only this channel will be sent again."),
    )
