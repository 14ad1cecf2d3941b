"""Parsing feed documents: the three formats, encodings, hostile XML, and the mapping to items."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from federe.connectors.rss.mapping import entry_id, map_entry
from federe.connectors.rss.parser.encoding import decode
from federe.connectors.rss.parser.feed import parse_feed
from federe.connectors.rss.parser.model import FeedError
from federe.connectors.rss.parser.values import absolutize_html, unwrap_redirect
from federe.connectors.types import Item, ItemKind, MalformedItem
from federe.connectors.values import parse_utc as parse_date  # the one date reader, RFC 822 included
from tests.connectors.rss.conftest import fixture_bytes

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def items_of(name: str, url: str = "https://feeds.example/feed") -> tuple[list, list]:
    feed = parse_feed(fixture_bytes(name), url=url)
    mapped = [map_entry(e, feed, feed_url=url, fetched_at=NOW) for e in feed.entries]
    return [m for m in mapped if isinstance(m, Item)], [m for m in mapped if isinstance(m, MalformedItem)]


def test_rss2_entries_become_posts_with_authors_dates_and_absolute_links():
    feed = parse_feed(fixture_bytes("rss2.xml"), url="https://atelier.example.org/feed/")
    assert feed.kind == "rss2" and feed.title == "Le blog de l'Atelier"
    first, second, undated = feed.entries
    assert first.id == "atelier-post-42" and first.title == "Fédère & nous : premier bilan"
    assert first.link == "https://atelier.example.org/2026/11/bilan"  # relative link made absolute
    assert first.author_name == "Camille Martin"  # dc:creator
    assert first.published == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert '<a href="https://atelier.example.org/contact">' in first.content_html  # CDATA, links absolute
    assert first.categories == ["outils"]
    assert (second.author_name, second.author_email) == ("Jane Doe", "jane@example.org")
    assert "&nbsp;with" in second.summary_html  # CDATA is kept as written
    assert undated.published is None

    items = [map_entry(e, feed, feed_url="https://atelier.example.org/feed/", fetched_at=NOW) for e in feed.entries]
    assert all(isinstance(i, Item) and i.kind == ItemKind.POST and i.thread_id == i.external_id for i in items)
    assert items[0].body_html.startswith("<p><strong>Fédère &amp; nous : premier bilan</strong></p><p>Nous utilisons")
    assert items[0].author.display_name == "Camille Martin"
    assert items[1].author.email == "jane@example.org" and items[1].author.external_id.startswith("email:")
    assert items[2].created_at == NOW and items[2].raw["date_missing"] is True  # fallback: first seen


def test_atom_text_constructs_xml_base_and_preferred_links():
    feed = parse_feed(fixture_bytes("atom.xml"), url="https://news.example.net/atom.xml")
    assert feed.kind == "atom" and feed.title == "Example News" and feed.author_name == "Newsroom"
    launch, plain_entry = feed.entries
    assert launch.title == "Acme launches a product"  # type="html" title as plain text
    assert launch.link == "https://news.example.net/articles/acme-launch"  # alternate, not the enclosure
    assert launch.content_html == '<p>Acme said <a href="https://news.example.net/quote">this</a>.<br>More soon.</p>'
    assert launch.published == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert launch.author_uri == "https://news.example.net/alex"
    assert plain_entry.title == "Plain text summary <not a tag>"
    assert plain_entry.summary_html == "<p>Line one<br>Line two &amp; more</p>"  # text escaped, not interpreted
    item = map_entry(plain_entry, feed, feed_url="https://news.example.net/atom.xml", fetched_at=NOW)
    assert isinstance(item, Item)
    assert item.author.display_name == "Newsroom"  # the feed's author when the entry names none
    assert item.created_at == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)  # updated, when there is no published


def test_rss1_rdf():
    items, malformed = items_of("rss1.rdf")
    assert not malformed
    assert [i.external_id for i in items] == ["https://planet.example.com/a", "https://planet.example.com/b"]
    assert items[0].author.display_name == "Dominique"
    assert "<p>Item A talks about Fédère.</p>" in items[0].body_html
    assert items[1].created_at == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def test_google_alerts_links_are_unwrapped_and_the_site_is_the_author():
    items, _malformed = items_of("google_alerts.xml", "https://www.google.com/alerts/feeds/0123/1111")
    first, second = items
    assert first.url == "https://journal.example.fr/tech/federe-outil-libre"
    assert second.url == "https://forum.example.com/t/avis-federe/77"
    assert first.thread_title == "La Fédère des communautés : un outil libre"
    assert first.author.display_name == "journal.example.fr" and first.author.external_id == "site:journal.example.fr"
    assert "<b>Fédère</b>" in first.body_html


def test_unwrap_redirect_only_unwraps_google_wrappers_to_web_addresses():
    assert unwrap_redirect("https://www.google.fr/url?q=https://a.example/x&sa=U") == "https://a.example/x"
    assert unwrap_redirect("https://www.google.com/url?url=javascript:alert(1)") == (
        "https://www.google.com/url?url=javascript:alert(1)"
    )
    assert (
        unwrap_redirect("https://evil.example/url?url=https://a.example/")
        == "https://evil.example/url?url=https://a.example/"
    )


def test_entries_that_cannot_be_mapped_are_malformed_and_the_rest_is_kept():
    items, malformed = items_of("malformed_entry.xml")
    assert [i.url for i in items] == ["https://half.example.org/good", "https://half.example.org/good2"]
    assert len(malformed) == 1 and malformed[0].external_id == "empty-entry-1"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("invalid.xml", "invalid_xml"),
        ("bomb.xml", "entities"),
        ("external_entity.xml", "entities"),
        ("not_a_feed.xml", "not_feed"),
        ("page.html", "html"),
    ],
)
def test_documents_that_are_not_feeds_are_refused_in_plain_words(name, code):
    with pytest.raises(FeedError) as caught:
        parse_feed(fixture_bytes(name), url="https://site.example/")
    assert caught.value.code == code
    assert caught.value.message


def test_a_web_page_points_to_the_feed_it_announces():
    with pytest.raises(FeedError) as caught:
        parse_feed(fixture_bytes("page.html"), url="https://atelier.example.org/blog/")
    assert "https://atelier.example.org/feed.xml" in caught.value.message


def test_latin1_bytes_declared_as_utf8_are_read_as_latin1():
    body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Café crème</title></channel></rss>'
    text, used, notes = decode(body.encode("latin-1"))
    assert "Café crème" in text and used == "cp1252" and notes
    assert parse_feed(body.encode("latin-1")).title == "Café crème"


def test_utf8_bytes_declared_as_latin1_are_read_as_utf8():
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<rss version="2.0"><channel><title>Été à Besançon</title></channel></rss>'
    )
    feed = parse_feed(body.encode("utf-8"))
    assert feed.title == "Été à Besançon" and feed.encoding == "utf-8" and feed.notes


def test_one_invalid_byte_in_a_utf8_feed_spoils_only_itself():
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Été à Besançon</title>'
        "<item><title>Crème brûlée</title><guid>g1</guid><description>Déjà vu BAD</description></item>"
        "</channel></rss>"
    ).encode()
    broken = body.replace(b"BAD", b"\xff")  # one byte that is not UTF-8
    _text, used, notes = decode(broken)
    assert used == "utf-8" and notes  # the note says a character could not be read
    feed = parse_feed(broken)
    assert feed.title == "Été à Besançon" and feed.entries[0].title == "Crème brûlée"
    assert feed.entries[0].summary_html == "Déjà vu \ufffd"


def test_one_invalid_byte_without_any_declaration_is_read_as_utf8_too():
    body = '<rss version="2.0"><channel><title>Noël à Lyon \udcff</title></channel></rss>'
    broken = body.encode("utf-8", "surrogateescape")
    assert parse_feed(broken).title == "Noël à Lyon \ufffd"


def test_a_declared_single_byte_encoding_is_honoured():
    prolog = '<?xml version="1.0" encoding="windows-1252"?>'
    body = prolog + '<rss version="2.0"><channel><title>L’œuvre</title></channel></rss>'
    assert parse_feed(body.encode("cp1252")).title == "L’œuvre"


def test_the_http_charset_is_used_when_the_prolog_says_nothing():
    body = '<rss version="2.0"><channel><title>Noël</title></channel></rss>'.encode("iso-8859-15")
    assert parse_feed(body, http_charset="iso-8859-15").title == "Noël"


def test_utf16_with_a_byte_order_mark():
    body = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Ça va</title></channel></rss>'
    assert parse_feed(body.encode("utf-16")).title == "Ça va"


def test_html_entities_and_forbidden_control_characters_are_tolerated():
    body = b'<rss version="2.0"><channel><title>A&nbsp;B&eacute;\x0b</title></channel></rss>'
    assert parse_feed(body).title == "A Bé"  # titles are one line of plain text


def test_dates_in_rfc822_and_iso8601():
    assert parse_date("Mon, 23 Nov 2026 09:30:00 +0100") == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert parse_date("Mon, 23 Nov 2026 09:30:00 EST") == datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    assert parse_date("2026-11-23T09:30:00.123Z") == datetime(2026, 11, 23, 9, 30, 0, 123000, tzinfo=UTC)
    assert parse_date("2026-11-23") == datetime(2026, 11, 23, tzinfo=UTC)
    assert parse_date("lundi 23 novembre") is None


def test_future_dates_are_brought_back_to_the_fetch_time():
    body = b"""<rss version="2.0"><channel><title>t</title><item><title>x</title><link>https://x.example/1</link>
    <pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item></channel></rss>"""
    feed = parse_feed(body)
    item = map_entry(feed.entries[0], feed, feed_url="https://x.example/feed", fetched_at=NOW)
    assert isinstance(item, Item) and item.created_at == NOW and item.raw["date_in_future"].startswith("2100")


def test_entries_without_id_or_link_are_keyed_by_their_text():
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><description>Only text</description></item></channel></rss>'
    )
    feed = parse_feed(body)
    assert entry_id(feed.entries[0]).startswith("sha1:")


def test_absolutize_html_leaves_absolute_and_special_links():
    html = (
        '<a href="/a">a</a><img src="b.png"><a href="#top">t</a><a href="mailto:x@y.z">m</a><a href="https://o/">o</a>'
    )
    assert absolutize_html(html, "https://s.example/dir/page") == (
        '<a href="https://s.example/a">a</a><img src="https://s.example/dir/b.png"><a href="#top">t</a>'
        '<a href="mailto:x@y.z">m</a><a href="https://o/">o</a>'
    )


def test_the_title_stays_apart_from_the_text_once_stored():
    from federe.core.html import html_to_text, sanitize_html

    feed = parse_feed(
        b'<rss version="2.0"><channel><title>F</title><item><title>Nouvelle gamme</title><guid>g1</guid>'
        b"<description>Disponible d&#232;s lundi.</description></item></channel></rss>"
    )
    item = map_entry(feed.entries[0], feed, feed_url="https://feeds.example/feed", fetched_at=NOW)
    assert isinstance(item, Item)
    assert html_to_text(sanitize_html(item.body_html)) == "Nouvelle gamme Disponible dès lundi."
