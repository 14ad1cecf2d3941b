"""What a walk through the less visited pages found, kept from coming back: the campaign's impact table cut at
1366 px, a chart's last day label cut at its right edge, the registrations' "Cancel" pushed off a phone's
screen, and the closed networks' "not yet checked against the live service" notice hard to see. At 390 px: a
table row's links too small to tap (18 px), long badges broken out of their pill shape. Screenshots go to
artifacts/screenshots/walk-<page>-<lang>-<width>.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from federe.accounts.models import User, Workspace
from federe.connections.models import Connection
from tests.browser.test_every_page import _campaign, _event, make_page  # noqa: F401 (a fixture)
from tests.browser.test_ui import DEMO_USER, log_in

CLOSED = ("x", "linkedin", "facebook", "instagram", "youtube", "telegram", "discord")
FITS = "document.scrollingElement.scrollWidth <= innerWidth"
# Each element's content against its own box: a table cut by its scroller, a label past its chart.
CUT = "e => e.scrollWidth - e.clientWidth"
LAST_LABEL_PAST_CHART = """svg => { const box = svg.getBoundingClientRect();
  const labels = svg.querySelectorAll('text.lbl');
  const last = labels[labels.length - 1].getBoundingClientRect(); return last.right - box.right; }"""


# Each shown badge: its text inside its box, its box inside its container, and when it wraps, a radius fit for
# a box of several lines (a 999px radius on two lines is a broken pill, its corners eating the text).
BADGE_PROBLEMS = """() => [...document.querySelectorAll('main .badge')].filter(b => b.offsetParent).flatMap(b => {
  const box = b.getBoundingClientRect(), room = b.parentElement.getBoundingClientRect(), css = getComputedStyle(b);
  const line = parseFloat(css.lineHeight) + parseFloat(css.paddingTop) + parseFloat(css.paddingBottom);
  const problems = [];
  if (b.scrollWidth > b.clientWidth + 1) problems.push('text overflows');
  if (box.right > room.right + 1) problems.push('past its container');
  if (box.height > 1.5 * line && parseFloat(css.borderTopLeftRadius) > line / 2 + 1) problems.push('wrapped pill');
  return problems.map(p => `${b.textContent.trim()}: ${p}`); })"""
TAP = 32  # px: the least height of a link or link button in a table row on a phone


def _visit(page: Page, url: str, lang: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.evaluate(FITS), f"{url} is wider than the window in {lang}"
    assert page.evaluate(BADGE_PROBLEMS) == [], f"{url} in {lang}"


def _shoot(page: Page, folder: Path, name: str, lang: str, width: int) -> None:
    page.screenshot(path=folder / f"walk-{name}-{lang}-{width}.png", full_page=True)


def _tall_enough(links: Locator, width: int) -> None:
    assert links.count() > 0
    for link in links.all():
        box = link.bounding_box()
        assert box is not None
        if width < 760:
            assert box["height"] >= TAP, f"“{link.inner_text()}” is {box['height']} px tall"


@pytest.mark.browser
@pytest.mark.parametrize("width", (1366, 390))
@pytest.mark.parametrize("lang", ("en", "fr"))
def test_the_walked_pages_show_everything(
    make_page,  # noqa: F811
    live_server,
    demo_data: Workspace,
    screenshots_dir: Path,
    lang: str,
    width: int,
):
    ws, base = demo_data, live_server.url
    for network in CLOSED:
        Connection.objects.create(workspace=ws, network=network, name=f"Café on {network}", config={})
    User.objects.filter(username=DEMO_USER).update(language=lang)  # the pages come in the user's language
    page = make_page(width)
    log_in(page, base)

    _visit(page, f"{base}/w/{ws.slug}/campaigns/{_campaign(ws).pk}/", lang)
    impact = page.locator(".campaign-impact")
    if width == 1366:  # on a phone the table scrolls inside its card, as every wide table does
        assert impact.locator(".table-scroll").evaluate(CUT) <= 0, "the impact table is cut off"
        for header in impact.locator("thead th").all():
            expect(header).to_be_in_viewport()
    assert impact.locator("figure.chart svg").evaluate(LAST_LABEL_PAST_CHART) <= 1, "the last day label is cut"
    _shoot(page, screenshots_dir, "campaign", lang, width)

    _visit(page, f"{base}/w/{ws.slug}/events/{_event(ws).pk}/", lang)
    cancel = page.locator("main table button.link").first
    expect(cancel).to_be_visible()
    box = cancel.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width, "Cancel is off the screen"
    past_scroller = "b => b.getBoundingClientRect().right - b.closest('.table-scroll').getBoundingClientRect().right"
    assert cancel.evaluate(past_scroller) <= 0, "Cancel is hidden past the table's scroller"
    _tall_enough(page.locator("main table button.link"), width)
    _shoot(page, screenshots_dir, "event", lang, width)

    _visit(page, f"{base}/w/{ws.slug}/reports/", lang)
    _tall_enough(page.locator("main table td a"), width)  # a template's name, "Open" and "PDF"
    _shoot(page, screenshots_dir, "reports", lang, width)

    _visit(page, f"{base}/w/{ws.slug}/channels/", lang)  # "waiting for first sync", the longest badge
    _shoot(page, screenshots_dir, "channels", lang, width)

    for network in CLOSED:
        page.select_option("#id_network", network)
        notice = page.locator(f"fieldset[data-network={network}] p.warning.unverified")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Built from" if lang == "en" else "Conçu d’après")
    for channel in Connection.objects.filter(workspace=ws, network__in=CLOSED):
        _visit(page, f"{base}/w/{ws.slug}/channels/{channel.pk}/", lang)
        notice = page.locator("main p.warning.unverified")
        expect(notice).to_be_in_viewport()  # said before the rest, not below the network's limitations
        assert notice.bounding_box()["y"] < page.locator("main section.card").first.bounding_box()["y"]
