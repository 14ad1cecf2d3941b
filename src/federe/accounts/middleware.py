"""Use the language a user chose in their profile, unless this browser chose one with the switch; and their
timezone for every date and time shown."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        preferred = getattr(user, "language", "") if signed_in else ""
        if preferred and not chosen:
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        zone = getattr(user, "timezone", "") if signed_in else ""
        if not zone:
            return self.get_response(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return self.get_response(request)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
