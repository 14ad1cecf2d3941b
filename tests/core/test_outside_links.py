"""Addresses from outside content are links only when they are http(s): never javascript:, data: or relative."""

from __future__ import annotations

import pytest
from django.urls import reverse

from federe.core.templatetags.outside import outside_url
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.people.models import Identity
from tests.listening_app.test_services import item, query


@pytest.mark.parametrize(
    ("given", "link"),
    [
        ("https://blog.example.org/post/1", "https://blog.example.org/post/1"),
        ("HTTP://Example.org/a?b=1#c", "HTTP://Example.org/a?b=1#c"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("javascript:alert(document.cookie)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("\x01 javascript:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("java\nscript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox(1)", ""),
        ("//evil.example.org/x", ""),
        ("/w/acme/inbox/", ""),
        ("https:alert(1)", ""),
        ("https://", ""),
        ("ftp://example.org/file", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_only_http_and_https_addresses_become_links(given, link):
    assert outside_url(given) == link


@pytest.mark.django_db
def test_a_person_page_never_links_a_javascript_profile_address(client, owner, workspace, connection):
    ingest_items(connection, [item(1, "Bonjour")])
    identity = Identity.objects.get(workspace=workspace)
    Identity.objects.filter(pk=identity.pk).update(profile_url="javascript:alert(document.cookie)")
    client.force_login(owner)
    page = client.get(reverse("people:person", args=[workspace.slug, identity.person_id])).content.decode()
    assert 'href="javascript:' not in page
    assert "javascript:alert(document.cookie)" in page  # still shown, as text, so a moderator sees it

    Identity.objects.filter(pk=identity.pk).update(profile_url="https://forum.example.org/u/ana")
    page = client.get(reverse("people:person", args=[workspace.slug, identity.person_id])).content.decode()
    assert 'href="https://forum.example.org/u/ana"' in page


@pytest.mark.django_db
def test_a_listening_query_page_never_links_a_data_address(client, owner, workspace, connection):
    ingest_items(connection, [item(1, "Le café Lumière"), item(2, "Lumière encore")])
    saved = query(workspace, owner, "Lumière", "lumière")
    Message.objects.filter(external_id="m1").update(url="data:text/html,<script>alert(1)</script>")
    client.force_login(owner)
    page = client.get(reverse("listening:query", args=[workspace.slug, saved.pk])).content.decode()
    assert 'href="data:' not in page
    assert 'href="https://blog.example.org/post/2"' in page
