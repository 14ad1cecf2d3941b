"""The Bluesky connector against a REAL PDS 0.5 with its PLC (../shared/peers/pds), through Fédère's own services.

    ../shared/peers/pds/pds-ci.sh start
    FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/bluesky

Each test creates its own accounts (``pn<role><random>.test``), so earlier runs and other tests do not get in the
way; the brand logs in with an app password created for it, as a user would.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from federe.connections.services import create_connection, sync_connection
from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.bluesky.publishing import rkey_for
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.types import ActionKind, Media, ModerationAction, OutgoingPost
from federe.inbox.models import Message

pytestmark = [pytest.mark.peers, pytest.mark.django_db]
POST = "app.bsky.feed.post"


def png_1x1() -> bytes:
    """A real one-pixel PNG (the PDS reads the image's type from its bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def pds(pds_env):
    with httpx.Client(base_url=pds_env["PDS_URL"].rstrip("/"), timeout=30, trust_env=False) as client:
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, f"{response.request.url.path}: {response.status_code} {response.text[:300]}"
    return response.json()


@pytest.fixture
def account(pds, pds_env) -> Callable[[str], dict[str, Any]]:
    """A new account on the real PDS: its did, handle, password and session token."""

    def create(role: str) -> dict[str, Any]:
        name = f"pn{role}{uuid.uuid4().hex[:6]}"
        password = f"{name}-pass-1"
        body = {"handle": f"{name}{pds_env['PDS_HANDLE_DOMAIN']}", "email": f"{name}@example.com", "password": password}
        created = ok(pds.post("/xrpc/com.atproto.server.createAccount", json=body))
        return {**created, "password": password}

    return create


def app_password(pds, who: dict[str, Any]) -> str:
    headers = {"Authorization": f"Bearer {who['accessJwt']}"}
    made = ok(pds.post("/xrpc/com.atproto.server.createAppPassword", headers=headers, json={"name": "federe"}))
    return made["password"]


def brand_connector(pds_env, brand: dict[str, Any], password: str, *, admin: bool = True) -> Connector:
    credentials = {"app_password": password}
    if admin:
        credentials["admin_password"] = pds_env["PDS_ADMIN_PASSWORD"]
    config = {"service_url": pds_env["PDS_URL"], "handle": brand["handle"], "app_url": "https://bsky.app"}
    return registry.build("bluesky", config=config, credentials=credentials)


def write(pds, who: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    record = {"$type": POST, "text": text, "createdAt": "2026-12-06T10:00:00.000Z", **extra}
    headers = {"Authorization": f"Bearer {who['accessJwt']}"}
    body = {"repo": who["did"], "collection": POST, "record": record}
    return ok(pds.post("/xrpc/com.atproto.repo.createRecord", headers=headers, json=body))


def records_of(pds, did: str) -> list[dict[str, Any]]:
    params = {"repo": did, "collection": POST, "limit": 100}
    return ok(pds.get("/xrpc/com.atproto.repo.listRecords", params=params))["records"]


def test_a_post_with_facets_is_published_once_even_when_the_delivery_is_sent_again(pds, pds_env, account):
    brand, alice = account("brand"), account("alice")
    password = app_password(pds, brand)
    text = f"Café ☕ rouvert ! Menu https://example.org/menu?x=1 merci @{alice['handle']} #terrasse"
    post = OutgoingPost("", idempotency_key=f"pubnet-{uuid.uuid4().hex}", body_text=text, language="fr")

    first = brand_connector(pds_env, brand, password).publish(post)
    again = brand_connector(pds_env, brand, password).publish(post)  # a retry, by a new worker

    assert first.external_id == again.external_id == f"at://{brand['did']}/{POST}/{rkey_for(post.idempotency_key)}"
    stored = records_of(pds, brand["did"])
    assert len(stored) == 1
    value, data = stored[0]["value"], text.encode("utf-8")
    assert value["text"] == text and value["langs"] == ["fr"]
    covered = {
        f["features"][0]["$type"].split("#")[1]: data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode()
        for f in value["facets"]
    }
    assert covered == {"link": "https://example.org/menu?x=1", "mention": f"@{alice['handle']}", "tag": "#terrasse"}
    mention = next(f["features"][0] for f in value["facets"] if f["features"][0]["$type"].endswith("#mention"))
    assert mention["did"] == alice["did"]
    assert brand_connector(pds_env, brand, password).find_published(post) == first


def test_a_reply_carries_its_thread_and_its_parent(pds, pds_env, account):
    brand, alice = account("brand"), account("alice")
    question = write(pds, alice, "Vous ouvrez dimanche ?")
    follow_up = write(pds, alice, "Et le lundi ?", reply={"root": question, "parent": question})
    connector = brand_connector(pds_env, brand, app_password(pds, brand))
    answer = connector.publish(
        OutgoingPost("", idempotency_key=f"pubnet-{uuid.uuid4().hex}", body_text="Oui !", reply_to=follow_up["uri"])
    )
    reply = next(r for r in records_of(pds, brand["did"]) if r["uri"] == answer.external_id)["value"]["reply"]
    assert reply["parent"] == {"uri": follow_up["uri"], "cid": follow_up["cid"]}
    assert reply["root"] == {"uri": question["uri"], "cid": question["cid"]}


def test_an_image_is_uploaded_and_embedded_with_its_alt_text(pds, pds_env, account, tmp_path: Path):
    brand = account("brand")
    image = tmp_path / "pixel.png"
    image.write_bytes(png_1x1())
    media = Media(path=image, mime_type="image/png", alt_text="Un pixel gris")
    post = OutgoingPost("", idempotency_key=f"pubnet-{uuid.uuid4().hex}", body_text="Photo", media=(media,))
    brand_connector(pds_env, brand, app_password(pds, brand)).publish(post)
    embed = records_of(pds, brand["did"])[0]["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert embed["images"][0]["alt"] == "Un pixel gris" and embed["images"][0]["image"]["mimeType"] == "image/png"


def test_replies_and_mentions_to_the_brand_reach_the_inbox_once(pds, pds_env, account, workspace, owner):
    brand, alice, bob = account("brand"), account("alice"), account("bob")
    password = app_password(pds, brand)
    launch = brand_connector(pds_env, brand, password).publish(
        OutgoingPost("", idempotency_key=f"pubnet-{uuid.uuid4().hex}", body_text="La terrasse rouvre samedi !")
    )
    launch_ref = {"uri": launch.external_id, "cid": records_of(pds, brand["did"])[0]["cid"]}
    reply = write(pds, alice, "On viendra !", reply={"root": launch_ref, "parent": launch_ref}, langs=["fr"])
    facet = {
        "index": {"byteStart": 0, "byteEnd": len(brand["handle"]) + 1},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand["did"]}],
    }
    mention = write(pds, bob, f"@{brand['handle']} des brunchs ?", facets=[facet])
    unrelated = write(pds, bob, "Il pleut sur Lyon.")
    connection = create_connection(
        workspace=workspace,
        network="bluesky",
        name="Bluesky",
        config={"service_url": pds_env["PDS_URL"], "handle": brand["handle"], "repos_per_page": 50},
        credentials={"app_password": password},
        by=owner,
    )
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == ""
    stored = {m.external_id: m for m in Message.objects.filter(connection=connection)}
    assert reply["uri"] in stored and mention["uri"] in stored and unrelated["uri"] not in stored
    assert stored[reply["uri"]].conversation.external_id == launch.external_id
    assert "On viendra" in stored[reply["uri"]].body_text

    again = sync_connection(connection.pk, worker_id="test")
    assert again is not None and again.run.error == "" and again.stats.stored == 0
    assert Message.objects.filter(connection=connection, external_id=reply["uri"]).count() == 1


def test_an_admin_takes_down_a_post_and_an_account_and_asking_twice_finds_it_done(pds, pds_env, account):
    brand, troll = account("brand"), account("troll")
    spam = write(pds, troll, "Achetez maintenant")
    connector = brand_connector(pds_env, brand, app_password(pds, brand))
    connector.check()  # the admin password is accepted
    for _attempt in range(2):
        assert connector.act(ModerationAction(ActionKind.REMOVE, external_id=spam["uri"])).done
    gone = pds.get(
        "/xrpc/com.atproto.repo.getRecord",
        params={"repo": troll["did"], "collection": POST, "rkey": spam["uri"].split("/")[-1]},
    )
    assert gone.status_code == 400 and gone.json()["error"] == "RecordNotFound"
    for _attempt in range(2):
        suspend = ModerationAction(ActionKind.SUSPEND, external_id=spam["uri"], author_id=troll["did"])
        assert connector.act(suspend).done
    login = pds.post(
        "/xrpc/com.atproto.server.createSession", json={"identifier": troll["handle"], "password": troll["password"]}
    )
    assert login.status_code == 401 and login.json()["error"] == "AccountTakedown"


def test_without_the_admin_password_takedowns_are_refused_in_plain_words(pds, pds_env, account):
    brand, troll = account("brand"), account("troll")
    spam = write(pds, troll, "Achetez maintenant")
    connector = brand_connector(pds_env, brand, app_password(pds, brand), admin=False)
    connector.check()  # the channel works: it publishes and reads
    with pytest.raises(Permanent, match="admin password"):
        connector.act(ModerationAction(ActionKind.REMOVE, external_id=spam["uri"]))
    assert ok(
        pds.get(
            "/xrpc/com.atproto.repo.getRecord",
            params={"repo": troll["did"], "collection": POST, "rkey": spam["uri"].split("/")[-1]},
        )
    )


def test_a_wrong_app_password_or_admin_password_is_said_at_check(pds_env, account, pds):
    brand = account("brand")
    with pytest.raises(Unauthorized):
        brand_connector(pds_env, brand, "wrong-app-password", admin=False).check()
    connector = brand_connector(pds_env, brand, app_password(pds, brand))
    connector.credentials["admin_password"] = "wrong"
    connector._client = None
    with pytest.raises(Unauthorized, match="admin password"):
        connector.check()
