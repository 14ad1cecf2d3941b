"""The Mastodon source against a REAL Takahē 0.11 server (../shared/peers/takahe), through Fédère's own services.

    TAKAHE_SRC=/path/to/takahe-v0.11.0 ../shared/peers/takahe/takahe-ci.sh start
    FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/mastodon

The ``takahe_env`` fixture reads MASTODON_URL and the tokens from the environment or from the peer's env file,
and skips when there is no server (CI cannot install Takahē: it is not on PyPI, npm or Debian).
Each run uses its own hashtag, so earlier runs and other tests do not get in the way.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from federe.connections.services import create_connection, sync_connection
from federe.inbox.models import Message

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


def _client(env: dict[str, str], token_key: str) -> httpx.Client:
    return httpx.Client(
        base_url=env["MASTODON_URL"].rstrip("/"),
        headers={"Authorization": f"Bearer {env[token_key]}"},
        timeout=30,
        trust_env=False,
    )


@pytest.fixture
def alice(takahe_env) -> Iterator[httpx.Client]:
    with _client(takahe_env, "MASTODON_ADMIN_TOKEN") as client:
        yield client


@pytest.fixture
def bob(takahe_env) -> Iterator[httpx.Client]:
    with _client(takahe_env, "MASTODON_USER_TOKEN") as client:
        yield client


@pytest.fixture
def tag() -> str:
    return f"federe{uuid.uuid4().hex[:10]}"


def ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, f"{response.request.method} {response.request.url.path}: {response.text[:300]}"
    return response.json()


def post(client: httpx.Client, text: str, **extra: Any) -> dict[str, Any]:
    return ok(client.post("/api/v1/statuses", json={"status": text, "visibility": "public", **extra}))


def wait_for_tag(
    client: httpx.Client, tag: str, ready: Callable[[dict[str, dict[str, Any]]], bool], timeout: float = 60
) -> dict[str, dict[str, Any]]:
    """Takahē fans out and counts asynchronously (Stator): poll its tag timeline until ``ready``."""
    deadline = time.monotonic() + timeout
    while True:
        seen = {s["id"]: s for s in ok(client.get(f"/api/v1/timelines/tag/{tag}", params={"limit": 40}))}
        if ready(seen):
            return seen
        assert time.monotonic() < deadline, f"Takahē did not show the statuses on #{tag} within {timeout} s"
        time.sleep(0.5)


def test_live_statuses_land_in_the_inbox_and_the_next_sync_takes_only_the_new_one(
    takahe_env, alice, bob, tag, workspace, owner
):
    launch = post(alice, f"Café Lumière ouvre sa brûlerie à Lyon samedi ! #{tag} #CafeLumiere", language="fr")
    review = post(bob, f"Tried the Cafe Lumiere espresso: better than the chains. #{tag}", language="en")
    warned = post(
        alice,
        f"Quarante minutes d'attente chez Café Lumière… #{tag}",
        spoiler_text="Avis négatif",
        sensitive=True,
        language="fr",
    )
    reply = post(bob, f"@alice J'y serai ! #{tag}", in_reply_to_id=launch["id"])
    ok(bob.post(f"/api/v1/statuses/{launch['id']}/reblog"))
    ok(bob.post(f"/api/v1/statuses/{launch['id']}/favourite"))
    ok(alice.post(f"/api/v1/statuses/{review['id']}/favourite"))
    posted = {s["id"]: s for s in (launch, review, warned)}

    def counted(seen: dict[str, dict[str, Any]]) -> bool:
        first = seen.get(launch["id"])
        return set(posted) <= set(seen) and first is not None and first["reblogs_count"] == first["replies_count"] == 1

    seen = wait_for_tag(bob, tag, counted)

    connection = create_connection(  # check(): instance, app token, one status of each source
        workspace=workspace,
        network="mastodon",
        name=f"#{tag}",
        config={"instance_url": takahe_env["MASTODON_URL"], "hashtags": tag, "search_terms": "Café Lumière"},
        credentials={"access_token": takahe_env["MASTODON_USER_TOKEN"]},
        by=owner,
    )
    first = sync_connection(connection.pk, worker_id="peer-test")
    assert first is not None and first.run.error == "", first and first.run.error
    assert first.run.stored == len(posted)
    messages = {m.external_id: m for m in Message.objects.filter(connection=connection).select_related("author")}
    # Takahē's tag timeline leaves replies out, and its search finds no statuses by words: only the three posts.
    assert set(messages) == set(posted) and reply["id"] not in messages
    for status_id, status in posted.items():
        message = messages[status_id]
        assert message.author.handle == f"@{status['account']['acct']}"
        assert message.url == status["url"] and message.kind == "post"
        live = seen[status_id]
        assert message.engagement == live["reblogs_count"] + live["favourites_count"] + live["replies_count"]
    assert "Lyon samedi" in messages[launch["id"]].body_text and messages[launch["id"]].engagement >= 2
    assert messages[warned["id"]].body_html.startswith("<p><strong>Avis négatif</strong></p>")
    connection.refresh_from_db()
    newest = max(posted, key=int)
    assert connection.cursor["sources"][f"tag:{tag}"] == {"min_id": newest}

    # A new status: the next sync picks it up, and nothing twice.
    late = post(alice, f"Last call: Café Lumière tasting tonight #{tag}", language="en")
    wait_for_tag(bob, tag, lambda seen: late["id"] in seen)
    second = sync_connection(connection.pk, worker_id="peer-test")
    assert second is not None and second.run.error == "" and second.run.stored == 1
    ids = list(Message.objects.filter(connection=connection).values_list("external_id", flat=True))
    assert sorted(ids) == sorted([*posted, late["id"]]) and len(ids) == len(set(ids))
    third = sync_connection(connection.pk, worker_id="peer-test")
    assert third is not None and third.run.error == "" and third.run.stored == 0
    connection.refresh_from_db()
    assert connection.cursor["sources"][f"tag:{tag}"] == {"min_id": late["id"]}


def test_live_server_refuses_a_wrong_token_with_a_plain_message(takahe_env, workspace, owner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace,
            network="mastodon",
            name="#wrong-token",
            config={"instance_url": takahe_env["MASTODON_URL"], "hashtags": "cafelumiere"},
            credentials={"access_token": "not-a-valid-token"},
            by=owner,
        )
    assert "refused the access token" in str(caught.value)
