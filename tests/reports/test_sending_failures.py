"""A scheduled report that cannot be sent: names that would break the e-mail are refused (review finding 2)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from federe.accounts.services import create_api_token
from federe.reports import services
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
