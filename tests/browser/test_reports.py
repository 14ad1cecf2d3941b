"""Client reports in a real browser: the report pages at 1366 and 390 px in English and French, and the
issue's scenario end to end (a community manager creates a campaign with a post and a contest through the pages,
draws the contest, a visitor without login opens the certificate, then the client report's PDF is downloaded and
its pages drawn as pictures with poppler's pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page, expect

from federe.accounts.models import Workspace
from federe.campaigns.models import Campaign
from federe.contests.models import Contest
from federe.publishing.channels import publishing_channels
from federe.publishing.models import Post
from federe.reports.models import ReportTemplate
from tests.browser.test_contests import _busy_thread, _confirm, fill_contest_form
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
        if name == "transparency":  # the period's two ends, named as a range ("Du … au …" in French)
            ends = page.locator("form.analytics-period label").all_inner_texts()
            assert [e.strip() for e in ends] == (["From", "to"] if lang == "en" else ["Du", "au"]), ends
        assert_no_horizontal_overflow(page, f"reports-{name}-{lang}-{width}")
        page.screenshot(path=str(screenshots_dir / f"reports-page-{name}-{lang}-{width}.png"), full_page=True)


def _pdf_pages(pdf: Path, out: Path) -> list[Path]:
    """The PDF's pages as PNG pictures (pdftoppm at 60 dpi), named ``<stem>-<n>.png`` in ``out``."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils")
    for old in out.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / pdf.stem)], check=True, timeout=120)
    return sorted(out.glob(f"{pdf.stem}-*.png"))


def _pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=60).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert found, info
    return int(found.group(1))


def test_campaign_post_contest_draw_certificate_then_the_client_report_pdf(
    page: Page, browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir
):
    base, ws = live_server.url, demo_data
    zone = ZoneInfo(ws.timezone)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, base)

    # A post, scheduled for tomorrow on the first publishing channel.
    channel = publishing_channels(ws)[0]
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(zone)
    page.goto(f"{base}/w/{ws.slug}/posts/new/")
    page.locator("#id_body").fill("Jeu concours d'hiver : répondez sous ce message pour gagner un panier gourmand")
    page.locator(f"input[name=channels][value='{channel.pk}']").check()
    page.locator("input[name=when][value=later]").check()
    page.locator("#id_day").fill(tomorrow.date().isoformat())
    page.locator("#id_at").fill("10:00")
    page.locator("main form button.primary[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    post = Post.objects.get(workspace=ws, body__startswith="Jeu concours d'hiver")

    # A contest: replies to a busy thread's first message, ending tomorrow, two winners.
    thread = _busy_thread(ws)
    page.goto(f"{base}/w/{ws.slug}/contests/new/")
    fill_contest_form(page, "Winter basket", thread.messages.order_by("posted_at", "pk").first(), tomorrow)
    contest = Contest.objects.get(workspace=ws, name="Winter basket")

    # The campaign grouping both, from a week ago to a month ahead.
    today = timezone.now().astimezone(zone).date()
    page.goto(f"{base}/w/{ws.slug}/campaigns/new/")
    page.locator("#id_name").fill("Winter campaign")
    page.locator("#id_starts_on").fill((today - timedelta(days=7)).isoformat())
    page.locator("#id_ends_on").fill((today + timedelta(days=30)).isoformat())
    page.locator(f"input[name=post_ids][value='{post.pk}']").check()
    page.locator(f"input[name=contest_ids][value='{contest.pk}']").check()
    page.locator(".campaign-form button.primary[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("Winter campaign")
    campaign = Campaign.objects.get(workspace=ws, name="Winter campaign")
    expect(page.locator(f"main a[href$='/posts/{post.pk}/']")).to_be_visible()
    expect(page.locator(f"main a[href$='/contests/{contest.pk}/']")).to_have_text("Winter basket")
    assert_no_horizontal_overflow(page, "campaign")
    page.screenshot(path=str(screenshots_dir / "scenario-campaign-en-1366.png"), full_page=True)

    # The commitment before the end; the end arrives (time passes through the database); entries; the draw.
    page.goto(f"{base}/w/{ws.slug}/contests/{contest.pk}/")
    page.get_by_role("button", name="Publish the commitment").click()
    _confirm(page)
    expect(page.locator("main code").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    commitment = Contest.objects.get(pk=contest.pk).commitment
    expect(page.locator("main code").first).to_have_text(commitment)
    Contest.objects.filter(pk=contest.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    page.get_by_role("link", name="Review the entries").click()
    page.get_by_role("button", name="Collect the entries again").click()
    expect(page.locator("main table tbody tr").first).to_be_visible()
    page.goto(f"{base}/w/{ws.slug}/contests/{contest.pk}/")
    page.locator("#id_public_value").fill("drand round 5151: 2c26b46b68ffc68f")
    page.locator("#id_source").fill("https://api.drand.sh/public/5151")
    page.get_by_role("button", name="Draw the winners").click()
    _confirm(page)
    expect(page.locator("main .badge.big")).to_have_text("drawn")
    certificate = page.get_by_role("link", name="Public certificate").get_attribute("href")
    assert certificate and certificate.startswith("/draws/")

    # The certificate, in a new browser context: no cookie, no login.
    drawn = Contest.objects.get(pk=contest.pk)
    visitor_context = browser.new_context(**browser_context_args)
    visitor = visitor_context.new_page()
    response = visitor.goto(f"{base}{certificate}")
    assert response is not None and response.status == 200
    expect(visitor.locator("header.topbar details.account")).to_have_count(0)  # nobody is logged in
    expect(visitor.locator("#commitment")).to_have_text(commitment)
    expect(visitor.locator("#seed")).to_have_text(drawn.seed_hex)
    expect(visitor.locator("#entries-hash")).to_have_text(drawn.published["entries_sha256"])
    expect(visitor.locator("#entries-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    winners = visitor.locator("#winners li").all_inner_texts()
    assert winners == [w["name"] for w in drawn.published["winners"]] and len(winners) == 2
    assert_no_horizontal_overflow(visitor, "certificate")
    visitor.screenshot(path=str(screenshots_dir / "scenario-certificate-en-1366.png"), full_page=True)
    visitor_context.close()

    # The client report: a template made from the reports pages, its report opened, its PDF downloaded.
    page.goto(f"{base}/w/{ws.slug}/reports/")
    page.get_by_role("link", name="New report template").click()
    page.locator("#id_name").fill("Winter client report")
    page.locator("#id_language").select_option("fr")
    page.locator("#id_days").select_option("30")
    for box in page.locator("input[name=sections]").all():
        box.check()
    page.locator("main form.form button.primary[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("Winter client report")
    template = ReportTemplate.objects.get(workspace=ws, name="Winter client report")
    page.get_by_role("link", name="Open the report").click()
    expect(page).to_have_url(re.compile(rf"/reports/{template.pk}/report/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("body")).to_contain_text(campaign.name)  # the campaign runs in the report's period
    with page.expect_download() as downloading:
        page.locator("a[href*='report.pdf']").first.click()
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = screenshots_dir / "scenario-client-report.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"

    pages = _pdf_pages(pdf, screenshots_dir)
    count = _pdf_page_count(pdf)
    assert count >= 2, f"the report with every section fits {count} page(s)"
    assert len(pages) == count
    for picture in pages:
        with Image.open(picture) as image:
            grey = image.convert("L")
            assert grey.width > 400 and grey.height > 600, f"{picture.name}: {grey.size}"
            spread = ImageStat.Stat(grey).stddev[0]
            inked = sum(grey.histogram()[:200]) / (grey.width * grey.height)
        assert spread > 10, f"{picture.name} looks blank (grey level deviation {spread:.1f})"
        assert inked > 0.01, f"{picture.name} has almost nothing drawn ({inked:.1%} of its pixels)"
    assert not [e for e in errors if "favicon" not in e], errors
