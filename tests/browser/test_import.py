"""Importing posts in a browser: a French Excel file (semicolons, BOM, day-first dates) checked, its report read
(accepted and refused rows), then confirmed; at 1366 px in English and 390 px in French."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from federe.accounts.models import User, Workspace
from federe.publishing.channels import publishing_channels
from federe.publishing.models import Post
from tests.browser.test_ui import DEMO_USER, assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "lang"), [(1366, "en"), (390, "fr")])
def test_check_a_file_read_the_report_then_create(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width, lang
):
    base, slug = live_server.url, demo_data.slug
    channel = publishing_channels(demo_data)[0].connection
    year = timezone.now().year + 1
    content = (
        "\ufefftexte;canaux;date;titre\n"
        f"Crème brûlée à la carte;{channel.name};24/12/{year} 09:30;Noël\n"
        f"Sans canal;Nulle part;24/12/{year} 10:00;\n"
        f"Trop tard;{channel.name};01/01/2020 09:00;\n"
    ).encode()
    User.objects.filter(username=DEMO_USER).update(language=lang)  # the profile's language, as a member sets it
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/w/{slug}/posts/import/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(f"a[href='/w/{slug}/posts/import/sample.csv']")).to_be_visible()
    page.locator("#id_file").set_input_files({"name": "posts.csv", "mimeType": "text/csv", "buffer": content})
    page.locator("form.import-upload button[type=submit]").click()
    report = page.locator("#import-report")
    expect(report.locator("li.import-row")).to_have_count(3)
    expect(report.locator("li.import-row.ok")).to_have_count(1)
    expect(report.locator("li.import-row.refused").first).to_contain_text("Nulle part")
    expect(report.locator("li.import-row.ok")).to_contain_text("09:30")
    assert_no_horizontal_overflow(page, "import")
    page.screenshot(path=str(screenshots_dir / f"post-import-report-{lang}-{width}.png"), full_page=True)
    assert not Post.objects.filter(workspace=demo_data, body__startswith="Crème brûlée").exists()
    page.locator("form.import-confirm button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/posts/$"))
    post = Post.objects.get(workspace=demo_data, body="Crème brûlée à la carte")
    assert post.title == "Noël" and post.scheduled_at.year == year
    context.close()
