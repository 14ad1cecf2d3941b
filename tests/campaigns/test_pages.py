"""The campaign pages, the budget and its CSV import, the API and the command line, in both languages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.campaigns.models import BudgetLine, Campaign, Goal

pytestmark = pytest.mark.django_db


def _url(name, campaign, **extra):
    return reverse(name, kwargs={"slug": campaign.workspace.slug, "pk": campaign.pk, **extra})


def test_create_then_see_the_picture_and_the_table(client, owner, workspace, synced):
    client.force_login(owner)
    page = client.post(
        reverse("campaigns:create", args=[workspace.slug]),
        {"name": "Autumn", "starts_on": "2026-01-05", "ends_on": "2026-01-11", "description": "Leaves"},
    )
    campaign = Campaign.objects.get(workspace=workspace, name="Autumn")
    assert page.status_code == 302 and page["Location"] == _url("campaigns:campaign", campaign)
    shown = client.get(_url("campaigns:campaign", campaign))
    body = shown.content.decode()
    assert shown.status_code == 200 and "<svg" in body and "normal variation" in body
    assert "Autumn" in client.get(reverse("campaigns:list", args=[workspace.slug])).content.decode()


def test_wrong_dates_are_refused_in_words_nothing_created(client, owner, workspace):
    client.force_login(owner)
    page = client.post(
        reverse("campaigns:create", args=[workspace.slug]),
        {"name": "Backwards", "starts_on": "2026-02-10", "ends_on": "2026-02-01"},
        headers={"Accept-Language": "fr"},
    )
    assert page.status_code == 422 and not Campaign.objects.exists()
    assert "Le dernier jour" in page.content.decode()


def test_a_client_sees_campaigns_but_cannot_create(client, workspace, member_factory, campaign):
    reader = member_factory(Role.CLIENT)
    client.force_login(reader)
    assert client.get(reverse("campaigns:create", args=[workspace.slug])).status_code == 403
    page = client.get(_url("campaigns:campaign", campaign))
    assert page.status_code == 200 and b"campaigns/%d/edit" % campaign.pk not in page.content
    assert client.post(_url("campaigns:budget", campaign), {"category": "Ads", "spent": "5"}).status_code == 422
    assert not BudgetLine.objects.exists()


def test_goals_show_progress_and_cost_per_result(client, owner, campaign):
    client.force_login(owner)
    client.post(_url("campaigns:budget", campaign), {"category": "Ads", "planned": "1 000", "spent": "300,00"})
    assert client.post(_url("campaigns:goals", campaign), {"mentions": "10", "clicks": ""}).status_code == 302
    assert list(Goal.objects.values_list("metric", "target")) == [("mentions", Decimal("10.00"))]
    page = client.get(_url("campaigns:campaign", campaign))
    (state,) = page.context["goals"]
    assert state.reached and state.cost_target == Decimal("100.00")
    assert state.cost_now == (Decimal(300) / Decimal(str(state.current))).quantize(Decimal("0.01"))


def test_budget_lines_are_decimal_in_the_workspace_s_currency(client, owner, campaign):
    client.force_login(owner)
    page = client.post(_url("campaigns:budget", campaign), {"category": "Ads", "planned": "1 250,50", "spent": ""})
    assert page.status_code == 302
    line = BudgetLine.objects.get()
    assert line.planned == Decimal("1250.50") and line.spent == Decimal("0")
    bad = client.post(_url("campaigns:budget", campaign), {"category": "Design", "planned": "lots"})
    assert bad.status_code == 422 and "not an amount" in bad.content.decode()
    assert "1,250.50\u00a0EUR" in client.get(_url("campaigns:budget", campaign)).content.decode()


CSV_OK = "catégorie;dépense;prévu;note\nAds;1 200,50;3 000;invoice 1\nAds;99,50;;invoice 2\nPrizes;40;;\n"
CSV_BAD = "category,spent\nAds,12\nDesign,-5\n,3\n"


def _upload(client, campaign, text, headers=None):
    return client.post(
        _url("campaigns:spend-import", campaign),
        {"file": SimpleUploadedFile("spend.csv", text.encode(), content_type="text/csv")},
        headers=headers or {},
    )


def test_spend_import_previews_then_adds_every_row(client, owner, campaign):
    client.force_login(owner)
    preview = _upload(client, campaign, CSV_OK)
    assert preview.status_code == 200 and not BudgetLine.objects.exists()
    content = preview.context["content"]
    assert content
    done = client.post(_url("campaigns:spend-import", campaign), {"confirm": "yes", "content": content})
    assert done.status_code == 302
    lines = {line.category: (line.planned, line.spent) for line in BudgetLine.objects.all()}
    assert lines == {"Ads": (Decimal("3000.00"), Decimal("1300.00")), "Prizes": (Decimal(0), Decimal("40.00"))}


def test_a_wrong_row_imports_nothing_and_says_which(client, owner, campaign):
    client.force_login(owner)
    BudgetLine.objects.create(workspace=campaign.workspace, campaign=campaign, category="Ads", spent=Decimal(1))
    page = _upload(client, campaign, CSV_BAD, headers={"Accept-Language": "fr"})
    report = page.context["report"]
    assert [row.number for row in report.refused] == [3, 4]
    assert page.context["content"] == ""
    assert "négatif" in page.content.decode()
    assert BudgetLine.objects.get().spent == Decimal(1)


def test_deleting_asks_first(client, owner, campaign):
    client.force_login(owner)
    assert client.post(_url("campaigns:delete", campaign)).status_code == 400
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    assert client.post(_url("campaigns:delete", campaign), {"confirmed": "yes"}).status_code == 302
    assert not Campaign.objects.filter(pk=campaign.pk).exists()


def test_the_api_creates_budgets_and_measures(client, owner, workspace, campaign):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    auth = {"Authorization": f"Bearer {raw}"}
    made = client.post(
        "/api/v1/campaigns",
        {"name": "API", "starts_on": "2026-05-01", "ends_on": "2026-05-31"},
        content_type="application/json",
        headers=auth,
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    line = client.post(
        f"/api/v1/campaigns/{pk}/budget-lines",
        {"category": "Ads", "planned": "100.10", "spent": "20.05"},
        content_type="application/json",
        headers=auth,
    )
    assert line.status_code == 201 and line.json()["spent"] == "20.05"
    assert client.get(f"/api/v1/campaigns/{pk}", headers=auth).json()["planned"] == "100.10"
    impact = client.get(f"/api/v1/campaigns/{campaign.pk}/impact", headers=auth).json()
    mentions = next(f for f in impact["figures"] if f["key"] == "mentions")
    assert mentions["during"] > mentions["before"] and "p" in mentions["sentence"]
    spend = f"/api/v1/campaigns/{pk}/spend-import"
    refused = client.post(spend, {"csv": CSV_BAD}, content_type="application/json", headers=auth).json()
    assert not refused["imported"] and [r["row"] for r in refused["rows"] if r["problems"]] == [3, 4]
    done = client.post(spend, {"csv": CSV_OK}, content_type="application/json", headers=auth).json()
    assert done["imported"] and client.get(f"/api/v1/campaigns/{pk}", headers=auth).json()["spent"] == "1360.05"
    unreadable = client.post(spend, {"csv": ""}, content_type="application/json", headers=auth)
    assert unreadable.status_code == 422
    wrong = client.post(
        "/api/v1/campaigns",
        {"name": "", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
        content_type="application/json",
        headers=auth,
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["message"]


def test_the_command_line(owner, workspace, campaign, tmp_path):
    out = StringIO()
    call_command("campaigns", "list", workspace=workspace.slug, stdout=out)
    assert "Spring launch" in out.getvalue()
    out = StringIO()
    call_command("campaigns", "show", str(campaign.pk), workspace=workspace.slug, stdout=out)
    assert "mentions" in out.getvalue() and "normal variation" in out.getvalue()
    spend = tmp_path / "spend.csv"
    spend.write_text(CSV_OK, encoding="utf-8")
    call_command("campaigns", "import-spend", str(campaign.pk), str(spend), workspace=workspace.slug, stdout=StringIO())
    assert BudgetLine.objects.filter(campaign=campaign).count() == 2
    spend.write_text(CSV_BAD, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "campaigns", "import-spend", str(campaign.pk), str(spend), workspace=workspace.slug, stderr=StringIO()
        )
    call_command(
        "campaigns",
        "create",
        workspace=workspace.slug,
        name="CLI",
        starts="2026-06-01",
        ends="2026-06-02",
        stdout=StringIO(),
    )
    assert Campaign.objects.get(name="CLI").starts_on == date(2026, 6, 1)


def test_the_workspace_currency_is_a_setting(client, owner, workspace):
    client.force_login(owner)
    url = reverse("accounts:settings", args=[workspace.slug])
    assert client.post(url, {"name": "Acme", "timezone": "Europe/Paris", "currency": "CHF"}).status_code == 302
    workspace.refresh_from_db()
    assert workspace.currency == "CHF"
    assert client.post(url, {"name": "Acme", "timezone": "Europe/Paris", "currency": "ZZZ"}).status_code == 422
