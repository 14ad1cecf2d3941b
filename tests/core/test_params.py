"""Numbers from query strings and forms: superscript digits, huge ids and impossible day counts are no 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from federe.core.params import MAX_DAYS, MAX_ID, whole_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        ("²", None),
        ("١٢", None),
        ("-3", None),
        ("1.5", None),
        ("", None),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 400, None),
        (42, 42),
    ],
)
def test_whole_number(raw, expected):
    assert whole_number(raw) == expected


def test_whole_number_has_a_ceiling():
    assert whole_number(str(MAX_DAYS), high=MAX_DAYS) == MAX_DAYS
    assert whole_number(str(MAX_DAYS + 1), high=MAX_DAYS) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("inbox:list", "channel=²"),
        ("inbox:list", "segment=²"),
        ("inbox:list", f"channel={10**30}"),
        ("people:list", "channel=²&tag=²"),
        ("people:list", "seen_within_days=999999"),
        ("people:list", f"silent_for_days={10**30}"),
    ],
)
def test_pages_with_odd_numbers_in_the_query_string_answer(client, owner, workspace, synced, name, query):
    client.force_login(owner)
    response = client.get(reverse(name, args=[workspace.slug]) + "?" + query)
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_people_segment_that_is_not_a_number_is_404(client, owner, workspace):
    client.force_login(owner)
    assert client.get(reverse("people:list", args=[workspace.slug]) + "?segment=²").status_code == 404
