"""YouTube's kit for the contract suite: a channel served from the payloads written from the documentation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import respx

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingReply
from tests.connectors.contract import HTTP_FAILURES, Failure, Kit, public_dns
from tests.connectors.youtube.conftest import load
from tests.connectors.youtube.fake import API_HOST, CHANNEL, TOKEN_HOST, FakeYouTube


@contextmanager
def network() -> Iterator[None]:
    with FakeYouTube().serve():
        yield


def _action(kind: ActionKind) -> ModerationAction:
    target = "UgxThread1" if kind == ActionKind.DELETE else "UgxHeld4"
    return ModerationAction(kind, external_id=target, thread_id=target, author_id="UCflour0000000000000000")


KIT = Kit(
    "youtube",
    config={"client_id": "kit-client.apps.googleusercontent.com", "channel_id": CHANNEL, "backfill_pages": 5},
    credentials={"client_secret": "kit-youtube-client-secret-0123", "refresh_token": "1//kit-refresh-token-abcdef"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply("UgxThread3", "UgxThread3", "<p>Thanks</p>", "k1")),
        Capability.MODERATE: lambda c: c.act(_action(ActionKind.APPROVE)),
    },
    actions={kind: (lambda c, kind=kind: c.act(_action(kind))) for kind in sorted(ActionKind)},
)


def _failure(answer: Callable[[httpx.Request], httpx.Response], *, on_token: bool = False) -> Failure:
    """The API host (or Google's token endpoint) failing; the other answers as documented."""

    @contextmanager
    def failing() -> Iterator[Callable[[], object]]:
        with public_dns(API_HOST, TOKEN_HOST), respx.mock(assert_all_called=False) as router:
            token = answer if on_token else (lambda request: httpx.Response(200, json=load("token.json")))
            router.route(host=TOKEN_HOST).mock(side_effect=token)
            router.route(host=API_HOST).mock(side_effect=answer)
            yield lambda: KIT.build().fetch(None)

    return failing


KIT.failures = {name: _failure(answer) for name, answer in HTTP_FAILURES.items()}
KIT.failures["quota spent"] = _failure(lambda request: httpx.Response(403, json=load("error_quota.json")))
KIT.failures["refresh token revoked"] = _failure(
    lambda request: httpx.Response(400, json=load("token_invalid_grant.json")), on_token=True
)
KIT.failures["sign-in service down"] = _failure(lambda request: httpx.Response(503, text="down"), on_token=True)
KIT.actions = {kind: KIT.actions[kind] for kind in KIT.actions if kind in KIT.build().actions}
