"""A client report as HTML and PDF: the template's sections drawn from the dashboards' tables, in its language,
with its logo and colours; WeasyPrint fetches nothing but the logo and Fédère's static files."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from federe.analytics import tables
from federe.connections.services import sync_connection
from federe.inbox.models import Message
from federe.reports import content, logos, render, services
from federe.reports.render import Refused

pytestmark = pytest.mark.django_db


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def synced_period(connection):
    sync_connection(connection.pk, worker_id="test")
    first = Message.objects.order_by("posted_at").first().posted_at.date()
    return content.Period(first, first + timedelta(days=60))


@pytest.fixture
def template(workspace, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fields = services.Fields(name="Monthly for the client", sections=["growth", "activity", "engagement", "campaigns"])
    return services.create_template(workspace, by=owner, fields=fields, logo=png())


def test_the_report_reuses_the_dashboards_tables(template, synced_period):
    report = content.build(template, synced_period)
    assert [t.family for t in report.tables] == ["growth", "activity", "engagement", "campaigns"]
    dashboard = tables.growth(tables.Scope(template.workspace_id, synced_period))
    assert report.tables[0].rows == dashboard.rows and dashboard.rows[1][1] > 0


def test_the_html_report_has_pictures_tables_logo_colours_and_the_engagement_basis(template, synced_period):
    page = render.html(content.build(template, synced_period))
    assert page.count("<svg") >= 2 and page.count("<table") >= 3
    assert page.index("<svg") < page.index("<table")  # the picture first, the table beside it
    assert "data:image/png;base64," in page and "--main: #1F3A5F" in page
    assert "counted by post date" in page
    assert "http://" not in page and "https://" not in page


def test_the_report_in_french(template, synced_period):
    template.language = "fr"
    page = render.html(content.build(template, synced_period))
    assert 'lang="fr"' in page and "Croissance de la communauté" in page and "date de publication" in page


def test_the_pdf_is_made_with_the_logo_read_from_disk(template, synced_period, monkeypatch):
    asked: list[str] = []
    real = render.fetch

    def spy(url: str):
        asked.append(url)
        return real(url)

    monkeypatch.setattr(render, "fetch", spy)
    data = render.pdf(content.build(template, synced_period))
    assert data.startswith(b"%PDF-") and len(data) > 5000
    assert asked and all(url.startswith("file://") for url in asked)
    assert any(url.endswith(template.logo) for url in asked)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://127.0.0.1/x.css",
        "ftp://example.org/a",
        "file:///etc/passwd",
        "file://otherhost/tmp/x.png",
    ],
)
def test_the_fetcher_refuses_anything_but_local_allowed_files(url, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(Refused):
        render.fetch(url)


def test_the_fetcher_refuses_a_way_out_of_the_logo_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "secret.png").write_bytes(b"x")
    with pytest.raises(Refused):
        render.fetch((logos.folder() / ".." / ".." / "secret.png").as_uri())


def test_a_remote_stylesheet_in_the_html_is_not_fetched(monkeypatch):
    from weasyprint import HTML

    asked: list[str] = []
    real = render.fetch

    def spy(url: str):
        asked.append(url)
        return real(url)

    monkeypatch.setattr(render, "fetch", spy)
    html = '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><img src="https://127.0.0.1:9/a.png"><p>Hi</p>'
    data = HTML(string=html, url_fetcher=render.fetcher()).write_pdf()
    assert data.startswith(b"%PDF-") and len(asked) == 2  # asked, refused, and the PDF is made without them


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"GIF89a" + b"\0" * 40, "PNG or JPEG"),
        (b"not an image at all", "PNG or JPEG"),
        (b"\x89PNG" + b"\0" * (1024 * 1024 + 10), "1 MB"),
    ],
)
def test_a_bad_logo_is_refused_in_words(data, words, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as refused:
        logos.store(data, 1)
    assert words in " ".join(refused.value.messages)
    assert not logos.folder().exists() or not any(logos.folder().iterdir())


def test_a_gif_is_refused_even_when_valid(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    with pytest.raises(ValidationError):
        logos.store(out.getvalue(), 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"primary_colour": "red"}, "primary_colour"),
        ({"accent_colour": "#12345"}, "accent_colour"),
        ({"sections": ["growth", "nope"]}, "sections"),
        ({"days": 12}, "days"),
        ({"language": "de"}, "language"),
        ({"schedule": "weekly"}, "recipients"),
        ({"recipients": ["not an address"]}, "recipients"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_template_values_are_refused_by_field(workspace, owner, change, field):
    fields = services.Fields(name="R")
    for key, value in change.items():
        setattr(fields, key, value)
    with pytest.raises(ValidationError) as refused:
        services.create_template(workspace, by=owner, fields=fields)
    assert field in refused.value.message_dict
