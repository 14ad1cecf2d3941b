"""People in a real browser: the list, a person page, accepting a merge suggestion and undoing it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from federe.accounts.models import Workspace
from federe.people.models import Identity, Merge, MergeSuggestion, Person, SuggestionStatus
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


def test_people_list_person_page_merge_and_undo(page: Page, live_server, demo_data: Workspace, screenshots_dir):
    base = live_server.url
    log_in(page, base)

    page.locator("nav.mainnav a[href$='/people/']").click()
    expect(page).to_have_url(re.compile(r"/w/cafe-lumiere/people/$"))
    rows = page.locator("table.people tbody tr[data-person]")
    expect(rows.first).to_be_visible()
    levels = page.locator("section.card").filter(has=page.get_by_role("heading", name="Levels"))
    expect(levels.locator("figure.chart svg rect")).to_have_count(4)  # one bar per level
    retention = page.locator("section.card").filter(has=page.get_by_role("heading", name="Retention"))
    expect(retention.locator("figure.chart svg rect").first).to_be_visible()
    assert_no_horizontal_overflow(page, "people list")
    page.screenshot(path=str(screenshots_dir / "people-list-en.png"), full_page=True)

    # The highest score comes first; its page shows the timeline.
    top = Person.objects.filter(workspace=demo_data, merged_into__isnull=True).order_by("-score", "id").first()
    expect(rows.first).to_have_attribute("data-person", str(top.pk))
    rows.first.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/people/{top.pk}/$"))
    expect(page.locator("h1")).to_have_text(top.display_name)
    expect(page.locator("#timeline ul.timeline > li").first).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "people-person-en.png"), full_page=True)

    # Accept the first open suggestion, keeping the person the page proposes.
    page.goto(f"{base}/w/{demo_data.slug}/people/suggestions/")
    card = page.locator("li[data-suggestion]").first
    suggestion = MergeSuggestion.objects.get(pk=int(card.get_attribute("data-suggestion")))
    kept_pk = int(card.locator("input[name=keep]:checked").get_attribute("value"))
    absorbed_pk = suggestion.person_b_id if kept_pk == suggestion.person_a_id else suggestion.person_a_id
    before = {
        kept_pk: set(Identity.objects.filter(person_id=kept_pk).values_list("pk", flat=True)),
        absorbed_pk: set(Identity.objects.filter(person_id=absorbed_pk).values_list("pk", flat=True)),
    }
    card.locator("button[name=action][value=accept]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    record = Merge.objects.get(suggestion=suggestion, undone_at__isnull=True)
    assert record.kept_id == kept_pk
    assert (
        set(Identity.objects.filter(person_id=kept_pk).values_list("pk", flat=True))
        == before[kept_pk] | before[absorbed_pk]
    )
    assert Person.objects.get(pk=absorbed_pk).merged_into_id == kept_pk

    # Undo it from the list of recent merges.
    page.locator(f"#merges li[data-merge='{record.pk}'] button").click()
    expect(page.locator(".flash-success")).to_be_visible()
    record.refresh_from_db()
    assert record.undone_at is not None
    for pk, identities in before.items():
        assert set(Identity.objects.filter(person_id=pk).values_list("pk", flat=True)) == identities
    assert Person.objects.get(pk=absorbed_pk).merged_into_id is None
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.UNDONE
    page.screenshot(path=str(screenshots_dir / "people-suggestions-en.png"), full_page=False)
