"""What rules do besides a verdict: assign the conversation now, e-mail the moderators after the commit."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import ROLE_PERMS, Perm
from federe.accounts.queries import members_of, members_who_can
from federe.connections.models import Connection
from federe.core import audit
from federe.inbox.models import Conversation, ConversationStatus
from federe.moderation.models import Decision, SideAction
from federe.notifications.models import Kind
from federe.notifications.services import notify
from federe.webhooks import announce as webhooks_announce


def apply_side_actions(connection: Connection, decisions: list[Decision]) -> None:
    """Assignments happen now; notices are e-mailed after the page's transaction commits."""
    members = {m.user.get_username(): m.user for m in members_who_can(connection.workspace, Perm.REPLY)}
    handed: dict[int, tuple[Conversation, Decision]] = {}  # the threads whose assignee changed, and why
    for decision in decisions:
        conversation = decision.message.conversation
        if decision.action == SideAction.ASSIGN and decision.detail in members:
            if conversation.assignee_id != members[decision.detail].pk:
                handed[conversation.pk] = (conversation, decision)
            conversation.assignee = members[decision.detail]
            if conversation.status == ConversationStatus.NEW:
                conversation.status = ConversationStatus.ASSIGNED
            conversation.save(update_fields=["assignee", "status", "updated_at"])
            audit.record(
                "conversation.assigned",
                workspace=connection.workspace,
                actor_label=f"rule:{decision.by}",
                target=conversation,
                details={"assignee": decision.detail, "message": decision.message_id},
            )
    for conversation, decision in handed.values():
        _announce_assignment(conversation, decision)
    notices = [d.pk for d in decisions if d.action == SideAction.NOTIFY]
    if notices:
        transaction.on_commit(partial(notify_moderators, notices))


def _announce_assignment(conversation: Conversation, decision: Decision) -> None:
    """Like a teammate's assignment: the thread.assigned event, and the assignee notified (the rule named)."""
    webhooks_announce.thread_assigned(conversation, None)
    rule = decision.rule_version.rule.name if decision.rule_version is not None else ""
    notify(
        [conversation.assignee],
        Kind.ASSIGNED,
        workspace=conversation.workspace,
        conversation=conversation,
        params={"rule": rule} if rule else {},
    )


def notify_moderators(decision_ids: list[int]) -> int:
    """E-mail the workspace's moderators (in their language) about messages a rule flagged."""
    decisions = list(Decision.objects.filter(pk__in=decision_ids).select_related("message__connection", "workspace"))
    if not decisions:
        return 0
    workspace = decisions[0].workspace
    sent = 0
    for membership in members_of(workspace):
        user = membership.user
        if not user.email or not user.notify_reviews or Perm.MODERATE not in ROLE_PERMS[membership.role]:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = ngettext(
                "[%(workspace)s] %(n)d message to review", "[%(workspace)s] %(n)d messages to review", len(decisions)
            ) % {
                "workspace": workspace.name,
                "n": len(decisions),
            }
            lines = [
                f"- {d.message.connection.name}: {d.message.body_text[:200]}\n  {'; '.join(d.reason_texts)} ({d.by})"
                for d in decisions
            ]
            body = _("A rule flagged these messages:") + "\n\n" + "\n".join(lines)
        send_mail(subject, body, None, [user.email], fail_silently=True)
        sent += 1
    return sent
