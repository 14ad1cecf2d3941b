"""Content-Security-Policy: every response says where scripts, styles and requests may come from.

Only this server: no inline script or style without the response's nonce (``request.csp_nonce``), no inline
event handlers, no ``eval``, no plug-ins, no ``<base>``, and no framing. Templates therefore load behaviour
from static files (``static/federe/*.js``) and style from classes; tests/core/test_csp.py checks the templates.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def policy(nonce: str) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        # data: images only: the API docs' stylesheet draws its icons with them.
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Give each request a fresh nonce and each response the policy (unless a view set its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy(nonce)
        return response
