"""Only http(s) addresses from networks are stored: a javascript: or data: link would run in a staff member's browser.

Every mapping goes through ``federe.connectors.values.web_url``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from federe.connectors.mastodon.mapping import map_status
from federe.connectors.rss.mapping import map_entry
from federe.connectors.rss.parser.feed import parse_feed
from federe.connectors.stackexchange.mapping import map_post, map_user
from federe.connectors.types import Item
from federe.connectors.wordpress.mapping import map_comment
from tests.connectors.mastodon.conftest import load as load_status
from tests.connectors.wordpress.conftest import load as load_comments

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "https://",
    'https://ok.example/"><script>',
]


@pytest.mark.parametrize("url", HOSTILE)
def test_web_url_keeps_only_http_and_https_addresses(url):
    from federe.connectors.values import web_url

    assert web_url(url) == ""


def test_web_url_keeps_real_addresses_and_refuses_what_does_not_fit():
    from federe.connectors.values import web_url

    assert web_url("https://blog.example.org/a?b=1#c") == "https://blog.example.org/a?b=1#c"
    assert web_url("  HTTP://Example.org/  ") == "HTTP://Example.org/"
    assert web_url("https://x.example/" + "a" * 600) == ""
    assert web_url(None) == "" and web_url(42) == ""


def test_rss_author_uri_and_links():
    feed = parse_feed(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
        b'<link href="javascript:alert(1)"/>'
        b"<entry><id>urn:1</id><title>T</title><updated>2026-01-01T00:00:00Z</updated>"
        b"<author><name>Eve</name><uri>javascript:alert(document.cookie)</uri></author>"
        b'<link href="data:text/html,x"/><content>Hi</content></entry></feed>',
        url="https://feeds.example/atom",
    )
    item = map_entry(feed.entries[0], feed, feed_url="https://feeds.example/atom", fetched_at=datetime.now(UTC))
    assert isinstance(item, Item)
    assert item.author.profile_url == "" and item.url == ""


def test_rss_feed_link_used_as_profile_is_checked_too():
    feed = parse_feed(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>javascript:alert(1)</link>'
        b"<item><title>T</title><guid>g1</guid><description>Hi</description></item></channel></rss>",
        url="https://feeds.example/rss",
    )
    item = map_entry(feed.entries[0], feed, feed_url="https://feeds.example/rss", fetched_at=datetime.now(UTC))
    assert isinstance(item, Item) and item.author.profile_url == "https://feeds.example/rss"


def test_mastodon_account_and_status_urls():
    status = load_status("tag_federe.json")[0]
    status["url"] = "javascript:alert(1)"
    status["uri"] = "data:text/html,x"
    status["account"]["url"] = "javascript:alert(document.cookie)"
    status["account"]["avatar"] = "data:image/svg+xml,<svg onload=alert(1)>"
    item = map_status(status, instance_host="mastodon.example")
    assert isinstance(item, Item)
    assert item.url == "" and item.author.profile_url == "" and item.author.avatar_url == ""


def test_mastodon_media_links_with_other_schemes_are_left_out():
    status = load_status("tag_federe.json")[0]
    status["media_attachments"] = [{"type": "image", "url": "javascript:alert(1)", "description": "x"}]
    item = map_status(status, instance_host="mastodon.example")
    assert isinstance(item, Item) and "javascript:" not in item.body_html


def test_wordpress_author_url_link_and_avatar():
    comment = load_comments("comments_page.json")[0]
    comment["author_url"] = "javascript:alert(document.cookie)"
    comment["link"] = "data:text/html,x"
    comment["author_avatar_urls"] = {"96": "javascript:alert(1)"}
    item = map_comment(comment)
    assert isinstance(item, Item)
    assert item.author.profile_url == "" and item.url == "" and item.author.avatar_url == ""


def test_stack_exchange_site_address_and_member_links():
    member = map_user({"Id": "5", "DisplayName": "Eve", "WebsiteUrl": "javascript:alert(1)"}, "javascript:alert(1)//")
    assert member.website == "" and member.author.profile_url == ""
    post = map_post({"Id": "3", "PostTypeId": "1", "CreationDate": "2020-01-01T00:00:00"}, "javascript:x//")
    assert isinstance(post, Item) and post.url == ""
