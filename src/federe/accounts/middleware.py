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
        if not (preferred and not chosen):
            return self._in_zone(request, user if signed_in else None)
        # The reader's language holds for this request only: the thread goes back to the one it had.
        with translation.override(preferred):
            request.LANGUAGE_CODE = preferred
            response = self._in_zone(request, user)
        response.headers.setdefault("Content-Language", preferred)  # LocaleMiddleware would name the thread's
        return response

    def _in_zone(self, request: HttpRequest, user: object) -> HttpResponse:
        zone = getattr(user, "timezone", "") if user is not None else ""
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
