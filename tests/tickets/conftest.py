from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from federe.inbox.models import Conversation, Message
from federe.tickets import teams
from tests.webhooks.conftest import immediate_tasks, receiver  # noqa: F401 - the same real local HTTP server


def independent_check(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks, from the spec and not from our code: HMAC-SHA256 over "id.timestamp.body" keyed with the
    base64-decoded secret after "whsec_", compared with each "v1," signature of the header."""
    raw_key = base64.standard_b64decode(secret.split("_", 1)[1])
    mac = hmac.HMAC(raw_key, digestmod=hashlib.sha256)
    mac.update(f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode("ascii"))
    mac.update(body)
    wanted = mac.digest()
    signatures = [s.split(",", 1) for s in headers["webhook-signature"].split(" ")]
    return any(v == "v1" and hmac.compare_digest(base64.b64decode(sig), wanted) for v, sig in signatures)


def team_signed(secret: str, payload: dict, *, msg_id: str = "msg_1", timestamp: int | None = None) -> dict:
    """What a team's system sends: the body and the three headers, signed independently of our code."""
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    sig = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
    return {
        "data": body,
        "content_type": "application/json",
        "headers": {"webhook-id": msg_id, "webhook-timestamp": stamp, "webhook-signature": f"v1,{sig}"},
    }


def post_signed(url: str, secret: str, payload: dict) -> dict:
    """A team's system sending a signed update over real HTTP (to a live server); its JSON answer."""
    import urllib.request

    signed = team_signed(secret, payload)
    request = urllib.request.Request(  # noqa: S310 - a test server's address
        url, data=signed["data"], headers={**signed["headers"], "Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - a test server's address
        return json.load(answer)


@pytest.fixture
def thread(synced):
    return Conversation.objects.filter(connection=synced).order_by("pk").first()


@pytest.fixture
def message(thread):
    return Message.objects.filter(conversation=thread, direction="in", author__isnull=False).order_by("pk").first()


@pytest.fixture
def sales(workspace, owner, receiver):  # noqa: F811
    team, given = teams.create_team(
        workspace=workspace,
        by=owner,
        kind="sales",
        name="Sales",
        email="sales@example.org",
        webhook_url=receiver.url,
        language="fr",
    )
    return team, given
