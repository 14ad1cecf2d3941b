"""SSRF-safe fetching: every non-public address class is refused, the allow-list works, DNS answers are pinned,
redirects are re-checked, sizes and time are capped; against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import ssl
from collections.abc import Iterator

import httpcore
import pytest
from django.utils import translation

from federe.core import netsafe
from federe.core.netsafe import NetError, NetRefused, address_problem, addresses, check_url, fetch_url, transport
from tests.connectors.rss.conftest import FeedServer, Route, endless, huge_feed, silent

LOOPBACK_ONLY = ["127.0.0.0/8", "::1/128"]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    started = FeedServer()
    started.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def other_server() -> Iterator[FeedServer]:
    started = FeedServer()
    started.start()
    try:
        yield started
    finally:
        started.stop()


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Resolve the given names to the given addresses (in order of calls when a list of lists), log each lookup."""
    asked: list[str] = []
    real = addresses._resolve

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        if host in answers:
            value = answers[host]
            return list(value.pop(0)) if value and isinstance(value[0], list) else list(value)
        return real(host, port)

    monkeypatch.setattr(addresses, "_resolve", resolve)
    return asked


# -- the address classes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("169.254.0.1", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - the address under test
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("100.64.0.1", "shared"),  # carrier-grade NAT
        ("100.127.255.254", "shared"),
        ("192.0.2.10", "private"),  # documentation range: not public either
        ("198.18.0.1", "private"),  # benchmarking
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "private"),  # documentation
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:100.64.0.1", "shared"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::", "link-local"),  # 6to4 of 169.254.169.254
    ],
)
def test_non_public_addresses_are_classified(address, problem):
    assert address_problem(ipaddress.ip_address(address)) == problem


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "1.1.1.1"])
def test_public_addresses_pass(address):
    assert address_problem(ipaddress.ip_address(address)) == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://0x7f.1/",  # hexadecimal spelling of 127.0.0.1
        "http://0x7f000001/",
        "http://2130706433/",  # decimal
        "http://017700000001/",  # octal
        "http://127.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://0/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://100.64.1.1/",
        "https://192.168.0.1:8443/feed",
    ],
)
def test_non_public_hosts_and_their_odd_spellings_are_refused(url):
    with pytest.raises(NetRefused) as caught:
        check_url(url, allow_private=False, allow_hosts=[])
    assert caught.value.code == "address"
    assert "FEDERE_NET_ALLOW_HOSTS" in caught.value.message


def test_a_name_is_refused_when_any_of_its_addresses_is_private(monkeypatch):
    fake_dns(monkeypatch, {"mixed.example": ["93.184.216.34", "10.1.2.3"]})
    with pytest.raises(NetRefused) as caught:
        check_url("https://mixed.example/feed", allow_private=False, allow_hosts=[])
    assert "10.1.2.3" in caught.value.message


def test_a_public_name_passes_and_keeps_every_address(monkeypatch):
    fake_dns(monkeypatch, {"public.example": ["93.184.216.34", "2606:2800:220:1::1"]})
    target = check_url("https://public.example/feed", allow_private=False, allow_hosts=[])
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1::1") and target.port == 443


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/feed", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://example.org/", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://user:secret@example.org/feed", "credentials"),
        ("http://user@example.org/feed", "credentials"),
        ("http:///nohost", "invalid"),
    ],
)
def test_schemes_credentials_and_hostless_addresses_are_refused_before_any_lookup(monkeypatch, url, code):
    asked = fake_dns(monkeypatch, {})
    with pytest.raises(NetRefused) as caught:
        check_url(url)
    assert caught.value.code == code and asked == []


def test_dns_failure_is_a_plain_error(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(addresses.socket, "getaddrinfo", fail)
    with pytest.raises(NetError) as caught:
        check_url("https://no-such-host.example/")
    assert caught.value.code == "dns" and not isinstance(caught.value, NetRefused)


# -- the allow-list -----------------------------------------------------------------------------------------------


def test_test_settings_allow_loopback_only():
    assert check_url("http://127.0.0.1:8080/").addresses == ("127.0.0.1",)
    assert check_url("http://[::1]:8080/").addresses == ("::1",)
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://192.168.1.1/", "http://[fd00::1]/"):
        with pytest.raises(NetRefused):
            check_url(url)


def test_settings_are_read_at_call_time(settings):
    settings.FEDERE_NET_ALLOW_HOSTS = []
    with pytest.raises(NetRefused):
        check_url("http://127.0.0.1/")
    settings.FEDERE_NET_ALLOW_PRIVATE = True
    assert check_url("http://10.0.0.1/").addresses == ("10.0.0.1",)


def test_allow_list_by_cidr_host_name_and_suffix(monkeypatch):
    fake_dns(monkeypatch, {"wiki.corp.example": ["10.20.0.5"], "intranet": ["192.168.3.3"]})
    assert check_url("http://10.1.2.3/", allow_private=False, allow_hosts=["10.1.0.0/16"])
    with pytest.raises(NetRefused):
        check_url("http://10.2.0.1/", allow_private=False, allow_hosts=["10.1.0.0/16"])
    assert check_url("http://wiki.corp.example/", allow_private=False, allow_hosts=[".corp.example"])
    assert check_url("http://intranet/", allow_private=False, allow_hosts=["intranet"])
    with pytest.raises(NetRefused):
        check_url("http://intranet/", allow_private=False, allow_hosts=["intranet.example"])
    # A CIDR of IPv4 covers its IPv4-mapped IPv6 spelling too.
    assert check_url("http://[::ffff:10.1.0.9]/", allow_private=False, allow_hosts=["10.1.0.0/16"])
    assert check_url("http://[fd00::5]/", allow_private=False, allow_hosts=["fd00::/8"])


# -- DNS rebinding: the connection goes to the address that was checked --------------------------------------------


def test_the_checked_address_is_pinned_against_dns_rebinding(monkeypatch, server):
    # First answer: the (allowed) test server. Any later answer: the metadata service. A client that resolved
    # the name again to connect would reach the second one.
    asked = fake_dns(monkeypatch, {"rebind.test": [["127.0.0.1"], ["169.254.169.254"], ["169.254.169.254"]]})
    server.serve("/feed", b"<rss/>")
    port = server.httpd.server_address[1]
    result = fetch_url(f"http://rebind.test:{port}/feed", allow_hosts=LOOPBACK_ONLY, allow_private=False)
    assert result.status == 200 and result.body == b"<rss/>"
    assert asked == ["rebind.test"]  # resolved once, by us
    assert server.requests[-1][1]["Host"] == f"rebind.test:{port}"  # the name is kept for the server (and SNI)


def test_the_backend_never_connects_to_an_unchecked_host():
    backend = transport._PinnedBackend()
    with pytest.raises(httpcore.ConnectError):
        backend.connect_tcp("unchecked.example", 80)
    with pytest.raises(httpcore.ConnectError):
        backend.connect_unix_socket("/var/run/docker.sock")


# -- redirects ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://0x0a000001/",
        "http://192.168.0.1:8080/admin",
    ],
)
def test_redirects_to_private_addresses_are_refused(server, target):
    url = server.redirect("/go", target)
    with pytest.raises(NetRefused) as caught:
        fetch_url(url)
    assert caught.value.code == "address" and "redirected" in caught.value.message


def test_redirects_to_other_schemes_are_refused(server):
    url = server.redirect("/go", "file:///etc/passwd")
    with pytest.raises(NetRefused) as caught:
        fetch_url(url)
    assert caught.value.code == "scheme"


def test_relative_redirects_are_followed_and_recorded(server):
    server.serve("/final", b"ok")
    server.redirect("/b", "/final", status=308)
    url = server.redirect("/a", "b", status=301)
    result = fetch_url(url)
    assert result.body == b"ok" and result.url == server.url("/final")
    assert result.redirects == (server.url("/b"), server.url("/final"))


def test_at_most_five_redirects(server):
    for n in range(7):
        server.redirect(f"/r{n}", f"/r{n + 1}")
    server.serve("/r7", b"too far")
    with pytest.raises(NetError) as caught:
        fetch_url(server.url("/r0"))
    assert caught.value.code == "redirects"
    server.serve("/r5", b"five hops")
    assert fetch_url(server.url("/r0")).body == b"five hops"


def test_credentials_do_not_follow_a_redirect_to_another_origin(server, other_server):
    other_server.serve("/landing", b"ok")
    url = server.redirect("/go", other_server.url("/landing"))
    fetch_url(url, headers={"Authorization": "Bearer secret-token"})
    assert server.requests[-1][1].get("Authorization") == "Bearer secret-token"
    assert "Authorization" not in other_server.requests[-1][1]


# -- limits -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("declare_length", [True, False])
def test_the_size_cap_stops_reading(server, declare_length):
    server.routes["/big"] = Route(body=huge_feed(10_000_000, declare_length=declare_length))
    with pytest.raises(NetError) as caught:
        fetch_url(server.url("/big"), max_bytes=5_000_000)
    assert caught.value.code == "too_large" and "5 MB" in caught.value.message


def test_a_compressed_bomb_is_capped_on_its_decompressed_size(server):
    bomb = gzip.compress(b"\0" * 20_000_000)
    server.serve("/zip", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(NetError) as caught:
        fetch_url(server.url("/zip"), max_bytes=1_000_000)
    assert caught.value.code == "too_large"


def test_compressed_answers_are_decoded(server):
    server.serve("/zip", gzip.compress(b"<rss>hello</rss>"), headers={"Content-Encoding": "gzip"})
    assert fetch_url(server.url("/zip")).body == b"<rss>hello</rss>"


def test_an_endless_answer_is_cut_by_the_total_deadline(server):
    server.routes["/endless"] = Route(body=endless)
    with pytest.raises(NetError) as caught:
        fetch_url(server.url("/endless"), timeout=0.5, total_deadline=1)
    assert caught.value.code == "deadline" and "cut" in caught.value.message


def test_a_silent_server_times_out(server):
    server.routes["/silent"] = Route(body=silent)
    with pytest.raises(NetError) as caught:
        fetch_url(server.url("/silent"), timeout=0.5, total_deadline=5)
    assert caught.value.code == "timeout"


def test_a_closed_port_is_unreachable():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(NetError) as caught:
        fetch_url(f"http://127.0.0.1:{port}/")
    assert caught.value.code == "unreachable" and caught.value.retryable


# -- conditional GET ----------------------------------------------------------------------------------------------


def test_etag_and_last_modified_give_not_modified(server):
    stamp = "Mon, 23 Nov 2026 10:00:00 GMT"
    server.serve("/feed", b"<rss/>", etag='"abc"', last_modified=stamp)
    first = fetch_url(server.url("/feed"))
    assert first.status == 200 and first.etag == '"abc"' and first.last_modified == stamp and not first.not_modified
    second = fetch_url(server.url("/feed"), etag=first.etag)
    assert second.status == 304 and second.not_modified and second.body == b""
    third = fetch_url(server.url("/feed"), last_modified=first.last_modified)
    assert third.not_modified
    assert server.requests[-2][1]["If-None-Match"] == '"abc"'
    assert server.requests[-1][1]["If-Modified-Since"] == stamp


def test_the_answer_carries_status_headers_charset_and_user_agent(server):
    server.serve("/x", b"gone", content_type="text/xml; charset=ISO-8859-1")
    server.routes["/x"].status = 410
    result = fetch_url(server.url("/x"), user_agent="Federe-test/1")
    assert result.status == 410 and result.charset == "iso-8859-1" and result.content_type == "text/xml"
    assert server.requests[-1][1]["User-Agent"] == "Federe-test/1"


def test_retry_after_in_seconds_http_date_and_iso():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert netsafe.retry_after_seconds("30") == 30
    assert netsafe.retry_after_seconds("Mon, 23 Nov 2026 10:01:00 GMT", now) == 60
    assert netsafe.retry_after_seconds("2026-11-23T10:05:00.000Z", now) == 300
    assert netsafe.retry_after_seconds("Mon, 23 Nov 2026 09:00:00 GMT", now) == 0  # already past
    assert netsafe.retry_after_seconds("soon") is None and netsafe.retry_after_seconds(None) is None


# -- no network call inside a database transaction -------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_inside_a_transaction_is_refused_in_tests():
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a database transaction"):
        netsafe.request("GET", "http://127.0.0.1:9/never")


@pytest.mark.django_db
def test_outside_a_transaction_the_request_goes_on(settings):
    # Port 9 (discard) on loopback: nothing listens, so the request fails on the network, not on the guard.
    with translation.override("en"), pytest.raises(netsafe.NetError, match="Cannot reach"):
        netsafe.request("GET", "http://127.0.0.1:9/never", timeout=2)


@pytest.mark.django_db
def test_in_production_it_is_logged_not_refused(settings, caplog):
    from django.db import transaction

    settings.FEDERE_NET_FORBID_IN_TRANSACTION = False
    with transaction.atomic(), pytest.raises(netsafe.NetError):
        netsafe.request("GET", "http://127.0.0.1:9/never", timeout=2)
    assert "inside a database transaction" in caplog.text


def test_a_refused_certificate_is_said_in_words_for_any_server_in_both_languages():
    refused = ssl.SSLCertVerificationError(1, "certificate verify failed: certificate has expired")
    refused.verify_message = "certificate has expired"
    with translation.override("fr"):
        said = netsafe.tls_refused(refused, "news.example.org:563")
    assert said == "La connexion sécurisée (TLS) à news.example.org:563 a échoué : son certificat a expiré."
    wrong_protocol = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert "does not speak TLS on this port" in netsafe.tls_refused(wrong_protocol, "irc.example.org:6697")
