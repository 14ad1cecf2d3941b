"""From a mention to work: handing a mention's thread to a teammate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.listening.models import Mention


def escalate(*, mention: Mention, by: Any, assignee: Any, note: str = "") -> Any:
    """Hand a mention to a teammate: its thread is assigned to them (back to "to do" if it was closed), they get
    an e-mail in their own language, and the audit log keeps the note."""
    from federe.inbox import services as inbox
    from federe.inbox.models import ConversationStatus

    conversation = mention.message.conversation
    require(by, mention.workspace, Perm.ASSIGN)
    inbox.assign(conversation=conversation, assignee=assignee, by=by, email_assignee=False)  # e-mailed below
    if conversation.status == ConversationStatus.CLOSED:
        inbox.set_status(conversation=conversation, status=ConversationStatus.ASSIGNED, by=by)
    audit.record(
        "listening.escalated",
        workspace=mention.workspace,
        actor=by,
        target=conversation,
        details={"query": mention.query.name, "to": assignee.get_username(), "note": note[:500]},
    )
    if assignee.email and assignee.notify_assignments:
        with translation.override(getattr(assignee, "language", "") or settings.LANGUAGE_CODE):
            subject = _("[%(ws)s] A mention for you: %(query)s") % {
                "ws": mention.workspace.name,
                "query": mention.query.name,
            }
            body = "\n\n".join(
                part
                for part in (
                    _("%(user)s asks you to look at this mention.") % {"user": by.get_username()},
                    note,
                    mention.message.body_text[:1000],
                    mention.message.url,
                )
                if part
            )
        send_mail(subject, body, None, [assignee.email], fail_silently=True)
    return conversation
