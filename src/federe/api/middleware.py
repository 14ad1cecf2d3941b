"""Every answer under /api/ is JSON: Django's own 404, 405, 413 and 500 pages become the API's error shape."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from federe.api.v1.errors import error_body

API_PREFIX = "/api/"


def _code_and_message(response: HttpResponse) -> tuple[str, str]:
    status = response.status_code
    if status == 404:
        return "not_found", _("Not found in this workspace.")
    if status == 405:
        allowed = response.get("Allow", "")
        return "method_not_allowed", _("This method is not allowed here; allowed: %(allowed)s.") % {"allowed": allowed}
    if status == 413:
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        return "too_large", _("The request body is too large: at most %(limit)s.") % {"limit": limit}
    if status >= 500:
        return "server_error", _("Something went wrong on our side; it is logged. Try again later.")
    if status == 400:
        return "bad_request", _("The request could not be read.")
    return "error", _("The request could not be handled (HTTP %(status)s).") % {"status": status}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _code_and_message(response)
            shaped = JsonResponse(error_body(code, message), status=response.status_code)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
