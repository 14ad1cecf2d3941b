"""Hand-made probes that once answered 500: each must answer the API's JSON error shape instead."""

from __future__ import annotations

import pytest
from django.test import Client

from federe.listening.models import SavedQuery
from federe.people.models import Note, Person
from tests.api.test_api import API, Api, assert_error

pytestmark = pytest.mark.django_db

HUGE = 10**20


@pytest.fixture
def raw_token(owner, workspace):
    from federe.accounts.services import create_api_token

    return create_api_token(user=owner, workspace=workspace, name="script")[1]


@pytest.fixture
def api(client, raw_token):
    return Api(client, raw_token)


@pytest.mark.parametrize("path", ["/messages", "/conversations", "/people"])
@pytest.mark.parametrize("offset", [-1, HUGE])
def test_an_offset_out_of_range_is_422(api, synced, path, offset):
    assert_error(api.get(path, {"offset": offset}), 422, "invalid", "offset")


@pytest.mark.parametrize(
    "path",
    [
        "/conversations/{n}",
        "/connections/{n}",
        "/people/{n}",
        "/people/{n}/timeline",
        "/listening/queries/{n}/mentions",
    ],
)
def test_a_huge_id_in_the_path_is_an_error_not_a_crash(api, synced, path):
    response = api.get(path.format(n=HUGE))
    assert response.status_code in (404, 422), response.content
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/messages", {"channel": HUGE}, "channel"),
        ("/people", {"channel": HUGE}, "channel"),
        ("/people", {"tag": HUGE}, "tag"),
        ("/people", {"segment": HUGE}, "segment"),
        ("/people", {"seen_within_days": 999_999}, None),
        ("/people", {"silent_for_days": HUGE}, None),
        ("/messages", {"channel": "²"}, "channel"),
    ],
)
def test_numbers_out_of_range_in_filters_are_422(api, synced, path, params, field):
    assert_error(api.get(path, params), 422, "invalid", field)


def test_mentions_before_a_huge_id_is_422(api, synced, workspace, owner):
    query = SavedQuery.objects.create(workspace=workspace, name="Café", text="café")
    assert_error(api.get(f"/listening/queries/{query.pk}/mentions", {"before_id": HUGE}), 422, "invalid", "before_id")


@pytest.mark.parametrize("days", [0, -5, 1_000_000, HUGE])
def test_leaders_over_an_impossible_number_of_days_is_422(api, synced, workspace, owner, days):
    query = SavedQuery.objects.create(workspace=workspace, name="Café", text="café")
    assert_error(api.get(f"/listening/queries/{query.pk}/leaders", {"days": days}), 422, "invalid", "days")


def test_a_nul_character_in_a_body_is_422_and_nothing_is_stored(api, synced):
    person = Person.objects.filter(workspace=synced.workspace).first()
    response = api.post(f"/people/{person.pk}/notes", {"body": "before\x00after"})
    assert_error(response, 422, "invalid", "body")
    assert not Note.objects.exists()


def test_a_nul_character_in_the_query_string_is_422(api, synced):
    assert_error(api.get("/people", {"q": "a\x00b"}), 422, "invalid", "q")


def test_a_body_over_the_upload_limit_is_413_json(api, synced, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/listening/preview", {"text": "x" * 2000})
    assert_error(response, 413, "too_large")


def test_an_unknown_api_path_is_404_json(api):
    assert_error(api.get("/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_405_json(api, synced):
    response = api.client.delete(f"{API}/messages", headers=api.headers)
    assert_error(response, 405, "method_not_allowed")


def test_an_unexpected_error_is_500_json_and_hides_the_details(api, synced, monkeypatch):
    from federe.api.v1 import inbox

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(inbox.queries, "messages", broken)
    response = Client(raise_request_exception=False).get(f"{API}/messages", headers=api.headers)
    error = assert_error(response, 500, "server_error")
    assert "secret" not in error["message"]


def test_a_page_over_the_upload_limit_is_a_translated_413(client, owner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(owner)
    response = client.post("/login/", {"x": "y" * 2000}, headers={"Accept-Language": "fr"})
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
    assert "trop volumineux" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/moderation/decisions", {"action": "approve", "message_ids": [HUGE]}, "message_ids.0"),
        ("/people/merges", {"keep": HUGE, "absorb": 1}, "keep"),
        ("/people/suggestions/1/accept", {"keep": HUGE}, "keep"),
    ],
)
def test_huge_ids_in_a_body_are_422(api, synced, path, body, field):
    assert_error(api.post(path, body), 422, "invalid", field)


def test_a_text_over_its_limit_says_the_limit(api, synced):
    person = Person.objects.filter(workspace=synced.workspace).first()
    error = assert_error(api.post(f"/people/{person.pk}/notes", {"body": "x" * 5001}), 422, "invalid", "body")
    assert "5000" in error["message"]


@pytest.mark.parametrize(("method", "path"), [("delete", "/members/{n}"), ("delete", "/members/invitations/{n}")])
def test_a_huge_member_or_invitation_id_is_422(client, raw_token, synced, method, path):
    response = getattr(client, method)(API + path.format(n=HUGE), headers={"Authorization": f"Bearer {raw_token}"})
    assert_error(response, 422, "invalid")


@pytest.mark.parametrize(
    ("since", "until"), [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01"), ("0001-01-01", "0002-12-31")]
)
@pytest.mark.parametrize(
    "path", ["/reports/{id}/report", "/reports/{id}/pdf", "/reports/transparency", "/analytics/activity"]
)
def test_far_dates_in_a_period_are_422(api, synced, owner, settings, tmp_path, path, since, until):
    from federe.reports import services

    settings.MEDIA_ROOT = tmp_path
    fields = services.Fields(name="R", sections=["growth"])
    template = services.create_template(synced.workspace, by=owner, fields=fields)
    error = assert_error(api.get(path.format(id=template.pk), {"since": since, "until": until}), 422, "invalid")
    assert "1970-01-01" in error["message"]
