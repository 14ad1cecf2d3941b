"""A service's refusal (ValidationError or PermissionDenied) as words for people: pages, commands and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


def error_text(exc: ValidationError | PermissionDenied) -> str:
    """The refusal as one sentence (a ValidationError's messages joined; PermissionDenied's own text)."""
    return " ".join(getattr(exc, "messages", [str(exc)]))
