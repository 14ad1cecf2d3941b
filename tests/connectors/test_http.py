"""The HTTP layer every connector shares: status → error family, Retry-After, network failures, options, dates."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from django.utils import translation

from federe.connectors import http
from federe.connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.values import int_setting, parse_utc
from federe.core import netsafe


def answer(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> http.Answer:
    return netsafe.FetchResult(status=status, body=body, headers=httpx.Headers(headers or {}), url="https://x.example")


@pytest.mark.parametrize(
    ("status", "family"),
    [
        (301, Permanent),
        (400, Permanent),
        (401, Unauthorized),
        (403, Unauthorized),
        (404, Permanent),
        (410, Permanent),
        (429, RateLimited),
        (500, Transient),
        (503, Transient),
    ],
)
def test_each_status_has_one_family(status, family):
    error = http.status_error(answer(status), http.StatusWords(), site="https://x.example")
    assert type(error) is family and "https://x.example" in error.message


@pytest.mark.parametrize("status", [200, 201, 204, 304])
def test_success_and_not_modified_are_no_error(status):
    assert http.status_error(answer(status), http.StatusWords(), site="s") is None


def test_refusals_without_credentials_are_permanent():
    error = http.status_error(answer(403), http.StatusWords(login=False), site="s")
    assert type(error) is Permanent and error.status == 403


def test_the_networks_own_words_and_detail():
    words = http.StatusWords(server_error="Blog down (HTTP %(status)s)%(detail)s.")
    error = http.status_error(answer(502), words, site="s", detail="Bad gateway")
    assert error.message == "Blog down (HTTP 502): Bad gateway."


def test_retry_after_in_seconds_as_a_date_or_as_mastodons_reset_time():
    assert http.status_error(answer(429, {"Retry-After": "120"}), http.StatusWords(), site="s").retry_after == 120
    later = "Wed, 21 Oct 2037 07:28:00 GMT"
    assert http.status_error(answer(429, {"Retry-After": later}), http.StatusWords(), site="s").retry_after > 3600
    reset = {"X-RateLimit-Reset": "2037-10-21T07:28:00.000Z"}
    assert http.status_error(answer(429, reset), http.StatusWords(), site="s").retry_after > 3600
    assert http.status_error(answer(429), http.StatusWords(), site="s").retry_after is None


def test_redirects_say_where_to():
    error = http.status_error(answer(301, {"Location": "https://new.example/"}), http.StatusWords(), site="s")
    assert error.message == "s redirects to https://new.example/: use that address instead."


def test_default_words_are_translated():
    with translation.override("fr"):
        error = http.status_error(answer(503), http.StatusWords(), site="https://x.example")
    assert error.message == "https://x.example a eu une erreur interne (HTTP 503) ; nous réessaierons."


@pytest.mark.parametrize(
    ("code", "family"),
    [("address", Permanent), ("tls", Permanent), ("too_large", Permanent), ("timeout", Transient), ("dns", Transient)],
)
def test_network_failures_map_to_the_family(code, family):
    assert type(http.net_error(netsafe.NetError("words", code=code))) is family
    assert type(http.net_error(netsafe.NetRefused("words"))) is Permanent


def test_json_or_not_json():
    assert http.json_of(answer(200, body=b'{"a": 1}'), site="s") == {"a": 1}
    page = answer(200, {"Content-Type": "text/html; charset=utf-8"}, b"<html>")
    with pytest.raises(http.NotJson, match=r"s answered with something that is not JSON \(HTTP 200, text/html\)"):
        http.json_of(page, site="s")


def test_basic_auth_header():
    assert http.basic_auth("brand", "abcd efgh") == {"Authorization": "Basic YnJhbmQ6YWJjZCBlZmdo"}


def test_int_setting_clamps_and_falls_back():
    assert int_setting({"n": "50"}, "n", 10, 1, 40) == 40
    assert int_setting({"n": -3}, "n", 10, 1, 40) == 1
    assert int_setting({"n": "lots"}, "n", 10, 1, 40) == 10
    assert int_setting({"n": float("inf")}, "n", 10, 1, 40) == 10
    assert int_setting({}, "n", 10, 1, 40) == 10


def test_parse_utc():
    assert parse_utc("2026-11-23T12:31:19") == datetime(2026, 11, 23, 12, 31, 19, tzinfo=UTC)
    assert parse_utc("2026-11-23T13:31:19+01:00") == datetime(2026, 11, 23, 12, 31, 19, tzinfo=UTC)
    assert parse_utc("2026-11-23T09:30:12.345Z") == datetime(2026, 11, 23, 9, 30, 12, 345000, tzinfo=UTC)
    assert parse_utc("0000-00-00T00:00:00") is None
    assert parse_utc("yesterday") is None and parse_utc(None) is None and parse_utc("") is None


def test_raw_content_is_sent_as_given(dns):
    """An image or a multipart form goes out byte for byte, with the caller's Content-Type."""
    import respx

    with respx.mock() as router:
        route = router.post("https://www.example.org/upload").respond(200, json={"ok": True})
        got = http.request(
            "POST", "https://www.example.org/upload", headers={"Content-Type": "image/png"}, content=b"\x89PNG\x00"
        )
    assert got.status == 200
    sent = route.calls.last.request
    assert sent.content == b"\x89PNG\x00" and sent.headers["Content-Type"] == "image/png"


def test_a_network_without_its_own_idempotency_key_finds_nothing_by_default():
    """find_published is None unless the connector looks for the delivery's marker on its network."""
    from federe.connectors import registry
    from federe.connectors.types import OutgoingPost

    connector = registry.build("dummy", config={}, credentials={})
    assert connector.find_published(OutgoingPost("<p>x</p>", idempotency_key="k")) is None
