"""Publishing on Mastodon, on payloads written from the Mastodon API documentation (fixtures/status_created.json,
media_created.json): one stable Idempotency-Key per delivery, content warning, visibility, language, media with
their description, replies; the length counted Mastodon's way."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from django.utils import translation

from federe.connectors import registry
from federe.connectors.errors import Permanent, Transient, Unauthorized
from federe.connectors.mastodon import publishing
from federe.connectors.mastodon.publishing import mastodon_length
from federe.connectors.types import Media, OutgoingPost
from tests.connectors.mastodon.conftest import INSTANCE, load

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def connector(token: str = "secret-write-token"):  # noqa: S107 - a fake token for respx
    credentials = {"access_token": token} if token else {}
    return registry.build("mastodon", config={"instance_url": INSTANCE}, credentials=credentials)


@pytest.fixture
def server(dns):
    with respx.mock(base_url=INSTANCE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def image(tmp_path: Path) -> Media:
    path = tmp_path / "terrasse.png"
    path.write_bytes(PNG)
    return Media(path=path, mime_type="image/png", alt_text="La terrasse au soleil, six tables rondes")


def post(**options) -> OutgoingPost:
    return OutgoingPost(
        "", **{"idempotency_key": "delivery-7-channel-3", "body_text": "La terrasse rouvre !", **options}
    )


def test_a_status_is_sent_with_its_options_and_the_deliverys_idempotency_key(server):
    route = server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    options = {"content_warning": "Annonce", "visibility": "unlisted", "language": "fr", "reply_to": "1099"}
    result = connector().publish(post(**options))
    request = route.calls.last.request
    assert request.headers["Idempotency-Key"] == "delivery-7-channel-3"
    assert request.headers["Authorization"] == "Bearer secret-write-token"
    assert json.loads(request.content) == {
        "status": "La terrasse rouvre !",
        "spoiler_text": "Annonce",
        "visibility": "unlisted",
        "language": "fr",
        "in_reply_to_id": "1099",
    }
    created = load("status_created.json")
    assert result.external_id == created["id"] and result.url == created["url"]
    assert result.created_at is not None and result.created_at.isoformat().startswith(created["created_at"][:19])


def test_every_attempt_of_a_delivery_sends_the_same_key(server):
    route = server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    first = connector().publish(post())
    again = connector().publish(post())
    keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
    assert keys == ["delivery-7-channel-3", "delivery-7-channel-3"] and first == again


def test_the_html_variant_is_sent_as_text_when_there_is_no_plain_one(server):
    route = server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    connector().publish(OutgoingPost("<p>Bonjour <strong>à tous</strong></p>", idempotency_key="k"))
    assert json.loads(route.calls.last.request.content)["status"] == "Bonjour à tous"


def test_an_image_is_uploaded_with_its_description_then_attached(server, image):
    upload = server.post("/api/v2/media").respond(200, json=load("media_created.json"))
    status = server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    connector().publish(post(media=(image,)))
    sent = upload.calls.last.request
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="description"\r\n\r\nLa terrasse au soleil, six tables rondes\r\n' in sent.content
    assert b'name="file"; filename="terrasse.png"\r\nContent-Type: image/png\r\n\r\n' + PNG in sent.content
    assert "Idempotency-Key" not in sent.headers
    assert json.loads(status.calls.last.request.content)["media_ids"] == [load("media_created.json")["id"]]


def test_a_media_still_processing_is_checked_again_before_the_status(server, image, monkeypatch):
    monkeypatch.setattr(publishing, "MEDIA_WAITS", (0, 0, 0))
    media_id = load("media_created.json")["id"]
    server.post("/api/v2/media").respond(202, json=load("media_processing.json"))
    server.get(f"/api/v1/media/{media_id}").mock(
        side_effect=[
            httpx.Response(206, json=load("media_processing.json")),
            httpx.Response(200, json=load("media_created.json")),
        ]
    )
    status = server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    connector().publish(post(media=(image,)))
    assert status.called


def test_a_media_that_never_finishes_is_a_transient_error_and_no_status_is_sent(server, image, monkeypatch):
    monkeypatch.setattr(publishing, "MEDIA_WAITS", (0, 0))
    media_id = load("media_created.json")["id"]
    server.post("/api/v2/media").respond(202, json=load("media_processing.json"))
    server.get(f"/api/v1/media/{media_id}").respond(206, json=load("media_processing.json"))
    status = server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    with pytest.raises(Transient):
        connector().publish(post(media=(image,)))
    assert not status.called


def test_links_count_23_characters_and_remote_mentions_their_local_part():
    long_link = "https://example.org/" + "a" * 200
    assert mastodon_length(f"Menu : {long_link}") == len("Menu : ") + 23
    assert mastodon_length("http://x.y") == 23
    assert mastodon_length("Merci @alice@social.example !") == len("Merci @alice !")
    assert mastodon_length("écrire à team@example.org") == len("écrire à team@example.org")


def test_a_status_too_long_or_empty_is_refused_before_anything_is_sent(server, image):
    route = server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    upload = server.post("/api/v2/media").respond(200, json=load("media_created.json"))
    too_long = post(body_text="x" * 490 + " https://example.org/" + "b" * 100)
    assert mastodon_length(too_long.body_text) == 514
    for refused_post in (too_long, post(body_text="", media=()), post(visibility="friends"), post(media=(image,) * 5)):
        messages = set()
        for language in ("en", "fr"):
            with translation.override(language), pytest.raises(Permanent) as refused:
                connector().publish(refused_post)
            messages.add(refused.value.message)
        assert len(messages) == 2, messages
    assert not route.called and not upload.called


def test_the_content_warning_counts_in_the_length(server):
    server.post("/api/v1/statuses").respond(200, json=load("status_created.json"))
    with pytest.raises(Permanent):
        connector().publish(post(body_text="x" * 495, content_warning="Spoiler"))


def test_publishing_needs_a_token_and_a_refused_token_is_told_to_need_the_write_scopes(server):
    with pytest.raises(Permanent):
        connector(token="").publish(post())
    server.post("/api/v1/statuses").respond(403, json={"error": "This action is outside the authorized scopes"})
    with pytest.raises(Unauthorized) as refused:
        connector().publish(post())
    assert "write:statuses" in refused.value.message


def test_a_channel_with_a_token_and_no_hashtag_only_publishes(server):
    batch = connector().fetch(None)
    assert batch.items == [] and not batch.has_more
    with pytest.raises(Permanent):
        connector(token="").fetch(None)


def test_publishing_is_declared_idempotent_so_an_unknown_outcome_is_sent_again_with_the_same_key():
    assert registry.connector_class("mastodon").publish_is_idempotent


def test_the_label_says_it_publishes_in_both_languages():
    cls = registry.connector_class("mastodon")
    assert str(cls.label) == "Mastodon (hashtags, search and publishing)"
    with translation.override("fr"):
        assert str(cls.label) == "Mastodon (hashtags, recherche et publication)"
