"""Typed requests for views: what the middleware adds to Django's HttpRequest."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from federe.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind @login_required, with django-htmx's details."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
