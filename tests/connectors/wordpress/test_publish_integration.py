"""WordPress publishing against a REAL WordPress (../shared/peers/wp): articles, drafts, scheduled posts, once.

../shared/peers/wp/wp-ci.sh start
FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/wordpress/test_publish_integration.py
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from federe.connectors import registry
from federe.connectors.types import OutgoingPost
from federe.connectors.wordpress.publishing import slug_for

pytestmark = [pytest.mark.peers]


@pytest.fixture
def wp_admin(wp_env):
    auth = (wp_env["WORDPRESS_USER"], wp_env["WORDPRESS_APP_PASSWORD"])
    with httpx.Client(base_url=f"{wp_env['WORDPRESS_URL']}/wp-json", auth=auth, trust_env=False, timeout=30) as c:
        yield c


@pytest.fixture
def blog(wp_env):
    def build():
        credentials = {"username": wp_env["WORDPRESS_USER"], "app_password": wp_env["WORDPRESS_APP_PASSWORD"]}
        return registry.build("wordpress", config={"site_url": wp_env["WORDPRESS_URL"]}, credentials=credentials)

    return build


@pytest.fixture
def delivery(wp_admin):
    """A fresh delivery of an article (a unique key and title); its posts are deleted at the end."""
    run = uuid.uuid4().hex[:8]

    def make(**options) -> OutgoingPost:
        defaults = {"title": f"Pubnet carte d'hiver {run}", "idempotency_key": f"pubnet-{run}-{len(options)}"}
        return OutgoingPost("<p>Soupe à l'oignon &amp; <em>vin chaud</em>.</p>", **{**defaults, **options})

    yield make
    found = wp_admin.get("/wp/v2/posts", params={"search": run, "status": "any", "context": "edit"}).json()
    for post in found:
        wp_admin.delete(f"/wp/v2/posts/{post['id']}", params={"force": "true"})


def posts_with_slug(wp_admin, slug: str) -> list[dict]:
    params = {"slug": slug, "status": "publish,future,draft,pending,private,trash", "context": "edit"}
    answer = wp_admin.get("/wp/v2/posts", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_publishing_the_same_delivery_twice_gives_one_article(blog, delivery, wp_admin):
    post = delivery()
    first = blog().publish(post)
    again = blog().publish(post)  # a retry by another worker, after a lost answer
    assert again.external_id == first.external_id
    [stored] = posts_with_slug(wp_admin, slug_for(post))
    assert stored["id"] == int(first.external_id) and stored["status"] == "publish"
    assert stored["title"]["raw"] == post.title and "vin chaud" in stored["content"]["raw"]
    public = httpx.get(first.url, timeout=30, trust_env=False)
    assert public.status_code == 200 and "vin chaud" in public.text


def test_a_lost_answer_is_found_before_a_retry(blog, delivery):
    post = delivery()
    assert blog().find_published(post) is None
    written = blog().publish(post)
    assert blog().find_published(post) == written


def test_a_draft_stays_a_draft_and_a_scheduled_post_waits_for_its_time(blog, delivery, wp_admin):
    draft = delivery(visibility="draft")
    blog().publish(draft)
    [stored] = posts_with_slug(wp_admin, slug_for(draft))
    assert stored["status"] == "draft"

    when = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    scheduled = delivery(publish_at=when, title=f"{draft.title} programmé")
    blog().publish(scheduled)
    blog().publish(scheduled)
    [stored] = posts_with_slug(wp_admin, slug_for(scheduled))
    assert stored["status"] == "future"
    assert datetime.fromisoformat(stored["date_gmt"]).replace(tzinfo=UTC) == when
