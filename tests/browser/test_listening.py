"""Listening in the browser: write a query, watch the live preview, save it, see the share of voice chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from federe.accounts.models import Workspace
from federe.listening.models import Mention, SavedQuery
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in, switch_language

pytestmark = pytest.mark.browser


def test_write_a_query_preview_save_and_see_share_of_voice(
    page: Page, live_server, demo_data: Workspace, screenshots_dir
):
    base, slug = live_server.url, demo_data.slug
    log_in(page, base)
    page.locator("nav.mainnav a[href$='/listening/']").click()
    expect(page.locator("main h1")).to_contain_text("Listening")
    # The picture first: one stacked bar per day, brand and competitor.
    expect(page.locator("figure.voice svg rect").first).to_be_visible()
    expect(page.locator(".voice-table")).to_contain_text("La Brûlerie")
    assert_no_horizontal_overflow(page, "listening")
    page.screenshot(path=str(screenshots_dir / "listening-en.png"), full_page=True)

    page.get_by_role("link", name="New query").click()
    page.locator("#id_name").fill("Service client")
    page.locator("#id_kind").select_option("topic")
    text = page.locator("#id_text")
    text.fill('("service client" OR livraison')  # unbalanced: the preview says where
    expect(page.locator("#preview .error")).to_contain_text("at character", timeout=5000)
    text.fill('"service client" OR livraison')
    expect(page.locator("#preview ol.preview li").first).to_be_visible(timeout=5000)
    expect(page.locator("#preview")).to_contain_text(re.compile(r"recent messages? match"))
    page.screenshot(path=str(screenshots_dir / "listening-preview-en.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/listening/queries/\d+/$"))
    saved = SavedQuery.objects.get(workspace=demo_data, name="Service client")
    assert Mention.objects.filter(query=saved).exists()
    expect(page.locator("ol.mentions li.mention").first).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "listening-query-en.png"), full_page=False)
    page.goto(f"{base}/w/{slug}/listening/alerts/")
    page.screenshot(path=str(screenshots_dir / "listening-alerts-en.png"), full_page=True)
    page.go_back()

    switch_language(page, "fr")
    expect(page.locator("main h2").first).to_contain_text("Mentions")
    page.goto(f"{base}/w/{slug}/listening/")
    expect(page.locator("main h1")).to_contain_text("Écoute")
    expect(page.locator("figure.voice svg rect").first).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "listening-fr.png"), full_page=True)
    page.goto(f"{base}/w/{slug}/listening/alerts/")
    page.screenshot(path=str(screenshots_dir / "listening-alerts-fr.png"), full_page=True)
    page.goto(f"{base}/w/{slug}/people/")
    page.screenshot(path=str(screenshots_dir / "people-list-fr.png"), full_page=False)
