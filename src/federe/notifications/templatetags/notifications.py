from __future__ import annotations

from typing import Any

from django import template

from federe.notifications import services
from federe.notifications.models import Notification
from federe.notifications.words import describe

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    """The unread count of the top bar's bell, for the page's workspace."""
    request, workspace = context.get("request"), context.get("workspace")
    if request is None or workspace is None or not request.user.is_authenticated:
        return 0
    return services.unread_count(request.user, workspace)


@register.filter
def in_words(notification: Notification) -> str:
    return describe(notification)
