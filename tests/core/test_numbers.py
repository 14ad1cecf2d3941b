"""Numbers follow the reader's language: 12,345 and 2.5 in English; 12 345 (narrow no-break space) and 2,5
in French; in sentences, tables and the charts' labels."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from django.template.loader import render_to_string
from django.utils import formats, translation

from federe.core.charts import bar_chart
from federe.listening.charts import voice_chart

NNBSP = "\u202f"


@pytest.mark.parametrize(("lang", "big", "decimal"), [("en", "12,345", "2.5"), ("fr", f"12{NNBSP}345", "2,5")])
def test_number_formats(lang, big, decimal):
    with translation.override(lang):
        assert formats.number_format(12345, force_grouping=True) == big
        assert formats.number_format(2.5, 1) == decimal


@pytest.mark.parametrize(("lang", "big"), [("en", "12,345"), ("fr", f"12{NNBSP}345")])
def test_bar_chart_values_are_grouped_in_the_readers_language(lang, big):
    with translation.override(lang):
        chart = bar_chart([(date(2026, 12, 1), 12345), (date(2026, 12, 2), 3)], title="t")
        svg = render_to_string("core/_barchart.html", {"chart": chart})
    assert f">{big}</text>" in svg
    assert "12345" not in svg


def test_share_of_voice_tooltips_group_big_numbers_in_french():
    from datetime import datetime

    from federe.listening.voice import VoicePoint

    point = VoicePoint(datetime(2026, 12, 1, tzinfo=UTC), "Lumière", "brand", 12345, 0, 12345, 0)
    with translation.override("fr"):
        text = render_to_string("listening/_voice_chart.html", {"chart": voice_chart([point], ["Lumière"], title="t")})
    assert f"Lumière : 12{NNBSP}345" in text or f"Lumière: 12{NNBSP}345" in text


@pytest.mark.parametrize(("lang", "day"), [("en", ">1 Dec<"), ("fr", ">1 déc<")])
def test_chart_days_are_written_as_the_reader_writes_them(lang, day):
    with translation.override(lang):
        svg = render_to_string("core/_barchart.html", {"chart": bar_chart([(date(2026, 12, 1), 1)], title="t")})
    assert day in svg
