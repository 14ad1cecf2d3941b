"""Far dates (year 1 or 9999) in a period are refused in words on every page that reads one, never a 500: the
day after the last one, or the period before it, would fall outside the calendar Python knows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from federe.analytics import period as periods
from federe.reports import services

pytestmark = pytest.mark.django_db

FAR = [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01"), ("0001-01-01", "0002-12-31")]


@pytest.mark.parametrize(("since", "until"), FAR)
def test_far_dates_make_no_period(since, until):
    with pytest.raises(ValidationError, match="between 1970-01-01 and 2100-12-31"):
        periods.parse(None, since, until)


def test_the_first_and_last_days_allowed_make_a_period_and_its_previous_one():
    first = periods.parse(None, "1970-01-01", "1970-01-31")
    assert first.previous().until == first.since
    last = periods.parse(None, "2100-12-01", "2100-12-31")
    assert last.last.isoformat() == "2100-12-31" and last.instants()[1].year == 2101


@pytest.fixture
def logged_in(client, owner, workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.raise_request_exception = False
    client.force_login(owner)
    return client


@pytest.mark.parametrize(("since", "until"), FAR)
@pytest.mark.parametrize("name", ["reports:preview", "reports:pdf"])
def test_a_report_over_far_dates_is_refused_in_words(logged_in, workspace, owner, name, since, until):
    template = services.create_template(workspace, by=owner, fields=services.Fields(name="R", sections=["growth"]))
    response = logged_in.get(reverse(name, args=[workspace.slug, template.pk]), {"since": since, "until": until})
    assert response.status_code == 422
    assert "Choose dates between 1970-01-01 and 2100-12-31." in response.content.decode()


@pytest.mark.parametrize(("since", "until"), FAR)
@pytest.mark.parametrize(
    "name", ["reports:transparency", "reports:transparency-csv", "reports:transparency-pdf", "analytics:dashboard"]
)
def test_the_transparency_report_and_the_dashboard_refuse_far_dates(logged_in, workspace, name, since, until):
    response = logged_in.get(reverse(name, args=[workspace.slug]), {"since": since, "until": until})
    assert response.status_code == 422
    assert "1970-01-01" in response.content.decode()


def test_far_dates_are_refused_in_french(logged_in, workspace, owner):
    owner.language = "fr"
    owner.save()
    response = logged_in.get(
        reverse("reports:transparency", args=[workspace.slug]),
        {"since": "9999-12-31", "until": "9999-12-31"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    assert "Choisissez des dates entre le 1970-01-01 et le 2100-12-31." in response.content.decode()
