"""/l/<code>: a 302 with the UTM parameters, clicks counted per day with nothing about the visitor."""

from __future__ import annotations

import pytest
from django.db import connection as db

from federe.links import services
from federe.links.models import ClickCount, ShortLink
from federe.links.utm import Context

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def link(workspace, channels, tracked_post):
    post = tracked_post()
    context = Context("Blog", "dummy", str(post.pk), "2026-03-29")
    return services.link_for(
        post, channels[0], "https://example.org/news?ref=home#top", {"utm_source": "{network}"}, context
    )


def _get(client, link, agent=BROWSER, **extra):
    return client.get(f"/l/{link.code}", HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.9", **extra)


def test_a_click_is_redirected_with_the_utm_parameters_and_counted(client, link):
    response = _get(client, link)
    assert response.status_code == 302
    assert response["Location"] == "https://example.org/news?ref=home&utm_source=dummy#top"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    _get(client, link)
    assert list(ClickCount.objects.values_list("link_id", "count")) == [(link.pk, 2)]


def test_nothing_about_the_visitor_is_stored(client, link):
    agent = BROWSER + " unique-agent-7f3a"
    _get(client, link, agent=agent, HTTP_X_FORWARDED_FOR="198.51.100.4")
    columns = {f.column for f in ClickCount._meta.concrete_fields}
    assert columns == {"id", "link_id", "day", "count"}
    # and no table of the database holds the address or the agent anywhere
    with db.cursor() as cursor:
        tables = db.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the database itself
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                assert "203.0.113.9" not in text and "198.51.100.4" not in text, table
                assert "unique-agent-7f3a" not in text, table


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "http.rb/5.1.1 (Mastodon/4.3.0; +https://mastodon.example/)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "curl/8.5.0",
        "",
    ],
)
def test_robots_and_previews_are_redirected_but_not_counted(client, link, agent):
    response = _get(client, link, agent=agent)
    assert response.status_code == 302
    assert not ClickCount.objects.exists()


def test_a_head_request_is_not_counted(client, link):
    response = client.head(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    assert not ClickCount.objects.exists()


@pytest.mark.parametrize("code", ["zzzzzzz", "abc", "a" * 300, "%00", "abc%2F..%2Fx"])
def test_an_unknown_code_gets_a_friendly_page_in_the_visitor_s_language(client, link, code):
    response = client.get(f"/l/{code}", HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 404
    assert "Ce lien n’existe pas" in response.content.decode()
    assert not response.cookies
    english = client.get(f"/l/{code}", HTTP_ACCEPT_LANGUAGE="en")
    assert "This link does not exist" in english.content.decode()
    assert not ClickCount.objects.exists()


def test_a_post_to_a_short_link_is_refused(client, link):
    assert client.post(f"/l/{link.code}").status_code == 405
    assert not ClickCount.objects.exists()


def test_codes_are_seven_base62_characters_and_differ(link, channels, tracked_post):
    assert len(link.code) == 7 and link.code.isalnum() and link.code.isascii()
    codes = {services.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert ShortLink.objects.count() == 1
