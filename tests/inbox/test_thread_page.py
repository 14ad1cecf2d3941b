"""A thread page names its thread (heading and window title) and keeps the inbox's filters on the way back."""

from __future__ import annotations

import html as htmlib
import re

import pytest

from federe.inbox.models import Conversation
from tests.inbox.test_views import HTMX, conversation_of, inbox_url, thread_url

pytestmark = pytest.mark.django_db


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match, "no <title>"
    return htmlib.unescape(match.group(1)).strip()


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


def test_the_window_title_names_the_thread_full_page_and_htmx(logged_in, synced):
    conv = conversation_of(synced)
    Conversation.objects.filter(pk=conv.pk).update(title="Livraison en retard & remboursement")
    full = logged_in.get(thread_url(conv)).content.decode()
    assert _title(full).startswith("Livraison en retard & remboursement · ")
    assert "<h2>Livraison en retard &amp; remboursement</h2>" in full
    # htmx swaps only the thread; the <title> it carries updates the window's title.
    partial = logged_in.get(thread_url(conv), headers=HTMX).content.decode()
    assert _title(partial).startswith("Livraison en retard & remboursement · ")
    assert _title(logged_in.get(inbox_url(synced.workspace)).content.decode()).startswith("Inbox · ")


def test_thread_links_carry_the_filters_and_the_way_back_keeps_them(logged_in, synced):
    conv = conversation_of(synced)
    Conversation.objects.filter(pk=conv.pk).update(status="assigned")
    query = f"channel={synced.pk}&status=assigned"
    listing = logged_in.get(inbox_url(synced.workspace), {"channel": synced.pk, "status": "assigned", "x": "1"})
    assert f'href="{thread_url(conv)}?{query.replace("&", "&amp;")}"' in listing.content.decode()

    for headers in ({}, HTMX):
        page = logged_in.get(f"{thread_url(conv)}?{query}", headers=headers).content.decode()
        back = f'href="{inbox_url(synced.workspace)}?{query.replace("&", "&amp;")}"'
        assert back in page, f"no way back to the filtered list ({'htmx' if headers else 'full page'})"
    full = logged_in.get(f"{thread_url(conv)}?{query}")
    assert [c.pk for c in full.context["page"]] == [conv.pk]  # the list beside the thread stays filtered


def test_after_a_reply_through_htmx_the_way_back_still_keeps_the_filters(logged_in, synced):
    conv = conversation_of(synced)
    current = f"http://testserver{thread_url(conv)}?status=new"
    page = logged_in.post(
        thread_url(conv, "inbox:status"), {"status": "new"}, headers={**HTMX, "HX-Current-URL": current}
    ).content.decode()
    assert f'href="{inbox_url(synced.workspace)}?status=new"' in page
