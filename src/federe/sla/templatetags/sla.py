"""The inbox's SLA words: ``{{ conversation|sla_left }}`` and ``{{ conversation|sla_overdue }}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from federe.sla.models import ThreadClock
from federe.sla.words import left_words

register = template.Library()


def _clock(conversation: Any) -> ThreadClock | None:
    try:
        return conversation.sla_clock
    except ObjectDoesNotExist:
        return None


@register.filter
def sla_left(conversation: Any) -> str:
    return left_words(_clock(conversation), timezone.now())


@register.filter
def sla_overdue(conversation: Any) -> bool:
    clock = _clock(conversation)
    return clock is not None and clock.due_at is not None and clock.due_at < timezone.now()
