"""Destructive POSTs carry an explicit confirmation; without it the server refuses and asks again."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def ask_again(request: HttpRequest, *, consequence: str, confirm_label: str, back: str) -> HttpResponse:
    """A 400 that changes nothing: the page says what would happen and offers the same POST, confirmed."""
    fields = [
        (k, v) for k, values in request.POST.lists() if k not in ("csrfmiddlewaretoken", CONFIRM_FIELD) for v in values
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "message": _("Confirm this action first: it cannot be undone."),
            "consequence": consequence,
            "confirm_label": confirm_label,
            "fields": fields,
            "action": request.path,
            "back": back,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
        status=400,
    )
