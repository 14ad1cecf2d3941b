"""The Bluesky connector on answers recorded from the real PDS (conftest.FakePds): publishing once through the
record key, facets, replies, images, reading replies and mentions incrementally, takedowns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from federe.connectors.bluesky.publishing import rkey_for
from federe.connectors.errors import Permanent, Transient, Unauthorized
from federe.connectors.types import ActionKind, ItemKind, Media, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.bluesky.conftest import BRAND, POST, load
from tests.connectors.bluesky.kit import KIT

ALICE = load("describe_repo_alice")
BOB = load("describe_repo_bob")
ALICE_RECORDS = load("list_records_alice")["records"]
BOB_RECORDS = load("list_records_bob")["records"]
LAUNCH = load("get_record")
ALICE_REPLY = next(
    r for r in ALICE_RECORDS if r["value"].get("reply", {}).get("parent", {}).get("uri") == LAUNCH["uri"]
)
BOB_MENTION = next(r for r in BOB_RECORDS if r["value"].get("facets"))


@pytest.fixture
def pds():
    with KIT.network() as fake:
        yield fake


def connector(**credentials):
    return KIT.build() if not credentials else _with(credentials)


def _with(credentials):
    built = KIT.build()
    built.credentials = {**built.credentials, **credentials}
    return built


def post(text: str = "Ouvert !", **options) -> OutgoingPost:
    return OutgoingPost("", **{"idempotency_key": "delivery-12-channel-4", "body_text": text, **options})


def refused_in_both_languages(call) -> None:
    messages = set()
    for language in ("en", "fr"):
        with translation.override(language), pytest.raises(Permanent) as refused:
            call()
        messages.add(refused.value.message)
    assert len(messages) == 2, messages


# -- publishing -------------------------------------------------------------------------------------------------


def test_a_post_is_written_under_the_key_derived_from_its_delivery(pds):
    result = connector().publish(post(language="fr"))
    [written] = pds.created
    assert written["rkey"] == rkey_for("delivery-12-channel-4") and written["repo"] == BRAND["did"]
    assert written["record"]["text"] == "Ouvert !" and written["record"]["langs"] == ["fr"]
    assert written["record"]["$type"] == POST and written["record"]["createdAt"].endswith("Z")
    assert result.external_id == f"at://{BRAND['did']}/{POST}/{written['rkey']}"
    assert result.url == f"https://bsky.app/profile/{BRAND['did']}/post/{written['rkey']}"


def test_the_record_key_is_a_tid_stable_per_delivery_and_different_between_deliveries():
    key = rkey_for("delivery-12-channel-4")
    assert key == rkey_for("delivery-12-channel-4") != rkey_for("delivery-13-channel-4")
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    assert set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")


def test_a_retry_reads_the_record_back_and_writes_nothing(pds):
    first = connector().publish(post())
    again = connector().publish(post())
    assert again == first and len(pds.created) == 1


def test_an_answer_lost_after_the_write_is_found_by_reading_back(pds):
    pds.fail_create_after_write = True
    result = connector().publish(post())
    assert result.external_id.endswith(rkey_for("delivery-12-channel-4")) and len(pds.created) == 1


def test_a_500_with_nothing_written_stays_a_transient_error(pds):
    pds.records.setdefault(BRAND["did"], {})
    original = pds.com_atproto_repo_createRecord
    pds.com_atproto_repo_createRecord = lambda request: __import__("httpx").Response(
        500, json=load("create_record_again")
    )
    with pytest.raises(Transient):
        connector().publish(post())
    pds.com_atproto_repo_createRecord = original


def test_mentions_are_resolved_to_dids_and_facets_placed_in_bytes(pds):
    text = f"Merci @{ALICE['handle']} ☕ https://example.org/menu #brunch @inconnu.test"
    connector().publish(post(text))
    facets = pds.created[0]["record"]["facets"]
    data = text.encode("utf-8")
    found = {f["features"][0]["$type"]: data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets}
    assert found == {
        "app.bsky.richtext.facet#mention": f"@{ALICE['handle']}",
        "app.bsky.richtext.facet#link": "https://example.org/menu",
        "app.bsky.richtext.facet#tag": "#brunch",
    }
    assert facets[0]["features"][0]["did"] == ALICE["did"]


def test_a_reply_to_a_reply_keeps_the_threads_first_post_as_root(pds):
    connector().publish(post("Avec plaisir !", reply_to=ALICE_REPLY["uri"]))
    reply = pds.created[0]["record"]["reply"]
    assert reply["parent"] == {"uri": ALICE_REPLY["uri"], "cid": ALICE_REPLY["cid"]}
    root = ALICE_REPLY["value"]["reply"]["root"]
    assert reply["root"] == {"uri": root["uri"], "cid": root["cid"]} and root["uri"] == LAUNCH["uri"]


def test_a_reply_from_the_inbox_answers_the_message_as_a_bluesky_reply(pds):
    reply = OutgoingReply(LAUNCH["uri"], ALICE_REPLY["uri"], "<p>Merci <strong>Alice</strong> !</p>", "reply-5")
    result = connector().reply(reply)
    [written] = pds.created
    assert written["record"]["text"] == "Merci Alice !" and written["rkey"] == rkey_for("reply-5")
    assert written["record"]["reply"]["parent"]["uri"] == ALICE_REPLY["uri"]
    assert result.external_id.endswith(rkey_for("reply-5"))


def test_a_reply_to_a_post_that_is_gone_is_refused(pds):
    refused_in_both_languages(lambda: connector().publish(post(reply_to=f"at://{BOB['did']}/{POST}/2222222222222")))
    assert not pds.created


def test_an_image_is_uploaded_and_embedded_with_its_alt_text(pds, tmp_path: Path):
    image = tmp_path / "terrasse.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    connector().publish(post(media=(Media(image, "image/png", alt_text="La terrasse"),)))
    embed = pds.created[0]["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images" and pds.blobs == [image.read_bytes()]
    assert embed["images"] == [{"alt": "La terrasse", "image": load("upload_blob")["blob"]}]


def test_what_bluesky_would_refuse_is_refused_before_anything_is_written(pds, tmp_path: Path):
    image = tmp_path / "big.png"
    image.write_bytes(b"\x00" * 1_000_001)
    small = tmp_path / "small.png"
    small.write_bytes(b"\x00")
    refused_in_both_languages(lambda: connector().publish(post("a" * 301)))
    refused_in_both_languages(lambda: connector().publish(post(media=(Media(small, "image/png"),))))
    refused_in_both_languages(lambda: connector().publish(post(media=(Media(image, "image/png", "Grande"),))))
    refused_in_both_languages(lambda: connector().publish(post("", media=())))
    assert not pds.created and not pds.blobs
    connector().publish(post("👨‍👩‍👧" * 300))  # 300 graphemes, 1,500 code points: accepted
    assert len(pds.created) == 1


def test_an_expired_access_token_is_refreshed_once(pds):
    pds.expire_next = True
    connector().publish(post())
    assert pds.refreshed == 1 and len(pds.created) == 1


# -- reading --------------------------------------------------------------------------------------------------


def test_replies_and_mentions_to_the_brand_are_read_and_nothing_else(pds):
    batch = KIT.build({"repos_per_page": 50}).fetch(None)
    assert {item.external_id for item in batch.items} == {ALICE_REPLY["uri"], BOB_MENTION["uri"]}
    reply = next(item for item in batch.items if item.external_id == ALICE_REPLY["uri"])
    assert reply.kind == ItemKind.REPLY and reply.thread_id == LAUNCH["uri"] and reply.parent_id == LAUNCH["uri"]
    assert reply.author.external_id == ALICE["did"] and reply.author.handle == f"@{ALICE['handle']}"
    assert reply.language == "fr" and reply.raw["cid"] == ALICE_REPLY["cid"]
    assert ALICE_REPLY["value"]["text"] in reply.body_html
    mention = next(item for item in batch.items if item.external_id == BOB_MENTION["uri"])
    assert mention.kind == ItemKind.POST and mention.thread_id == BOB_MENTION["uri"]
    assert mention.raw["mentions"] == [BRAND["did"]]


def test_a_repository_is_read_again_only_when_its_revision_changed(pds):
    first = KIT.build({"repos_per_page": 50}).fetch(None)
    assert KIT.build({"repos_per_page": 50}).fetch(first.cursor).items == []
    alice = next(r for r in pds.repos if r["did"] == ALICE["did"])
    alice["rev"] = "3zzzzzzzzzzzz"
    again = KIT.build({"repos_per_page": 50}).fetch(json.loads(json.dumps(first.cursor)))
    assert [item.external_id for item in again.items] == [ALICE_REPLY["uri"]]


def test_a_server_hosting_more_accounts_than_allowed_is_refused_in_plain_words(pds):
    refused_in_both_languages(lambda: KIT.build({"repos_per_page": 50, "max_repos": 2}).fetch(None))
    assert KIT.build({"repos_per_page": 50, "max_repos": 3}).fetch(None).items


# -- moderation -----------------------------------------------------------------------------------------------


def test_a_takedown_asked_twice_is_done_once(pds):
    calls = []
    original = pds.com_atproto_admin_updateSubjectStatus
    pds.com_atproto_admin_updateSubjectStatus = lambda request: (
        calls.append(json.loads(request.content)) or original(request)
    )
    for _attempt in range(2):
        assert connector().act(ModerationAction(ActionKind.REMOVE, external_id=ALICE_REPLY["uri"])).done
    assert len(calls) == 1
    assert calls[0]["subject"] == {
        "$type": "com.atproto.repo.strongRef",
        "uri": ALICE_REPLY["uri"],
        "cid": ALICE_REPLY["cid"],
    }
    suspend = ModerationAction(ActionKind.SUSPEND, external_id=BOB_MENTION["uri"], author_id=BOB["did"])
    assert connector().act(suspend).done
    assert calls[1]["subject"] == {"$type": "com.atproto.admin.defs#repoRef", "did": BOB["did"]}


def test_without_the_admin_password_takedowns_are_refused_in_plain_words(pds):
    refused_in_both_languages(
        lambda: connector(admin_password="").act(ModerationAction(ActionKind.REMOVE, external_id=ALICE_REPLY["uri"]))
    )
    assert ALICE_REPLY["uri"] not in pds.taken_down


def test_check_says_when_the_app_password_or_the_admin_password_is_refused(pds):
    connector().check()
    with pytest.raises(Unauthorized):
        connector(app_password="wrong").check()
    with pytest.raises(Unauthorized, match="admin password"):
        connector(admin_password="wrong").check()


def test_publishing_says_it_is_idempotent_so_an_unknown_outcome_is_sent_again_with_the_same_key(pds):
    assert type(connector()).publish_is_idempotent
    connector().publish(post())
    connector().publish(post())
    assert len(pds.created) == 1
