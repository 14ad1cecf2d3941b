"""One JSON shape for every API error: {"error": {"code", "message", "field"}}, translated."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from federe.api.v1.schemas import MOMENT_OUT_OF_RANGE, NAIVE_MOMENT
from federe.inbox.services import ReplyAlreadySent


def error_body(code: str, message: str, field: str | None = None) -> dict[str, dict[str, str | None]]:
    return {"error": {"code": code, "message": message, "field": field}}


NUL_ERROR = "nul_character"
# A service's field that the API takes as a header: its errors name the header the client sent.
_HEADER_FIELDS = {"idempotency_key": "Idempotency-Key"}
_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


def _field_of(loc: object) -> str | None:
    """("body", "payload", "name") -> "name"; ("query", "limit") -> "limit".

    Only the leading source and the body parameter's name are dropped, by position: a field may
    itself be called "body" (the reply's text) and must keep its name.
    """
    parts = [str(part) for part in (loc or ())]  # type: ignore[attr-defined]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        if source in ("body", "form") and parts and parts[0] == "payload":
            parts = parts[1:]
    return ".".join(parts) or None


def _message_of(error: dict[str, Any]) -> str:
    """Pydantic's error, in the reader's language: the bound that was crossed, or what was wrong."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == NUL_ERROR:
        return _("Text cannot contain a NUL character (code 0).")
    if kind in ("greater_than_equal", "greater_than"):
        return _("This number must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("This number must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == NAIVE_MOMENT:
        return _("Give the date and time with its UTC offset, for example 2031-01-01T10:00:00+01:00 or …Z.")
    if kind == MOMENT_OUT_OF_RANGE:
        return _("This date is out of range.")
    if kind == "string_too_long":
        limit = int(ctx.get("max_length") or 0)
        return ngettext(
            "This text is too long (at most %(limit)s character).",
            "This text is too long (at most %(limit)s characters).",
            limit,
        ) % {"limit": limit}
    return _("This value is missing or has the wrong type.")


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
        return api.create_response(request, error_body(code, message, field), status=status)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        return respond(request, 422, "invalid", _message_of(first), _field_of(first.get("loc", ())))

    @api.exception_handler(DjangoValidationError)
    def rejected(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.message_dict.items()))
            field = _HEADER_FIELDS.get(field, field)
            return respond(request, 422, "invalid", " ".join(errors), None if field == "__all__" else field)
        return respond(request, 422, "invalid", " ".join(exc.messages))

    @api.exception_handler(ReplyAlreadySent)
    def duplicate_reply(request: HttpRequest, exc: ReplyAlreadySent) -> HttpResponse:
        return respond(request, 409, "duplicate_reply", " ".join(exc.messages), "body")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, "forbidden", str(exc) or _("Your role in this workspace does not allow this."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Raised by Ninja itself, e.g. 400 for a body that is not JSON: same shape as every other error.
        if isinstance(exc.__cause__, NinjaValidationError):  # the parser refused the body (parsing.py)
            return invalid_input(request, exc.__cause__)
        if exc.status_code == 400:
            return respond(request, 400, "bad_request", _("The request body is not valid JSON."))
        return respond(request, exc.status_code, "error", str(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, "unauthorized", _("Send a valid API token: Authorization: Bearer <token>."))

    def not_found(request: HttpRequest, exc: object) -> HttpResponse:  # Http404 or any DoesNotExist
        return respond(request, 404, "not_found", _("Not found in this workspace."))

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
