"""WordPress publishing on the recorded payloads (fixtures/post_*.json, record_publish.py): articles, drafts,
scheduled posts, and the slug that marks a delivery so that a retry finds the first attempt's post."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from django.utils import translation

from federe.connectors import registry
from federe.connectors.errors import Permanent
from federe.connectors.types import OutgoingPost
from federe.connectors.wordpress.publishing import slug_for
from tests.connectors.wordpress.conftest import load

SITE = "https://blog.example.org"
API = f"{SITE}/wp-json"


def connector():
    return registry.build(
        "wordpress", config={"site_url": SITE}, credentials={"username": "brand", "app_password": "abcd efgh ijkl"}
    )


def article(**options) -> OutgoingPost:
    defaults = {"title": "Nouvelle carte d'hiver", "idempotency_key": "delivery-41"}
    return OutgoingPost("<p>Soupe à l'oignon.</p>", **{**defaults, **options})


@pytest.fixture
def wp(dns):
    with respx.mock(base_url=API, assert_all_called=False) as mock:
        mock.get("/wp/v2/posts").respond(200, json=[])
        yield mock


def sent(route) -> dict:
    return json.loads(route.calls.last.request.content)


def test_an_article_is_published_with_its_title_html_and_marker_slug(wp):
    created = load("post_published.json")
    route = wp.post("/wp/v2/posts").respond(201, json=created)
    result = connector().publish(article())
    body = sent(route)
    assert body["status"] == "publish" and body["title"] == "Nouvelle carte d'hiver"
    assert body["content"] == "<p>Soupe à l'oignon.</p>" and "date_gmt" not in body
    assert body["slug"] == slug_for(article()) and body["slug"].startswith("nouvelle-carte-dhiver-")
    assert result.external_id == str(created["id"]) and result.url == created["link"]
    assert result.created_at == datetime.fromisoformat(created["date_gmt"]).replace(tzinfo=UTC)


def test_a_draft_stays_a_draft(wp):
    route = wp.post("/wp/v2/posts").respond(201, json=load("post_draft.json"))
    assert connector().publish(article(visibility="draft")).external_id == str(load("post_draft.json")["id"])
    assert sent(route)["status"] == "draft"
    connector().publish(article(options={"status": "draft"}))
    assert sent(route)["status"] == "draft"


def test_a_post_with_a_time_to_come_is_scheduled_on_wordpress_in_utc(wp):
    route = wp.post("/wp/v2/posts").respond(201, json=load("post_future.json"))
    paris = datetime(2027, 1, 5, 13, 12, 29, tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    connector().publish(article(publish_at=paris))
    body = sent(route)
    assert body["status"] == "future" and body["date_gmt"] == "2027-01-05T13:12:29"


def test_a_time_already_past_publishes_now(wp):
    route = wp.post("/wp/v2/posts").respond(201, json=load("post_published.json"))
    connector().publish(article(publish_at=datetime.now(UTC) - timedelta(minutes=5)))
    assert sent(route)["status"] == "publish" and "date_gmt" not in sent(route)


def test_a_retry_finds_the_first_attempts_post_and_writes_nothing(wp):
    found = {**load("posts_by_slug.json")[0], "slug": slug_for(article())}
    lookup = wp.get("/wp/v2/posts").respond(200, json=[found])
    create = wp.post("/wp/v2/posts").respond(201, json=load("post_published.json"))
    result = connector().publish(article())
    assert result.external_id == str(found["id"]) and not create.called
    params = lookup.calls.last.request.url.params
    assert params["slug"] == slug_for(article()) and "trash" in params["status"] and params["context"] == "edit"
    assert connector().find_published(article()) == result


def test_nothing_found_when_no_attempt_left_a_post(wp):
    assert connector().find_published(article()) is None


def test_a_post_with_another_slug_is_not_ours(wp):
    wp.get("/wp/v2/posts").respond(200, json=[{**load("posts_by_slug.json")[0], "slug": "nouvelle-carte-dhiver-2"}])
    assert connector().find_published(article()) is None


def test_the_marker_is_the_same_for_a_delivery_and_differs_between_deliveries():
    assert slug_for(article()) == slug_for(article(title="Nouvelle carte d'hiver"))
    assert slug_for(article()) != slug_for(article(idempotency_key="delivery-42"))
    assert slug_for(article(title="")).startswith("post-")


def test_an_unknown_visibility_or_an_empty_article_is_refused_in_plain_words(wp):
    create = wp.post("/wp/v2/posts").respond(201, json=load("post_published.json"))
    for post in (article(visibility="friends"), OutgoingPost("", idempotency_key="k", title=" ")):
        messages = set()
        for language in ("en", "fr"):
            with translation.override(language), pytest.raises(Permanent) as refused:
                connector().publish(post)
            messages.add(refused.value.message)
        assert len(messages) == 2
    assert not create.called


def test_an_answer_without_a_post_id_is_an_error(wp):
    wp.post("/wp/v2/posts").mock(return_value=httpx.Response(201, json={"code": "odd"}))
    with pytest.raises(Permanent):
        connector().publish(article())


def test_wordpress_has_no_idempotency_key_so_a_finder_is_asked_before_any_retry():
    cls = registry.connector_class("wordpress")
    assert not cls.publish_is_idempotent and "find_published" in vars(cls)
