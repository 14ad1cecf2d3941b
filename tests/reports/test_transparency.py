"""The moderation transparency report: counts by reason, action and who decided (the dashboards' counts), the
median time to act measured from the decisions, reversals, appeals said plainly; page, CSV, PDF, API and CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from federe.accounts.services import create_api_token
from federe.analytics import figures
from federe.analytics.period import last_days
from federe.inbox import ingest
from federe.inbox.models import Message
from federe.moderation import services as moderation
from federe.moderation.models import Decision
from federe.reports import transparency
from tests.analytics.test_rollup import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(connection, owner):
    """Four messages received now; three decisions by a person, one by a rule; the delays are set by hand."""
    now = timezone.now()
    ingest.ingest_page(connection, [item(n, f"p{n}", 0) for n in range(1, 4)])
    first, second, _third = Message.objects.order_by("pk")
    moderation.decide(messages=[first], action="spam", by=owner)
    moderation.decide(messages=[second], action="remove", by=owner, reason="Off topic")
    moderation.decide(messages=[second], action="restore", by=owner)
    moderation.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Garden",
        match="any",
        conditions=[{"type": "words", "words": ["tomatoes"]}],
        actions=[{"type": "hold"}],
    )
    ingest.ingest_page(connection, [item(9, "cid", 1, text="Who wants tomatoes?")])
    held = Message.objects.get(external_id="m9")
    # time to act: 10, 20 and 40 minutes for the person's three decisions, 0 for the rule's
    for decision, minutes in zip(
        Decision.objects.filter(actor__isnull=False).order_by("pk"), (10, 20, 40), strict=True
    ):
        Message.objects.filter(pk=decision.message_id).update(created_at=now - timedelta(minutes=minutes))
        Decision.objects.filter(pk=decision.pk).update(created_at=now)
    Message.objects.filter(pk=second.pk).update(created_at=now - timedelta(minutes=20))
    Decision.objects.filter(message=held).update(created_at=now)
    Message.objects.filter(pk=held.pk).update(created_at=now)
    return connection.workspace


def test_the_counts_are_the_dashboards_and_the_medians_are_measured(decided):
    period = last_days(7)
    found = transparency.build(decided.pk, period)
    assert found.total == sum(m.count for m in figures.moderation(decided.pk, period)) == 4
    assert (found.automatic, found.human, found.reversals) == (1, 3, 1)
    assert dict(found.by_action) == {"spam": 1, "remove": 1, "restore": 1, "hold": 1}
    assert dict(found.by_reason)["words"] == 1
    assert transparency.minutes(found.median_human) == 20.0
    assert transparency.minutes(found.median_automatic) == 0.0
    assert transparency.minutes(found.median_all) == 15.0  # 0, 10, 20, 20: the two middle ones


def test_an_empty_period_says_nothing_was_decided(workspace):
    found = transparency.build(workspace.pk, last_days(30))
    assert found.total == 0 and found.median_all is None and found.by_action == []


def test_the_page_csv_and_pdf(client, owner, decided):
    client.force_login(owner)
    page = client.get(reverse("reports:transparency", args=[decided.slug]))
    html = page.content.decode()
    assert page.status_code == 200 and "records no appeals" in html and html.count('<figure class="chart">') == 3
    bad = client.get(reverse("reports:transparency", args=[decided.slug]), {"since": "2026-02-30", "until": "x"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.content.decode()
    csv = client.get(reverse("reports:transparency-csv", args=[decided.slug]), {"days": "7"})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Action,Reason,Decided by,Decisions" and len(lines) == 5
    pdf = client.get(reverse("reports:transparency-pdf", args=[decided.slug]), {"days": "7"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_the_page_in_french(client, owner, decided):
    owner.language = "fr"
    owner.save()
    client.force_login(owner)
    html = client.get(reverse("reports:transparency", args=[decided.slug]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rapport de transparence de la modération" in html and "aucun recours" in html
    # The medians are named as medians ("Décisions automatiques (min)" read as a count of decisions).
    assert "Médiane des décisions automatiques (min)" in html and "Médiane des décisions humaines (min)" in html


def test_the_api_and_cli(client, owner, decided, capsys):
    raw = create_api_token(user=owner, workspace=decided, name="t")[1]
    answer = client.get("/api/v1/reports/transparency?days=7", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert answer["decisions"] == 4 and answer["human"] == 3 and answer["appeals_recorded"] is False
    assert answer["median_minutes_human"] == 20.0
    call_command("reports", "transparency", "--workspace", decided.slug, "--csv")
    assert capsys.readouterr().out.count("\n") == 5
    call_command("reports", "transparency", "--workspace", decided.slug)
    assert "Median time to act (min): 15.0" in capsys.readouterr().out
