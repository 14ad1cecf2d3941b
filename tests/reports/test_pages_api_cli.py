"""The report pages, share links (valid, expired, tampered, revoked), the schedule, the API and the CLI."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.reports import schedule, services, sharing
from federe.reports.models import ReportTemplate
from tests.reports.test_render import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(workspace, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fields = services.Fields(name="Weekly", sections=["growth", "sentiment"], schedule="weekly", recipients=["c@x.org"])
    return services.create_template(workspace, by=owner, fields=fields)


def form_data(**changes):
    data = {
        "name": "For the client",
        "language": "fr",
        "sections": ["growth", "engagement"],
        "days": "30",
        "primary_colour": "#112233",
        "accent_colour": "#445566",
        "schedule": "monthly",
        "recipients": "client@example.org\nboss@example.org",
    }
    return {**data, **changes}


def test_a_template_is_made_with_a_logo_from_the_page(client, owner, workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(owner)
    logo = io.BytesIO(png())
    logo.name = "logo.png"
    response = client.post(reverse("reports:create", args=[workspace.slug]), {**form_data(), "logo": logo})
    assert response.status_code == 302
    made = ReportTemplate.objects.get(workspace=workspace)
    assert made.logo and (tmp_path / "report-logos" / made.logo).is_file()
    assert made.addresses() == ["client@example.org", "boss@example.org"] and made.next_send_at.day == 1
    page = client.get(reverse("reports:preview", args=[workspace.slug, made.pk]))
    assert page.status_code == 200 and "Croissance de la communauté" in page.content.decode()
    pdf = client.get(reverse("reports:pdf", args=[workspace.slug, made.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_bad_input_on_the_page_is_said_and_loses_nothing(client, owner, workspace, template):
    client.force_login(owner)
    bad = io.BytesIO(b"GIF89a not really")
    bad.name = "logo.gif"
    url = reverse("reports:edit", args=[workspace.slug, template.pk])
    response = client.post(url, {**form_data(primary_colour="blue", recipients="nope"), "logo": bad})
    html = response.content.decode()
    assert response.status_code == 422 and "six hexadecimal digits" in html and "nope" in html
    template.refresh_from_db()
    assert template.name == "Weekly" and template.primary_colour == "#1F3A5F" and not template.logo
    bad_dates = client.get(reverse("reports:preview", args=[workspace.slug, template.pk]), {"since": "x"})
    assert bad_dates.status_code == 422 and "YYYY-MM-DD" in bad_dates.content.decode()


def test_a_moderator_may_read_reports_but_not_change_them(client, workspace, template, member_factory):
    client.force_login(member_factory(Role.MODERATOR))
    assert client.get(reverse("reports:preview", args=[workspace.slug, template.pk])).status_code == 200
    assert client.get(reverse("reports:edit", args=[workspace.slug, template.pk])).status_code == 403
    client.force_login(member_factory(Role.ANALYST))
    assert client.get(reverse("reports:edit", args=[workspace.slug, template.pk])).status_code == 200


def test_a_share_link_opens_without_login_until_it_expires(client, owner, template):
    token, expires = sharing.make(template, by=owner, days=7)
    url = reverse("reports:shared", args=[token])
    response = client.get(url)
    assert response.status_code == 200 and "Community growth" in response.content.decode()
    assert client.get(reverse("reports:shared-pdf", args=[token])).content.startswith(b"%PDF-")
    with pytest.raises(Exception, match="expired"):
        sharing.open_link(token, now=expires + timedelta(seconds=1))
    old, _ = sharing.make(template, by=owner, days=7, now=timezone.now() - timedelta(days=8))
    expired = client.get(reverse("reports:shared", args=[old]))
    assert expired.status_code == 404 and "expired" in expired.content.decode()


def test_a_tampered_or_revoked_link_gets_a_clear_page(client, owner, template):
    token, _ = sharing.make(template, by=owner, days=30)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(reverse("reports:shared", args=[tampered]), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404 and "pas valide" in response.content.decode()
    sharing.revoke_all(template, by=owner)
    revoked = client.get(reverse("reports:shared", args=[token]))
    assert revoked.status_code == 404 and "no longer" in revoked.content.decode()


def test_next_sending_times():
    monday = datetime(2026, 12, 7, 6, tzinfo=UTC)
    assert schedule.next_after("weekly", monday - timedelta(minutes=1)) == monday
    assert schedule.next_after("weekly", monday) == monday + timedelta(days=7)
    assert schedule.next_after("monthly", datetime(2026, 12, 7, tzinfo=UTC)) == datetime(2027, 1, 1, 6, tzinfo=UTC)


def test_a_due_report_is_claimed_once_and_mailed_with_its_pdf(template):
    was = template.next_send_at
    now = was + timedelta(minutes=1)
    assert schedule.dispatch_due(now) == [template.pk]
    assert schedule.dispatch_due(now) == []  # claimed: a second worker finds nothing
    assert schedule.send_claimed(template.pk, was, schedule.next_after("weekly", now))
    sent = mail.outbox[-1]
    assert sent.to == ["c@x.org"] and sent.attachments[0][2] == "application/pdf"
    assert sent.attachments[0][1].startswith(b"%PDF-")
    template.refresh_from_db()
    assert template.last_sent_at is not None and template.next_send_at > now


def test_a_failed_sending_is_tried_again_in_five_minutes(template, monkeypatch):
    def down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(schedule, "send", down)
    was = template.next_send_at
    following = schedule.next_after("weekly", was)
    ReportTemplate.objects.filter(pk=template.pk).update(next_send_at=following)
    assert not schedule.send_claimed(template.pk, was, following)
    template.refresh_from_db()
    assert template.next_send_at == template.last_failed_at + timedelta(minutes=5)
    assert template.send_failures == 1 and template.last_error == "connection refused"


def test_the_api(client, workspace, owner, template):
    raw = create_api_token(user=owner, workspace=workspace, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listed = client.get("/api/v1/reports", **auth).json()
    assert [t["name"] for t in listed] == ["Weekly"]
    body = {"name": "API", "language": "fr", "sections": ["activity"], "days": 7}
    made = client.post("/api/v1/reports", body, content_type="application/json", **auth)
    assert made.status_code == 201
    bad = client.post("/api/v1/reports", {**body, "primary_colour": "#zzz"}, content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "primary_colour"
    report = client.get(f"/api/v1/reports/{made.json()['id']}/report", **auth).json()
    assert report["tables"][0]["title"] == "Activité" and "date de publication" in report["engagement_basis"]
    shared = client.post(f"/api/v1/reports/{template.pk}/share", {"days": 7}, content_type="application/json", **auth)
    assert shared.status_code == 201 and "/reports/shared/" in shared.json()["url"]
    pdf = client.get(f"/api/v1/reports/{template.pk}/pdf", **auth)
    assert pdf.content.startswith(b"%PDF-")


def test_the_cli(workspace, template, tmp_path, capsys):
    call_command("reports", "list", "--workspace", workspace.slug)
    assert "Weekly" in capsys.readouterr().out
    target = tmp_path / "r.pdf"
    call_command("reports", "pdf", str(template.pk), "--workspace", workspace.slug, "--output", str(target))
    assert target.read_bytes().startswith(b"%PDF-")
    call_command("reports", "share", str(template.pk), "--workspace", workspace.slug, "--days", "7")
    assert "/reports/shared/" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No report template"):
        call_command("reports", "pdf", "999999", "--workspace", workspace.slug)
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reports", "html", str(template.pk), "--workspace", workspace.slug, "--since", "nope")
