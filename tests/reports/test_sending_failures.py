"""A scheduled report that cannot be sent: names that would break the e-mail are refused, and a failed sending is
recorded, tried again later and later, then paused until a member resumes it (review finding 2)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from federe.accounts.services import create_api_token
from federe.core.models import AuditEvent
from federe.reports import schedule, services
from federe.reports.models import ReportTemplate
from tests.reports.test_pages_api_cli import form_data

pytestmark = pytest.mark.django_db

CONTROLS = ["Weekly\nfor ACME", "Weekly\rBcc: x@y.org", "Tab\there", "Next\x85line", "Line\u2028separator"]


@pytest.fixture
def template(workspace, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fields = services.Fields(name="Weekly", sections=["growth"], schedule="weekly", recipients=["c@x.org"])
    return services.create_template(workspace, by=owner, fields=fields)


@pytest.mark.parametrize("name", CONTROLS)
def test_a_name_with_a_control_character_is_refused(workspace, owner, name):
    with pytest.raises(ValidationError) as refused:
        services.create_template(workspace, by=owner, fields=services.Fields(name=name))
    assert "line break" in refused.value.message_dict["name"][0]
    assert not ReportTemplate.objects.exists()


def test_the_page_and_the_api_refuse_a_name_with_a_line_break(client, workspace, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(owner)
    page = client.post(reverse("reports:create", args=[workspace.slug]), form_data(name="Weekly\nBcc: x@y.org"))
    assert page.status_code == 422 and "control character" in page.content.decode()
    raw = create_api_token(user=owner, workspace=workspace, name="t")[1]
    body = {"name": "API\nBcc: x@y.org", "language": "fr", "sections": ["activity"], "days": 7}
    api = client.post("/api/v1/reports", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 422 and api.json()["error"]["field"] == "name"
    assert "caractère de contrôle" not in api.json()["error"]["message"]
    french = client.post(
        "/api/v1/reports",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert french.status_code == 422 and "caractère de contrôle" in french.json()["error"]["message"]
    assert not ReportTemplate.objects.exists()


def test_the_retry_delay_doubles_up_to_a_day():
    delays = [schedule.retry_delay(n) for n in range(1, 12)]
    assert delays[:4] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert delays[-1] == timedelta(days=1) and all(a <= b for a, b in itertools.pairwise(delays))


def fail_once(template, monkeypatch, error: Exception | None = None) -> tuple[bool, ReportTemplate]:
    """The template made due, claimed by the dispatcher, and its sending failing."""

    def down(*args, **kwargs):
        raise error or OSError("Connection refused")

    monkeypatch.setattr(schedule, "send", down)
    ReportTemplate.objects.filter(pk=template.pk).update(next_send_at=timezone.now() - timedelta(seconds=1))
    was = ReportTemplate.objects.get(pk=template.pk).next_send_at
    # Claimed as if two days later, so that the next regular sending is always days away (claimed "now", a run a
    # few minutes before Monday 06:00 UTC saw the retry capped by that sending, and failed).
    now = timezone.now() + timedelta(days=2)
    assert schedule.dispatch_due(now) == [template.pk]
    sent = schedule.send_claimed(template.pk, was, schedule.next_after("weekly", now))
    return sent, ReportTemplate.objects.get(pk=template.pk)


def test_a_failed_sending_is_recorded_and_not_claimed_again_a_minute_later(template, monkeypatch):
    sent, row = fail_once(template, monkeypatch)
    assert not sent
    assert schedule.dispatch_due(timezone.now() + timedelta(minutes=1)) == []
    assert row.send_failures == 1 and row.last_error == "Connection refused" and not row.paused
    assert row.next_send_at - row.last_failed_at == timedelta(minutes=5)
    _sent, row = fail_once(template, monkeypatch)
    assert row.send_failures == 2 and row.next_send_at - row.last_failed_at == timedelta(minutes=10)


def test_after_too_many_failures_the_schedule_pauses_until_resumed(client, template, owner, monkeypatch):
    for _n in range(schedule.MAX_FAILURES):
        _sent, row = fail_once(template, monkeypatch, ValueError("Header values can't contain newlines"))
    assert row.paused and row.next_send_at is None and row.send_failures == schedule.MAX_FAILURES
    assert schedule.dispatch_due(timezone.now() + timedelta(days=30)) == []
    assert AuditEvent.objects.filter(verb="report.paused").count() == 1
    client.force_login(owner)
    page = client.get(reverse("reports:edit", args=[template.workspace.slug, template.pk])).content.decode()
    assert f"its sending failed {schedule.MAX_FAILURES} times in a row" in page
    assert "Header values can&#x27;t contain newlines" in page and "Resume e-mailing" in page
    # saving the template does not start it again by itself
    client.post(reverse("reports:edit", args=[template.workspace.slug, template.pk]), form_data(schedule="weekly"))
    assert ReportTemplate.objects.get(pk=template.pk).paused
    resumed = client.post(reverse("reports:resume", args=[template.workspace.slug, template.pk]))
    assert resumed.status_code == 302
    row = ReportTemplate.objects.get(pk=template.pk)
    assert not row.paused and row.send_failures == 0 and row.next_send_at <= timezone.now()
    assert schedule.dispatch_due() == [template.pk]


def test_the_page_in_french_says_how_many_failures(client, template, owner, monkeypatch):
    fail_once(template, monkeypatch)
    owner.language = "fr"
    owner.save()
    client.force_login(owner)
    url = reverse("reports:edit", args=[template.workspace.slug, template.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Le dernier envoi a échoué (1 fois de suite)" in page
    fail_once(template, monkeypatch)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Les derniers envois ont échoué (2 fois de suite)" in page


def test_a_success_clears_the_failures(template, monkeypatch):
    fail_once(template, monkeypatch)
    monkeypatch.undo()
    row = ReportTemplate.objects.get(pk=template.pk)
    assert schedule.send_claimed(template.pk, row.next_send_at, row.next_send_at)
    row.refresh_from_db()
    assert row.send_failures == 0 and row.last_error == "" and row.last_sent_at is not None


def test_a_reader_cannot_resume(client, template, member_factory):
    from federe.accounts.models import Role

    template.paused, template.next_send_at = True, None
    template.save()
    reader = member_factory(Role.MODERATOR)
    client.force_login(reader)
    response = client.post(reverse("reports:resume", args=[template.workspace.slug, template.pk]))
    assert response.status_code == 403 and ReportTemplate.objects.get(pk=template.pk).paused
