from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from federe.accounts.services import authenticate_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fed_…``: a personal token for one user in one workspace."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.workspace = api_token.workspace  # type: ignore[attr-defined]
        return api_token
