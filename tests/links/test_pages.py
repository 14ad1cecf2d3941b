"""The Links page, the post page's clicks, the compose option and GET /api/v1/links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.links import services
from federe.links.models import LinkSettings, PostTracking, ShortLink, UtmPreset
from federe.links.utm import Context
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.services import create_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def clicked(tracked_post, channels):
    post = tracked_post()
    link = services.link_for(
        post,
        channels[0],
        "https://example.org/",
        {"utm_source": "{network}"},
        Context("Blog", "dummy", str(post.pk), "2026-03-29"),
    )
    for _ in range(3):
        services.count_click(link)
    return post, link


def test_the_page_shows_clicks_per_channel_before_the_table(client, owner, workspace, clicked):
    post, link = clicked
    client.force_login(owner)
    page = client.get(reverse("links:page", args=[workspace.slug]), {"post": post.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("<svg") < html.index("<table")
    assert [(t.label, t.clicks) for t in page.context["per_channel"]] == [("Blog", 3)]
    assert link.code in html


def test_another_workspace_s_post_filters_to_nothing(client, owner, workspace, clicked, other_workspace):
    ws_b, owner_b, conn_b = other_workspace
    theirs = create_post(ws_b, owner_b, PostInput(body="https://rival.example", variants=[VariantInput(conn_b.pk)]))
    their_link = services.link_for(
        theirs, conn_b, "https://rival.example", {}, Context("F", "dummy", "1", "2026-01-01")
    )
    services.count_click(their_link)
    client.force_login(owner)
    page = client.get(reverse("links:page", args=[workspace.slug]), {"post": theirs.pk})
    assert page.status_code == 200 and list(page.context["links"]) == [] and page.context["per_channel"] == []
    assert their_link.code not in page.content.decode() and "rival.example" not in page.content.decode()
    everything = client.get(reverse("links:page", args=[workspace.slug]), {"post": "²"})
    assert everything.status_code == 200 and [link.pk for link in everything.context["links"]] == [clicked[1].pk]


def test_a_preset_is_saved_and_a_wrong_one_is_refused_in_words(client, owner, workspace, channels):
    client.force_login(owner)
    url = reverse("links:preset", args=[workspace.slug])
    saved = client.post(url, {"prefix": "p-all", "p-all-utm_source": "{network}", "p-all-utm_medium": "social"})
    assert saved.status_code == 302
    assert UtmPreset.objects.get(workspace=workspace, network="").utm_medium == "social"
    refused = client.post(url, {"prefix": "p-all", "p-all-utm_source": "{nope}", "p-all-utm_medium": "x"})
    assert refused.status_code == 200 and "{nope}" in refused.content.decode()
    assert UtmPreset.objects.get(workspace=workspace, network="").utm_medium == "social"  # nothing lost
    assert client.post(url, {"prefix": "p-nosuchnetwork"}).status_code == 404


def test_the_example_follows_what_is_typed(client, owner, workspace, channels):
    client.force_login(owner)
    answer = client.post(
        reverse("links:example", args=[workspace.slug]),
        {"prefix": "p-dummy", "p-dummy-utm_source": "{network}", "p-dummy-utm_campaign": "c-{post_id}"},
    )
    assert "https://example.org/news?ref=home&amp;utm_source=dummy&amp;utm_campaign=c-42#top" in answer.content.decode()


def test_a_reader_sees_the_page_but_cannot_change_anything(client, workspace, member_factory, channels):
    client.force_login(member_factory(Role.CLIENT))
    page = client.get(reverse("links:page", args=[workspace.slug]))
    assert page.status_code == 200 and b"preset-form" not in page.content
    assert (
        client.post(reverse("links:settings", args=[workspace.slug]), {"shorten_by_default": "on"}).status_code == 403
    )
    assert client.post(reverse("links:preset", args=[workspace.slug]), {"prefix": "p-all"}).status_code == 403
    assert not LinkSettings.objects.exists() and not UtmPreset.objects.exists()


def test_the_workspace_default_starts_the_composer_s_checkbox(client, owner, workspace, channels):
    client.force_login(owner)
    client.post(reverse("links:settings", args=[workspace.slug]), {"shorten_by_default": "on"})
    form = client.get(reverse("publishing:compose", args=[workspace.slug])).context["form"]
    assert form["track_links"].value() is True


def test_the_composer_records_the_choice_and_counts_the_short_form(client, owner, workspace, channels, settings):
    settings.FEDERE_BASE_URL = "https://f.example"
    client.force_login(owner)
    long = "https://example.org/" + "a" * 600
    data = {"body": f"See {long}", "when": "draft", "channels": [str(channels[0].pk)], "track_links": "on"}
    response = client.post(reverse("publishing:compose", args=[workspace.slug]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert PostTracking.objects.get().shorten is True
    limits = client.post(
        reverse("publishing:limits", args=[workspace.slug]),
        {"prefix": f"v{channels[0].pk}", "body": f"See {long}", "track_links": "on"},
    )
    assert limits.context["measure"].count == len("See https://f.example/l/1234567")
    refused = client.post(reverse("publishing:compose", args=[workspace.slug]), {**data, "track_links": ""})
    assert refused.status_code == 200  # 600 characters do not fit the network's 500 when written out


def test_the_post_page_shows_its_clicks_per_channel(client, owner, workspace, clicked):
    post, _link = clicked
    client.force_login(owner)
    page = client.get(reverse("publishing:post", args=[workspace.slug, post.pk]))
    assert "3 clicks" in page.content.decode()


def test_the_api_lists_links_with_their_clicks(client, owner, workspace, clicked, other_workspace):
    post, link = clicked
    raw = create_api_token(user=owner, workspace=workspace, name="t")[1]
    answer = client.get("/api/v1/links", {"post_id": post.pk}, headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    (row,) = answer.json()
    assert row["code"] == link.code and row["clicks"] == 3 and row["short_url"].endswith(f"/l/{link.code}")
    assert row["destination"] == "https://example.org/?utm_source=dummy"
    assert ShortLink.objects.count() == 1


def test_the_api_can_ask_a_post_to_shorten_its_links(client, owner, workspace, channels):
    raw = create_api_token(user=owner, workspace=workspace, name="t")[1]
    body = {"body": "https://example.org/a", "variants": [{"connection_id": channels[0].pk}], "shorten_links": True}
    answer = client.post(
        "/api/v1/posts", body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert answer.status_code == 201
    assert PostTracking.objects.get(post_id=answer.json()["id"]).shorten is True
    body["shorten_links"] = False
    edit = client.put(
        f"/api/v1/posts/{answer.json()['id']}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert edit.status_code == 200 and PostTracking.objects.get().shorten is False


def test_the_command_lists_links_with_their_clicks(workspace, clicked, settings):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.FEDERE_BASE_URL = "https://f.example"
    post, link = clicked
    out = StringIO()
    call_command("links", "list", "--workspace", workspace.slug, "--post", str(post.pk), stdout=out)
    assert out.getvalue().strip() == f"https://f.example/l/{link.code} → https://example.org/ · Blog · 3 clicks"
    empty = StringIO()
    call_command("links", "list", "--workspace", workspace.slug, "--post", "999999", stdout=empty)
    assert "No short link yet" in empty.getvalue()
    with pytest.raises(CommandError):
        call_command("links", "list", "--workspace", "nope")
