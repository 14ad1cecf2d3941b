"""Classifiers in the browser: the queue explains its scores; the models page learns, shows figures, rolls back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from federe.accounts.models import Workspace
from federe.inbox.models import Message
from federe.moderation import services as moderation
from federe.nlp.models import WorkspaceModel
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in, switch_language

pytestmark = pytest.mark.browser


def test_queue_explains_and_models_page_learns_and_rolls_back(
    page: Page, live_server, demo_data: Workspace, screenshots_dir
):
    from django.contrib.auth import get_user_model

    base, slug = live_server.url, demo_data.slug
    demo = get_user_model().objects.get(username="demo")
    inbound = Message.objects.filter(workspace=demo_data, direction="in", spam_score__isnull=False)
    spam = list(inbound.filter(spam_score__gte=0.5)[:8])
    ham = list(inbound.filter(spam_score__lt=0.2)[:24])
    assert len(spam) >= 3 and len(ham) >= 10, "the demo should hold some spam and plenty of conversation"
    for m in spam:
        moderation.decide(messages=[m], action="spam", by=demo)
    for m in ham:
        moderation.decide(messages=[m], action="approve", by=demo)

    log_in(page, base)
    page.goto(f"{base}/w/{slug}/moderation/")
    first = page.locator("li.qitem").first
    first.locator("details.why summary").click()
    expect(first.locator(".pushes li").first).to_be_visible()
    expect(first.locator(".score-pill").first).to_contain_text("%")
    page.screenshot(path=str(screenshots_dir / "queue-scores-en.png"), full_page=False)

    page.locator("h1 a[href$='/moderation/models/']").click()
    card = page.locator("section.model-card").first
    expect(card.locator("h2")).to_have_text("Spam")
    card.get_by_role("button", name="Learn now").click()
    expect(page.locator(".messages, [role=status], .flash").first).to_contain_text("Version 1")
    row = WorkspaceModel.objects.get(workspace=demo_data, task="spam")
    card = page.locator("section.model-card").first
    if row.active:
        expect(card.locator("figure.bars .bar.mine")).to_be_visible()
        expect(card.locator(".badge.ok").first).to_contain_text("version 1")
    assert_no_horizontal_overflow(page, "models")
    page.screenshot(path=str(screenshots_dir / "models-en.png"), full_page=True)

    switch_language(page, "fr")
    expect(page.locator("main h1")).to_have_text("Modèles")
    page.screenshot(path=str(screenshots_dir / "models-fr.png"), full_page=True)
    if row.active:
        page.locator("section.model-card").first.get_by_role("button", name="N’utiliser que le modèle livré").click()
        expect(page.locator("section.model-card").first.locator(".badge").first).to_have_text("modèle livré")
        assert not WorkspaceModel.objects.filter(workspace=demo_data, active=True).exists()
    page.goto(f"{base}/w/{slug}/moderation/")
    page.locator("li.qitem").first.locator("details.why summary").click()
    page.screenshot(path=str(screenshots_dir / "queue-scores-fr.png"), full_page=False)
