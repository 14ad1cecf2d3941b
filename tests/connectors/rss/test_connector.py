"""The RSS connector against a real HTTP server on 127.0.0.1: what is valid is stored, what is hostile is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from federe.connections.models import Connection
from federe.connections.services import create_connection, sync_connection
from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Transient
from federe.connectors.rss.connector import SEEN_LIMIT, RssConnector
from federe.inbox.models import Message
from tests.connectors.rss.conftest import Route, endless, fixture_bytes, huge_feed, silent


def connector(url: str, **config) -> RssConnector:
    return RssConnector(config={"feed_url": url, **config}, credentials={})


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://blog.example/{slug}</link><guid>{slug}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 10:{n:02d}:00 GMT</pubDate><description>About {title}</description></item>"
        for n, (slug, title) in enumerate(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>{body}</channel></rss>'.encode()


def test_registered_with_its_setup_fields():
    cls = registry.connector_class("rss")
    assert cls is RssConnector and cls.default_sync_interval_seconds == 900
    assert [f.name for f in cls.setup_fields] == ["feed_url", "display_name"]


@pytest.mark.parametrize(
    ("name", "count"), [("rss2.xml", 3), ("atom.xml", 2), ("rss1.rdf", 2), ("google_alerts.xml", 2)]
)
def test_each_format_is_read_from_the_server(feed_server, name, count):
    url = feed_server.serve(f"/{name}", fixture_bytes(name))
    source = connector(url)
    source.check()
    batch = source.fetch(None)
    assert len(batch.items) == count and not batch.malformed and not batch.has_more
    # Oldest first, so that a page cut in the middle never skips an older entry.
    dates = [item.created_at for item in batch.items]
    assert dates == sorted(dates)


def test_conditional_get_with_etag_gives_nothing_new(feed_server):
    url = feed_server.serve("/feed", rss(("a", "A"), ("b", "B")), etag='"v1"')
    source = connector(url)
    first = source.fetch(None)
    assert len(first.items) == 2 and first.cursor["etag"] == '"v1"'
    second = source.fetch(first.cursor)
    assert second.items == [] and second.cursor == first.cursor
    _path, headers = feed_server.requests[-1]
    assert headers.get("If-None-Match") == '"v1"'


def test_conditional_get_with_last_modified(feed_server):
    stamp = "Fri, 20 Nov 2026 10:00:00 GMT"
    url = feed_server.serve("/feed", rss(("a", "A")), last_modified=stamp)
    source = connector(url)
    first = source.fetch(None)
    assert first.cursor["last_modified"] == stamp
    assert source.fetch(first.cursor).items == []
    assert feed_server.requests[-1][1].get("If-Modified-Since") == stamp


def test_only_new_entries_are_handed_over(feed_server):
    url = feed_server.serve("/feed", rss(("a", "A"), ("b", "B")))
    source = connector(url)
    first = source.fetch(None)
    feed_server.serve("/feed", rss(("a", "A"), ("b", "B"), ("c", "C")))
    second = source.fetch(first.cursor)
    assert [i.external_id for i in second.items] == ["c"]
    assert len(second.cursor["seen"]) == 3


def test_a_large_backlog_is_handed_over_in_pages_without_losing_any(feed_server):
    url = feed_server.serve("/feed", rss(*[(f"e{n}", f"Entry {n}") for n in range(25)]), etag='"big"')
    source = connector(url, page_size=10)
    cursor, got, pages = None, [], 0
    while True:
        batch = source.fetch(cursor)
        got += [i.external_id for i in batch.items]
        cursor, pages = batch.cursor, pages + 1
        if not batch.has_more:
            break
        assert batch.cursor["etag"] == ""  # the next page must read the whole feed again
    assert pages == 3 and sorted(got) == sorted(f"e{n}" for n in range(25)) and len(set(got)) == 25
    assert cursor["etag"] == '"big"'


def test_the_seen_list_stays_bounded(feed_server):
    url = feed_server.serve("/feed", rss(("new", "New")))
    old = [f"{n:016x}" for n in range(SEEN_LIMIT + 50)]
    batch = connector(url).fetch({"seen": old})
    assert len(batch.cursor["seen"]) == SEEN_LIMIT and len(batch.items) == 1


def test_redirect_within_the_allowed_server_is_followed(feed_server):
    feed_server.serve("/real", fixture_bytes("atom.xml"), content_type="application/atom+xml")
    url = feed_server.redirect("/old", "/real", status=301)
    assert len(connector(url).fetch(None).items) == 2


@pytest.mark.parametrize("target", ["http://10.0.0.1/feed", "http://169.254.169.254/latest/meta-data/"])
def test_redirect_to_a_private_address_is_refused(feed_server, target):
    url = feed_server.redirect("/evil", target)
    with pytest.raises(Permanent) as caught:
        connector(url).fetch(None)
    assert target.split("/")[2] in caught.value.message and "FEDERE_NET_ALLOW_HOSTS" in caught.value.message


def test_a_private_feed_address_is_refused_at_creation():
    with pytest.raises(Permanent) as caught:
        connector("http://192.168.1.10/feed.xml").check()
    assert "192.168.1.10" in caught.value.message


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_10_mb_feed_is_refused_as_too_large(feed_server, declare_length):
    feed_server.routes["/huge"] = Route(body=huge_feed(10_000_000, declare_length=declare_length))
    with pytest.raises(Permanent) as caught:
        connector(feed_server.url("/huge")).fetch(None)
    assert "too large" in caught.value.message


def test_an_endless_response_is_cut_by_the_deadline(feed_server):
    feed_server.routes["/endless"] = Route(body=endless)
    with pytest.raises(Transient) as caught:
        connector(feed_server.url("/endless"), timeout=1).fetch(None)
    assert "cut" in caught.value.message


def test_a_server_that_sends_nothing_times_out(feed_server):
    feed_server.routes["/silent"] = Route(body=silent)
    with pytest.raises(Transient) as caught:
        connector(feed_server.url("/silent"), timeout=1).fetch(None)
    assert "timeout" in caught.value.message or "cut" in caught.value.message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("invalid.xml", "not valid XML"),
        ("bomb.xml", "XML bombs"),
        ("not_a_feed.xml", "not an RSS or Atom feed"),
        ("page.html", "web page"),
    ],
)
def test_broken_and_hostile_documents_are_refused_in_plain_words(feed_server, name, words):
    url = feed_server.serve(f"/{name}", fixture_bytes(name))
    with pytest.raises(Permanent) as caught:
        connector(url).check()
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("status", "error"), [(404, Permanent), (410, Permanent), (403, Permanent), (500, Transient), (503, Transient)]
)
def test_http_errors(feed_server, status, error):
    feed_server.routes["/x"] = Route(status=status, body=b"no")
    with pytest.raises(error) as caught:
        connector(feed_server.url("/x")).fetch(None)
    assert str(status) in caught.value.message


def test_429_is_rate_limited_with_the_wait(feed_server):
    feed_server.routes["/x"] = Route(status=429, body=b"slow down", headers={"Retry-After": "120"})
    with pytest.raises(RateLimited) as caught:
        connector(feed_server.url("/x")).fetch(None)
    assert caught.value.retry_after == 120


def test_mismatched_encodings_from_the_server(feed_server):
    latin = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item><title>Crème brûlée</title><link>https://x.example/1</link></item></channel></rss>'
    utf8 = latin.replace("utf-8", "iso-8859-1").replace("Crème brûlée", "Œufs à la neige")
    a = feed_server.serve("/latin", latin.encode("latin-1"), content_type="application/rss+xml")
    b = feed_server.serve("/utf8", utf8.encode("utf-8"), content_type="text/xml; charset=iso-8859-1")
    assert connector(a).fetch(None).items[0].thread_title == "Crème brûlée"
    assert connector(b).fetch(None).items[0].thread_title == "Œufs à la neige"


# -- end to end: through Fédère's services, into the inbox --------------------------------------------------------


@pytest.mark.django_db
def test_end_to_end_valid_stored_hostile_refused_nothing_lost(feed_server, workspace, owner):
    url = feed_server.serve("/feed", fixture_bytes("google_alerts.xml"), etag='"g1"')
    conn = create_connection(
        workspace=workspace, network="rss", name="Alerte Fédère", config={"feed_url": url}, credentials={}, by=owner
    )
    assert conn.sync_interval_seconds == 900
    outcome = sync_connection(conn.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "" and outcome.run.stored == 2
    messages = Message.objects.filter(connection=conn).order_by("posted_at")
    assert [m.url for m in messages] == [
        "https://forum.example.com/t/avis-federe/77",
        "https://journal.example.fr/tech/federe-outil-libre",
    ]
    assert "Fédère" in messages[1].body_text
    conn.refresh_from_db()
    kept_cursor = conn.cursor

    # The feed turns hostile: refused with a clear message, the cursor and the messages stay.
    feed_server.serve("/feed", fixture_bytes("bomb.xml"))
    outcome = sync_connection(conn.pk, worker_id="test")
    conn.refresh_from_db()
    assert outcome is not None and "XML bombs" in outcome.run.error and "XML bombs" in conn.last_error
    assert conn.cursor == kept_cursor and Message.objects.filter(connection=conn).count() == 2

    # Then it redirects to the metadata service: refused too.
    feed_server.redirect("/feed", "http://169.254.169.254/latest/meta-data/")
    sync_connection(conn.pk, worker_id="test")
    conn.refresh_from_db()
    assert "169.254.169.254" in conn.last_error and conn.cursor == kept_cursor

    # Back to normal with one more entry: only that one is added, nothing was lost or doubled.
    body = fixture_bytes("google_alerts.xml").replace(
        b"<entry>",
        b"<entry><id>tag:google.com,2013:googlealerts/feed:new</id><title>Nouveau</title>"
        b'<link href="https://www.google.com/url?rct=j&amp;url=https://blog.example.com/new&amp;ct=ga"/>'
        b'<published>2026-11-23T09:00:00Z</published><content type="html">Encore F&#233;d&#232;re</content>'
        b"</entry><entry>",
        1,
    )
    feed_server.serve("/feed", body, etag='"g2"')
    outcome = sync_connection(conn.pk, worker_id="test")
    conn.refresh_from_db()
    assert outcome is not None and outcome.run.error == "" and outcome.run.stored == 1 and conn.last_error == ""
    assert Message.objects.filter(connection=conn).count() == 3
    assert Message.objects.filter(connection=conn, url="https://blog.example.com/new").exists()


@pytest.mark.django_db
def test_end_to_end_malformed_entries_are_counted_and_the_rest_stored(feed_server, workspace, owner):
    url = feed_server.serve("/feed", fixture_bytes("malformed_entry.xml"))
    conn = create_connection(
        workspace=workspace, network="rss", name="Half", config={"feed_url": url}, credentials={}, by=owner
    )
    outcome = sync_connection(conn.pk, worker_id="test")
    assert outcome is not None and outcome.run.stored == 2 and outcome.run.malformed == 1
    conn.refresh_from_db()
    assert "empty-entry-1" in conn.last_warning
    # Reported once: the next sync does not report it again.
    outcome = sync_connection(conn.pk, worker_id="test")
    assert outcome is not None and outcome.run.malformed == 0


@pytest.mark.django_db
def test_creation_refuses_what_is_not_a_feed(feed_server, workspace, owner):
    url = feed_server.serve("/page", fixture_bytes("page.html"), content_type="text/html")
    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace, network="rss", name="Page", config={"feed_url": url}, credentials={}, by=owner
        )
    assert "web page" in str(caught.value)
    assert not Connection.objects.filter(workspace=workspace).exists()
