"""Login throttling on top of django-axes (settings.AXES_*; docs/operations.md, "Log-in throttling").

Two locks:

* per user name and address (axes itself): ``AXES_FAILURE_LIMIT`` failures lock that pair for the cool-off;
* per user name across addresses (here): ``FEDERE_LOGIN_USER_FAILURE_LIMIT`` failures within the cool-off lock
  the user name for every address the user has never logged in from. Addresses they did log in from stay open,
  so an attacker spraying passwords from many addresses cannot lock the real user out; the lock ends a
  cool-off after the last failure.

Which address counts: ``REMOTE_ADDR``, unless ``FEDERE_TRUSTED_PROXIES`` says how many reverse proxies in front
of Fédère append to ``X-Forwarded-For``; then the address the outermost trusted proxy saw.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the trusted proxies (if any) saw it; a header we cannot trust is ignored."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "FEDERE_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LoginThrottle(AxesDatabaseHandler):
    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or self.user_name_locked(request, credentials)

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        """Axes marks the pair lock on the request; the user name lock is marked the same way (the lockout page)."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not request.axes_locked_out and self.user_name_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def user_name_locked(self, request: Any, credentials: dict[str, Any] | None) -> bool:
        limit = int(getattr(settings, "FEDERE_LOGIN_USER_FAILURE_LIMIT", 0) or 0)
        username = get_client_username(request, credentials)
        if not limit or not username:
            return False
        recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
        failures = recent.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if failures < limit:
            return False
        return not AccessLog.objects.filter(username=username, ip_address=request.axes_ip_address).exists()
