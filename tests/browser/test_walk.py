"""What a walk through the less visited pages found, kept from coming back: the campaign's impact table cut at
1366 px, a chart's last day label cut at its right edge, the registrations' "Cancel" pushed off a phone's
screen, and the closed networks' "not yet checked against the live service" notice hard to see."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

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


def _visit(page: Page, url: str, lang: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.evaluate(FITS), f"{url} is wider than the window in {lang}"


@pytest.mark.browser
@pytest.mark.parametrize("width", (1366, 390))
@pytest.mark.parametrize("lang", ("en", "fr"))
def test_the_walked_pages_show_everything(make_page, live_server, demo_data: Workspace, lang: str, width: int):  # noqa: F811
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

    _visit(page, f"{base}/w/{ws.slug}/events/{_event(ws).pk}/", lang)
    cancel = page.locator("main table button.link").first
    expect(cancel).to_be_visible()
    box = cancel.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width, "Cancel is off the screen"

    page.goto(f"{base}/w/{ws.slug}/channels/")
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
