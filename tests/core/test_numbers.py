"""Numbers follow the reader's language: 12,345 and 2.5 in English; 12 345 (narrow no-break space) and 2,5
in French; in sentences, tables and the charts' labels."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import formats, translation

from federe.core.charts import CHAR_WIDTH, bar_chart, category_chart
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


def test_a_label_longer_than_its_bar_is_cut_with_an_ellipsis_and_kept_whole_in_the_title():
    names = ["Problème avec la boutique de Lyon", "Avis", *(f"Atelier dégustation {n}" for n in range(8))]
    chart = category_chart([(name, 3) for name in names], title="t", width=480)
    shown = [bar.short_label for bar in chart.bars]
    assert (
        shown[1] == "Avis" and shown[0].endswith("…") and "Problème avec la boutique de Lyon".startswith(shown[0][:-1])
    )
    assert all(len(label) * CHAR_WIDTH <= 48 for label in shown)  # ten bars in 480: 48 each
    svg = render_to_string("core/_barchart.html", {"chart": chart})
    assert "<title>Problème avec la boutique de Lyon: 3</title>" in svg and f">{shown[0]}</text>" in svg


def test_day_labels_use_the_room_of_the_unlabelled_days_and_stay_whole():
    days = [(date(2026, 11, 1) + timedelta(days=n), n) for n in range(30)]
    with translation.override("fr"):
        chart = bar_chart(days, title="t")
    assert [bar.short_label for bar in chart.bars if bar.show_label][-1] == "30 nov"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_last_day_label_ends_inside_the_chart(lang):
    """The most recent day is always labelled; written from its bar's left edge it ran past the chart's right
    edge and was cut ("7 De" on a campaign's page): it ends at its bar's right edge instead."""
    days = [(date(2026, 11, 16) + timedelta(days=n), n) for n in range(22)]
    with translation.override(lang):
        chart = bar_chart(days, title="t")
        svg = render_to_string("core/_barchart.html", {"chart": chart})
    for bar in (bar for bar in chart.bars if bar.show_label):
        start = bar.label_x - (len(bar.short_label) * CHAR_WIDTH if bar.label_anchor == "end" else 0)
        assert start >= 0 and start + len(bar.short_label) * CHAR_WIDTH <= chart.width, bar.short_label
    last = chart.bars[-1]
    assert last.label_anchor == "end" and 'text-anchor="end" class="lbl"' in svg
