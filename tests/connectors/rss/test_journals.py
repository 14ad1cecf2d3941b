"""LiveJournal and Dreamwidth journals through the RSS connector, served from 127.0.0.1 (fixtures/journals:
documents written from those sites' feed format)."""

from __future__ import annotations

from federe.connectors.rss.connector import RssConnector
from tests.connectors.rss.conftest import FIXTURES


def read(feed_server, name: str):
    url = feed_server.serve("/data/rss", (FIXTURES / "journals" / name).read_bytes())
    return RssConnector(config={"feed_url": url}, credentials={}).fetch(None)


def test_a_livejournal_community_names_each_poster_and_counts_comments(feed_server):
    batch = read(feed_server, "livejournal_rss.xml")
    by_url = {item.url: item for item in batch.items}
    entry = by_url["https://amis-du-pain.livejournal.com/20481.html"]
    assert entry.author.display_name == "claire_b" and entry.raw["comment_count"] == 12
    assert entry.thread_title == "Levain: une semaine après" and "<b>Merci</b>" in entry.body_html
    assert by_url["https://amis-du-pain.livejournal.com/20230.html"].raw["comment_count"] == 0
    assert {item.author.display_name for item in batch.items} == {"claire_b", "marc_fournil"}
    assert not batch.malformed


def test_a_dreamwidth_journal_in_rss_and_in_atom(feed_server):
    rss = read(feed_server, "dreamwidth_rss.xml").items
    atom = read(feed_server, "dreamwidth_atom.xml").items
    assert [item.url for item in rss] == [item.url for item in atom] == ["https://bakingnotes.dreamwidth.org/5120.html"]
    assert rss[0].raw["comment_count"] == 3
    assert "comment_count" not in atom[0].raw  # the Atom feed does not say it
    assert atom[0].author.display_name == "bakingnotes"
    assert rss[0].author.display_name == "Baking notes"  # no poster named: the journal


def test_the_setup_help_says_which_address_to_paste():
    steps = " ".join(str(step.text) for step in RssConnector.setup_help)
    assert "/data/rss" in steps and "Dreamwidth" in steps
