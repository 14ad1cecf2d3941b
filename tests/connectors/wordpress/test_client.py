"""The WordPress client and connector against respx: error mapping, check, reply and moderation. No network."""

from __future__ import annotations

import http.server
import json
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import translation

from federe.connectors import registry
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.types import ActionKind, ModerationAction, OutgoingReply
from federe.connectors.wordpress.client import NO_RIGHTS, NOT_WORDPRESS, REFUSED_LOGIN
from tests.connectors.wordpress.conftest import by_status, load

SITE = "https://blog.example.org"
API = f"{SITE}/wp-json"


def connector(**config):
    return registry.build(
        "wordpress",
        config={"site_url": SITE, **config},
        credentials={"username": "brand", "app_password": "abcd efgh ijkl mnop qrst uvwx"},
    )


@pytest.fixture
def wp(dns):
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        yield mock


def answer(status, name=None, **kwargs):
    return httpx.Response(status, json=load(name), **kwargs) if name else httpx.Response(status, **kwargs)


# -- check ----------------------------------------------------------------------------------------------------


def test_check_accepts_a_wordpress_user_who_may_moderate(wp):
    wp.get("/").mock(return_value=answer(200, "root.json"))
    me = wp.get("/wp/v2/users/me", params={"context": "edit"}).mock(return_value=answer(200, "users_me.json"))
    connector().check()
    request = me.calls.last.request
    assert request.headers["Authorization"].startswith("Basic ")
    assert "Federe" in request.headers["User-Agent"]


def test_check_refuses_a_wrong_application_password(wp):
    wp.get("/").mock(return_value=answer(200, "root.json"))
    wp.get("/wp/v2/users/me").mock(return_value=answer(401, "error_401.json"))
    with pytest.raises(Unauthorized) as caught:
        connector().check()
    assert caught.value.message.startswith(str(REFUSED_LOGIN))
    assert "application password" in caught.value.message  # the rest_not_logged_in hint


def test_check_refuses_a_user_who_cannot_moderate(wp):
    me = load("users_me.json")
    me["capabilities"]["moderate_comments"] = False
    wp.get("/").mock(return_value=answer(200, "root.json"))
    wp.get("/wp/v2/users/me").mock(return_value=httpx.Response(200, json=me))
    with pytest.raises(Unauthorized, match="no right to moderate comments"):
        connector().check()


@pytest.mark.parametrize(
    "root",
    [
        answer(404, "error_404.json"),
        httpx.Response(404, text="<html>Not found</html>", headers={"Content-Type": "text/html"}),
        httpx.Response(200, text="<html>A shop</html>", headers={"Content-Type": "text/html"}),
        httpx.Response(200, json={"name": "Some API", "namespaces": ["shop/v1"]}),
        httpx.Response(200, json=["not", "an", "index"]),
    ],
    ids=["rest_no_route", "html 404", "html page", "other api", "a list"],
)
def test_check_says_when_the_address_is_not_wordpress(wp, root):
    wp.get("/").mock(return_value=root)
    with pytest.raises(Permanent) as caught:
        connector().check()
    assert caught.value.message == str(NOT_WORDPRESS)


@pytest.mark.parametrize("site", ["", "blog.example.org", "ftp://blog.example.org"])
def test_check_asks_for_a_full_address(site):
    with pytest.raises(Permanent, match="full address"):
        registry.build("wordpress", config={"site_url": site}, credentials={}).check()


# -- the blog's address is a user's choice: SSRF-safe, in plain words -------------------------------------------


def test_the_blog_address_goes_through_the_ssrf_check(dns):
    dns["intranet.example"] = ["10.1.2.3"]
    wordpress = registry.build("wordpress", config={"site_url": "https://intranet.example"}, credentials={})
    with pytest.raises(Permanent) as caught:
        wordpress.check()
    assert "refuses to fetch intranet.example" in caught.value.message
    assert "private network" in caught.value.message


def test_an_unknown_host_is_said_in_plain_words(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    wordpress = registry.build("wordpress", config={"site_url": "https://blgo.example.org"}, credentials={})
    with pytest.raises(ConnectorError) as caught:
        wordpress.check()
    assert caught.value.message == "The address blgo.example.org could not be found. Check the spelling."
    with translation.override("fr"), pytest.raises(ConnectorError) as caught:
        wordpress.check()
    assert caught.value.message == "L’adresse blgo.example.org est introuvable. Vérifiez l’orthographe."


def test_wordpress_errors_are_in_the_readers_language(wp):
    wp.get("/").mock(return_value=answer(200, "root.json"))
    wp.get("/wp/v2/users/me").mock(return_value=answer(401, "error_401.json"))
    with translation.override("fr"), pytest.raises(Unauthorized) as caught:
        connector().check()
    assert caught.value.message.startswith("WordPress a refusé le nom d’utilisateur ou le mot de passe d’application.")
    wp.get("/wp/v2/comments").mock(return_value=httpx.Response(503, text="down"))
    with translation.override("fr"), pytest.raises(Transient) as caught:
        connector().fetch(None)
    assert caught.value.message.startswith("WordPress a eu une erreur interne (HTTP 503)")


# -- error mapping --------------------------------------------------------------------------------------------


def _fetch_error(wp, **mock):
    wp.get("/wp/v2/comments").mock(**mock)
    with pytest.raises(Exception) as caught:
        connector().fetch(None)
    return caught.value


def test_forbidden_means_no_moderation_rights(wp):
    body = {"code": "rest_forbidden_context", "message": "Sorry, you are not allowed to edit comments."}
    error = _fetch_error(wp, return_value=httpx.Response(403, json=body))
    assert isinstance(error, Unauthorized) and error.message == str(NO_RIGHTS)
    error = _fetch_error(wp, return_value=httpx.Response(403, json={"code": "rest_cannot_moderate"}))
    assert isinstance(error, Unauthorized) and error.message == str(NO_RIGHTS)


def test_rate_limits_carry_retry_after_in_seconds_or_as_a_date(wp):
    error = _fetch_error(wp, return_value=httpx.Response(429, headers={"Retry-After": "120"}))
    assert isinstance(error, RateLimited) and error.retry_after == 120
    assert "slow down" in error.message
    when = "Wed, 21 Oct 2037 07:28:00 GMT"
    error = _fetch_error(wp, return_value=httpx.Response(429, headers={"Retry-After": when}))
    assert isinstance(error, RateLimited) and error.retry_after > 3600
    error = _fetch_error(wp, return_value=httpx.Response(429))
    assert isinstance(error, RateLimited) and error.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(wp, status):
    error = _fetch_error(wp, return_value=httpx.Response(status, text="oops"))
    assert isinstance(error, Transient)
    assert error.message.startswith(f"WordPress had an internal error (HTTP {status})")


def test_timeouts_and_refused_connections_are_transient(wp):
    error = _fetch_error(wp, side_effect=httpx.ReadTimeout("timed out"))
    assert isinstance(error, Transient) and "did not answer within 10 seconds" in error.message
    error = _fetch_error(wp, side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    assert isinstance(error, Transient)
    assert error.message == f"Cannot reach {API}/wp/v2/comments: the server refused the connection or is down."
    error = _fetch_error(wp, side_effect=httpx.RemoteProtocolError("Server disconnected"))
    assert isinstance(error, Transient) and "broke" in error.message


@pytest.fixture
def self_signed_site(tmp_path):
    """A real HTTPS server on 127.0.0.1 with a self-signed certificate, so the handshake really fails."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_certificate_errors_are_permanent(self_signed_site):
    wordpress = registry.build("wordpress", config={"site_url": self_signed_site}, credentials={})
    with pytest.raises(Permanent) as caught:
        wordpress.check()
    assert caught.value.message == (
        f"The HTTPS certificate of {self_signed_site}/wp-json/ is not valid (it is self-signed): fix it or check the"
        " address."
    )


def test_certificate_errors_seen_in_the_message_only(wp):
    text = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate"
    error = _fetch_error(wp, side_effect=httpx.ConnectError(text))
    assert isinstance(error, Permanent) and "certificate of" in error.message and "no known authority" in error.message
    error = _fetch_error(wp, side_effect=httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number"))
    assert isinstance(error, Permanent) and "secure (HTTPS) connection" in error.message


def test_invalid_json_is_transient(wp):
    page = httpx.Response(200, text="<br><b>Fatal error</b>: ...", headers={"Content-Type": "text/html"})
    error = _fetch_error(wp, return_value=page)
    assert isinstance(error, Transient)
    assert error.message.startswith("WordPress answered with something that is not JSON (HTTP 200, text/html)")
    error = _fetch_error(wp, return_value=httpx.Response(200, json={"not": "a list"}))
    assert isinstance(error, Transient) and "not a list" in error.message


def test_redirects_are_not_followed(wp):
    moved = httpx.Response(301, headers={"Location": "https://www.example.org/wp-json/wp/v2/comments"})
    error = _fetch_error(wp, return_value=moved)
    assert isinstance(error, Permanent) and "redirects to https://www.example.org" in error.message


def test_other_refusals_keep_wordpress_words(wp):
    body = {"code": "rest_invalid_param", "message": "Invalid parameter(s): per_page"}
    error = _fetch_error(wp, return_value=httpx.Response(400, json=body))
    assert isinstance(error, Permanent)
    assert error.message == "WordPress refused the request (HTTP 400): Invalid parameter(s): per_page."


def test_the_password_never_shows(wp):
    wp.get("/wp/v2/comments").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    wordpress = connector()
    with pytest.raises(Transient) as caught:
        wordpress.fetch(None)
    assert "abcd" not in repr(wordpress) + repr(wordpress.client) + caught.value.message


# -- reply ----------------------------------------------------------------------------------------------------


def _reply(parent_id="8"):
    return OutgoingReply(thread_id="7", parent_id=parent_id, body_html="<p>Merci Alice !</p>", idempotency_key="k")


def test_reply_posts_an_approved_threaded_comment(wp):
    created = load("created_comment.json")
    route = wp.post("/wp/v2/comments").mock(return_value=httpx.Response(201, json=created))
    result = connector().reply(_reply())
    assert json.loads(route.calls.last.request.content) == {
        "post": 7,
        "parent": 8,
        "content": "<p>Merci Alice !</p>",
        "status": "approved",
    }
    assert result.external_id == str(created["id"]) and result.url == created["link"]
    assert result.created_at is not None and result.created_at.tzinfo is UTC


def test_reply_to_the_post_itself_uses_parent_0(wp):
    route = wp.post("/wp/v2/comments").mock(return_value=httpx.Response(201, json=load("created_comment.json")))
    connector().reply(_reply(parent_id=""))
    assert json.loads(route.calls.last.request.content)["parent"] == 0


def test_a_retried_reply_finds_the_comment_already_posted(wp):
    """The first answer was lost; WordPress refuses the same text again (409) and we return the first one."""
    created = load("created_comment.json")
    created["content"]["raw"] = "<p>Merci Alice !</p>"
    wp.post("/wp/v2/comments").mock(return_value=answer(409, "error_409_duplicate.json"))
    wp.get("/wp/v2/users/me").mock(return_value=answer(200, "users_me.json"))
    lookup = wp.get("/wp/v2/comments").mock(return_value=httpx.Response(200, json=[created]))
    result = connector().reply(_reply())
    assert result.external_id == str(created["id"])
    params = lookup.calls.last.request.url.params
    assert (params["post"], params["parent"], params["author"]) == ("7", "8", str(load("users_me.json")["id"]))


def test_a_duplicate_that_cannot_be_found_is_reported(wp):
    wp.post("/wp/v2/comments").mock(return_value=answer(409, "error_409_duplicate.json"))
    wp.get("/wp/v2/users/me").mock(return_value=answer(200, "users_me.json"))
    wp.get("/wp/v2/comments").mock(return_value=httpx.Response(200, json=[]))
    with pytest.raises(Permanent, match="already posted"):
        connector().reply(_reply())


@pytest.mark.parametrize(
    ("code", "words"),
    [("rest_comment_closed", "Comments are closed"), ("rest_comment_invalid_post_id", "no longer exists")],
)
def test_reply_refusals_about_the_post(wp, code, words):
    wp.post("/wp/v2/comments").mock(return_value=httpx.Response(403, json={"code": code, "message": "x"}))
    with pytest.raises(Permanent, match=words):
        connector().reply(_reply())


def test_reply_needs_numeric_ids():
    with pytest.raises(Permanent, match="not a WordPress post id"):
        connector().reply(OutgoingReply(thread_id="abc", parent_id="", body_html="x", idempotency_key="k"))


# -- moderation -----------------------------------------------------------------------------------------------


@pytest.fixture
def held():
    return by_status(load("comments_page.json"), "hold")


@pytest.mark.parametrize(("kind", "status"), [(ActionKind.APPROVE, "approved"), (ActionKind.SPAM, "spam")])
def test_act_sets_the_status_and_keeps_the_commenters_ip(wp, held, kind, status):
    wp.get(f"/wp/v2/comments/{held['id']}").mock(return_value=httpx.Response(200, json=held))
    update = wp.post(f"/wp/v2/comments/{held['id']}").mock(
        return_value=httpx.Response(200, json={**held, "status": status})
    )
    result = connector().act(ModerationAction(kind=kind, external_id=str(held["id"])))
    assert result.done and result.detail == status
    sent = json.loads(update.calls.last.request.content)
    assert sent["status"] == status and sent["author_ip"] == held["author_ip"]


def test_act_does_nothing_when_the_status_is_already_right(wp, held):
    wp.get(f"/wp/v2/comments/{held['id']}").mock(return_value=httpx.Response(200, json=held))
    update = wp.post(f"/wp/v2/comments/{held['id']}")
    result = connector().act(ModerationAction(kind=ActionKind.HOLD, external_id=str(held["id"])))
    assert result.done and result.detail == "hold" and not update.called


def test_remove_trashes_and_delete_removes_for_good(wp, held):
    trash = wp.delete(f"/wp/v2/comments/{held['id']}", params={"force": "true"}).mock(
        return_value=httpx.Response(200, json={"deleted": True, "previous": held})
    )
    soft = wp.delete(f"/wp/v2/comments/{held['id']}").mock(
        return_value=httpx.Response(200, json={**held, "status": "trash"})
    )
    result = connector().act(ModerationAction(kind=ActionKind.REMOVE, external_id=str(held["id"])))
    assert result.detail == "trash" and soft.called and not trash.called
    result = connector().act(ModerationAction(kind=ActionKind.DELETE, external_id=str(held["id"])))
    assert result.detail == "deleted" and trash.called


def test_removing_twice_is_done(wp, held):
    gone = {"code": "rest_already_trashed", "message": "The comment has already been trashed."}
    wp.delete(f"/wp/v2/comments/{held['id']}").mock(return_value=httpx.Response(410, json=gone))
    result = connector().act(ModerationAction(kind=ActionKind.REMOVE, external_id=str(held["id"])))
    assert result.done and result.detail == "trash"


def test_acting_on_a_deleted_comment_says_so(wp):
    wp.get("/wp/v2/comments/999").mock(return_value=answer(404, "error_404_comment.json"))
    with pytest.raises(Permanent, match="This comment no longer exists on WordPress"):
        connector().act(ModerationAction(kind=ActionKind.APPROVE, external_id="999"))


def test_wordpress_cannot_ban():
    with pytest.raises(Permanent, match="cannot ban"):
        connector().act(ModerationAction(kind=ActionKind.BAN, external_id="8", author_id="email:x"))


def test_sites_without_pretty_permalinks_use_rest_route(dns):
    with respx.mock(assert_all_called=True) as mock:
        root = mock.get(f"{SITE}/", params={"rest_route": "/"}).mock(return_value=answer(200, "root.json"))
        me = mock.get(f"{SITE}/", params={"rest_route": "/wp/v2/users/me", "context": "edit"}).mock(
            return_value=answer(200, "users_me.json")
        )
        connector(api_url=f"{SITE}/?rest_route=").check()
    assert root.called and me.called


def test_a_recorded_page_becomes_one_batch(wp):
    page, headers = load("comments_page.json"), load("comments_page_headers.json")
    route = wp.get("/wp/v2/comments").mock(return_value=httpx.Response(200, json=page, headers=headers))
    batch = connector(recheck_last=0, recheck_days=0).fetch(None)
    assert [i.external_id for i in batch.items] == [str(c["id"]) for c in page] and batch.malformed == []
    assert batch.cursor == {"last_id": page[-1]["id"], "offset": len(page), "recheck_page": 0}
    assert not batch.has_more  # X-WP-Total says it was the whole list
    params = route.calls.last.request.url.params
    assert (params["status"], params["context"], params["orderby"], params["order"]) == ("any", "edit", "id", "asc")
    assert params["_embed"] == "up"
