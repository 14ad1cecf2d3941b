from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from federe.accounts.services import authenticate_token
from federe.core.requests import ApiRequest


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fed_…``: a personal token for one user in one workspace."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        typed = cast(ApiRequest, request)  # what the endpoints see: the token's user and workspace
        typed.user = api_token.user
        typed.workspace = api_token.workspace
        return api_token
