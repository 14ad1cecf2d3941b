"""The shared refresh-token grant (connectors/oauth.py): what it sends, and what it keeps in the credentials."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from federe.connectors import oauth
from federe.connectors.errors import Transient, Unauthorized
from tests.connectors.contract import public_dns

URL = "https://auth.example.org/token"


def grant(tokens: dict, answer: httpx.Response, **options) -> list[httpx.Request]:
    with public_dns("auth.example.org"), respx.mock() as router:
        route = router.post(URL).mock(return_value=answer)
        oauth.refresh(
            tokens,
            url=URL,
            site="auth.example.org",
            refused=lambda a: Unauthorized(f"refused {a.status}"),
            no_token="no token",
            **options,
        )
    return [call.request for call in route.calls]


def test_a_new_refresh_token_is_kept_with_the_access_token_and_its_end_before_the_real_one():
    tokens = {"client_id": "app", "client_secret": "s", "refresh_token": "old"}
    answer = httpx.Response(200, json={"access_token": "a1", "refresh_token": "new", "expires_in": 3600})
    (sent,) = grant(tokens, answer, margin=300)
    form = parse_qs(sent.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["old"],
        "client_id": ["app"],
        "client_secret": ["s"],
    }
    assert tokens["access_token"] == "a1" and tokens["refresh_token"] == "new"
    assert 3290 <= tokens["expires_at"] - time.time() <= 3300


def test_a_confidential_client_authenticates_in_the_header_and_keeps_its_refresh_token_when_none_comes():
    tokens = {"client_id": "app", "client_secret": "s", "refresh_token": "same"}
    (sent,) = grant(tokens, httpx.Response(200, json={"access_token": "a1"}), basic_auth=True)
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(b"app:s").decode()
    assert "client_secret" not in parse_qs(sent.content.decode()) and tokens["refresh_token"] == "same"


def test_a_refusal_is_the_networks_reading_and_an_answer_without_a_token_is_transient():
    with pytest.raises(Unauthorized, match="refused 400"):
        grant({"refresh_token": "dead"}, httpx.Response(400, json={"error": "invalid_grant"}))
    tokens = {"refresh_token": "r"}
    with pytest.raises(Transient, match="no token"):
        grant(tokens, httpx.Response(200, json={"token_type": "bearer"}))
    assert "access_token" not in tokens


def test_an_expired_access_token_is_refreshed_before_use_and_an_expired_one_dropped():
    calls = []
    tokens = {"access_token": "old", "expires_at": int(time.time()) - 1}
    assert (
        oauth.access_token(tokens, lambda: calls.append(tokens.update(access_token="new", expires_at=2**40))) == "new"
    )
    assert oauth.access_token(tokens, lambda: calls.append(1)) == "new" and len(calls) == 1
    oauth.expire(tokens)
    assert "access_token" not in tokens and "expires_at" not in tokens
