"""At send time: each link of a variant becomes its channel's short link, the same on every attempt."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from federe.links import services
from federe.links.models import ShortLink, UtmPreset
from federe.publishing import ledger
from federe.publishing.models import Delivery, DeliveryState
from federe.publishing.sending import publish_due, start_sending

pytestmark = pytest.mark.django_db(transaction=True)

SHORT = re.compile(r"https://federe\.example/l/([0-9A-Za-z]{7})")


@pytest.fixture(autouse=True)
def _base(settings):
    settings.FEDERE_BASE_URL = "https://federe.example"


def _texts_of_next_round() -> dict[int, tuple[str, str]]:
    token, _ids = ledger.claim_due(limit=10)
    return {
        job.delivery.connection_id: (job.outgoing.body_text, job.outgoing.body_html) for job in start_sending(token)
    }


def test_each_channel_gets_its_own_short_links(tracked_post, channels):
    post = tracked_post()
    texts = _texts_of_next_round()
    for channel in channels:
        text, html = texts[channel.pk]
        codes = SHORT.findall(text)
        assert len(codes) == 2 and "example.org" not in text and text.endswith(".")
        assert SHORT.findall(html) == codes  # the formatted text carries the same links
        links = {link.code: link for link in ShortLink.objects.filter(post=post, connection=channel)}
        assert set(codes) == set(links)
        assert {link.target for link in links.values()} == {
            "https://example.org/news?ref=home#top",
            "https://example.com/a",
        }
    assert ShortLink.objects.filter(post=post).count() == 4


def test_a_retried_delivery_sends_exactly_the_same_text(tracked_post, channels):
    tracked_post()
    first = _texts_of_next_round()
    # the worker died: its deliveries are taken back and sent again
    Delivery.objects.update(state=DeliveryState.SCHEDULED, claim_token="", claimed_until=None)
    UtmPreset.objects.create(workspace=channels[0].workspace, utm_source="changed-meanwhile")
    second = _texts_of_next_round()
    assert first == second
    assert ShortLink.objects.count() == 4
    assert not ShortLink.objects.filter(utm_source="changed-meanwhile").exists()


def test_a_post_that_does_not_shorten_sends_its_links_as_written(tracked_post):
    post = tracked_post(shorten=False)
    texts = _texts_of_next_round()
    assert all(text == post.body for text, _html in texts.values())
    assert not ShortLink.objects.exists()


def test_the_workspace_default_applies_to_a_post_without_a_choice(workspace, owner, channels):
    from federe.publishing.checks import PostInput, VariantInput
    from federe.publishing.services import create_post

    services.save_settings(workspace, by=owner, shorten_by_default=True)
    create_post(
        workspace,
        owner,
        PostInput(body="https://example.org", scheduled_at=timezone.now(), variants=[VariantInput(channels[0].pk)]),
    )
    ((text, _html),) = _texts_of_next_round().values()
    assert SHORT.fullmatch(text)


def test_the_links_follow_the_network_s_preset(tracked_post, channels, workspace, owner):
    services.save_preset(workspace, by=owner, templates={"utm_source": "all", "utm_medium": "social"})
    services.save_preset(
        workspace, by=owner, network="dummy", templates={"utm_source": "{network}", "utm_campaign": "{date}"}
    )
    post = tracked_post()
    _texts_of_next_round()
    link = ShortLink.objects.filter(post=post, connection=channels[0], target="https://example.com/a").get()
    day = timezone.localtime(timezone.now(), timezone=None).date()  # noqa: F841 - the post's day, below
    assert link.utm_source == "dummy" and link.utm_medium == "" and re.fullmatch(r"\d{4}-\d\d-\d\d", link.utm_campaign)
    assert link.destination == f"https://example.com/a?utm_source=dummy&utm_campaign={link.utm_campaign}"


def test_the_post_is_published_with_its_short_links(tracked_post):
    post = tracked_post()
    assert publish_due()["sent"] == 2
    assert set(Delivery.objects.filter(post=post).values_list("state", flat=True)) == {DeliveryState.SENT}
