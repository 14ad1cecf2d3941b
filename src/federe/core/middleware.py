"""Request limits: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 before anything reads it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from federe.core.params import whole_number


class BodySizeLimitMiddleware:
    """Django would raise RequestDataTooBig while reading the body (a 400, or a 500 inside the API); the client
    deserves 413 and, on a page, a message in its language. Fédère takes no file uploads, so the limit counts the
    whole body, multipart too (a future upload view would need its own, larger limit here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = whole_number(request.META.get("CONTENT_LENGTH") or "")
        if limit is not None and length is not None and length > limit:
            return render(request, "core/too_large.html", {"limit": filesizeformat(limit)}, status=413)
        return self.get_response(request)
