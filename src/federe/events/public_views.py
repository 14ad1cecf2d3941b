"""The public registration page: no account, the event's unguessable address (``Event.public_id``), in the
visitor's language (French or English, from the browser or the language switch). Each network block (an IPv6 /64,
an IPv4 address: ``ratelimit.network_block``) may post ``RATE`` times per ``WINDOW`` seconds, and register at most
``EVENT_RATE`` times per hour for one event, so that one network cannot fill the seats (429, in words). The answer
is the same whether or not the address was registered (``services.page_answer``). A draft event or a wrong address
is the same 404; bad input gets the form back with its errors (422), never a 500."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from federe.accounts.throttling import client_address
from federe.core import ratelimit
from federe.core.pages import add_errors
from federe.events import queries, services
from federe.events.forms import RegisterForm
from federe.events.models import Event

RATE, WINDOW = 20, 600
EVENT_RATE, EVENT_WINDOW = 10, 3600


def _page(request: HttpRequest, event: Event, form: RegisterForm, status: int, **extra: object) -> HttpResponse:
    context = {"event": event, "form": form, "open": services.open_for_registration(event), **extra}
    return render(request, "events/register.html", context, status=status)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, public_id: str) -> HttpResponse:
    event = queries.public(public_id)
    if event is None:
        return render(request, "events/register_dead.html", {"status": 404}, status=404)
    if request.method != "POST":
        return _page(request, event, RegisterForm(), 200)
    block = ratelimit.network_block(client_address(request))
    if ratelimit.hit("event-register", block, RATE, WINDOW):
        return render(request, "events/register_dead.html", {"status": 429}, status=429)
    form = RegisterForm(request.POST)
    if not form.is_valid():
        return _page(request, event, form, 422)
    if ratelimit.hit("event-register-seats", f"{event.pk}:{block}", EVENT_RATE, EVENT_WINDOW):
        return render(request, "events/register_dead.html", {"status": 429, "this_event": True}, status=429)
    try:
        done = services.register_on_page(
            event=event,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            consent=form.cleaned_data["consent"],
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return _page(request, event, form, 422)
    return _page(request, event, RegisterForm(), 200, done=done.registration, answer=services.page_answer(event, done))
