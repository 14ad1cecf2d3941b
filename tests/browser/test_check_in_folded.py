"""The check-in list after two registered persons were merged, in a real browser: the folded registration says
so, a tap on it checks the person in once, and both rows show it, in English and French, at 1366 and 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from federe.accounts.models import User, Workspace
from federe.events.models import Event, Registration, Source
from federe.people.identities import merging
from federe.people.models import Person
from tests.browser.test_ui import DEMO_USER, assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_a_folded_registration_is_checked_in_once(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    owner = User.objects.get(username=DEMO_USER)
    start = timezone.now() + timedelta(hours=1)
    event = Event.objects.create(
        workspace=demo_data, title="Dégustation de cafés d’Éthiopie", starts_at=start,
        ends_at=start + timedelta(hours=2), place="Lyon", public_id=f"folded-{width}",
    )  # fmt: skip
    kept = Person.objects.create(workspace=demo_data, display_name="Camille Martin")
    absorbed = Person.objects.create(workspace=demo_data, display_name="camille.m")
    for person, address in ((kept, "camille@example.org"), (absorbed, "c.martin@example.org")):
        Registration.objects.create(
            event=event, key=f"email:{address}", name=person.display_name, email=address, source=Source.PAGE,
            person=person,
        )  # fmt: skip
    merging.merge(keep=kept, absorb=absorbed, by=owner)
    folded = Registration.objects.get(event=event, email="c.martin@example.org")

    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, live_server.url)
    url = f"{live_server.url}/w/{demo_data.slug}/events/{event.pk}/check-in/"
    page.goto(url)
    row = page.locator(f"#r{folded.pk}")
    expect(row.locator("[data-folded]")).to_have_text("Merged with Camille Martin, also registered: one person, "
                                                      "checked in once.")  # fmt: skip
    assert_no_horizontal_overflow(page, "check-in with a folded registration")
    page.screenshot(path=str(screenshots_dir / f"check-in-folded-en-{width}.png"), full_page=True)

    row.get_by_role("button", name="Check in").click()
    expect(page.locator(".flash")).to_contain_text("camille.m is checked in.")
    expect(page.get_by_role("button", name="✓ Checked in (undo)")).to_have_count(2)
    assert Registration.objects.filter(event=event, checked_in_at__isnull=False).count() == 1

    User.objects.filter(pk=owner.pk).update(language="fr")
    page.goto(url)
    # the registration found at the door is now the kept person's; the other one is the folded one
    other = Registration.objects.get(event=event, email="camille@example.org")
    expect(page.locator("[data-folded]")).to_have_count(1)
    expect(page.locator(f"#r{other.pk} [data-folded]")).to_contain_text("une seule personne, pointée une seule fois")
    assert_no_horizontal_overflow(page, "check-in with a folded registration (fr)")
    page.screenshot(path=str(screenshots_dir / f"check-in-folded-fr-{width}.png"), full_page=True)
    context.close()
