"""E-mails of the approval workflow, each in its reader's language: approvers asked, the author told the outcome;
only to those who have not turned publishing e-mails off (``User.notify_publishing``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from federe.accounts.models import User
from federe.accounts.profile import wants
from federe.publishing.models.approvals import ApprovalRound, RoundState


def _post_address(round_: ApprovalRound) -> str:
    path = reverse("publishing:post", args=[round_.post.workspace.slug, round_.post_id])
    return settings.FEDERE_BASE_URL.rstrip("/") + path


def _send(user: Any, subject: Any, lines: list[str]) -> None:
    if wants(user, "notify_publishing"):
        send_mail(str(subject), "\n\n".join(lines), None, [user.email], fail_silently=True)


def ask_approvers(round_id: int) -> int:
    """Each approver of the round's current step gets an e-mail; returns how many were written."""
    from federe.publishing.approvals import approvers_of

    round_ = ApprovalRound.objects.select_related("post", "post__workspace").filter(pk=round_id).first()
    if round_ is None or round_.state != RoundState.OPEN:
        return 0
    users = User.objects.filter(pk__in=approvers_of(round_), notify_publishing=True)
    if round_.post.author_id is not None:  # the author is never asked
        users = users.exclude(pk=round_.post.author_id)
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("[%(ws)s] A post awaits your approval") % {"ws": round_.post.workspace.name}
            _send(user, subject, [str(round_.post), _post_address(round_)])
    return len(users)


def tell_author(round_id: int) -> bool:
    """The post's author learns that it was approved, rejected or expired unapproved."""
    round_ = ApprovalRound.objects.select_related("post", "post__workspace", "post__author").filter(pk=round_id).first()
    author = round_.post.author if round_ is not None else None
    if round_ is None or author is None:
        return False
    comments = [d.comment for d in round_.decisions.all() if d.comment]
    with translation.override(author.language or settings.LANGUAGE_CODE):
        subject = _("[%(ws)s] Your post: %(state)s") % {
            "ws": round_.post.workspace.name,
            "state": RoundState(round_.state).label,
        }
        _send(author, subject, [str(round_.post), *comments, _post_address(round_)])
    return True
