"""The SLA page (under the inbox) and the response-time figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from federe.accounts.models import Role
from federe.sla import tracking
from federe.sla.figures import percentile, response_figures
from federe.sla.models import Policy
from tests.sla.conftest import T0, clock, customer, new_thread, policy

MIN = timedelta(minutes=1)


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.9) == 9 and percentile(values, 0.5) == 5 and percentile([7.0], 0.9) == 7


def test_figures_median_p90_and_share_met(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=30)
    for answered_after in (10, 20, 40, None):  # minutes; None: never answered
        conv = new_thread(conn)
        customer(conv, T0)
        if answered_after is not None:
            tracking.replied(conv, T0 + answered_after * MIN)
    found = response_figures(workspace.pk, T0 - MIN, T0 + MIN, now=T0 + 60 * MIN)
    assert found.threads == 4 and found.answered == 3
    assert found.first_response_median == 20 * MIN and found.first_response_p90 == 40 * MIN
    assert (found.met["first_response"], found.counted["first_response"]) == (2, 4)  # 40 min and never: missed
    assert found.share("first_response") == 0.5 and found.share("resolution") is None
    assert response_figures(workspace.pk, T0 + MIN, T0 + 2 * MIN).threads == 0


def _form(**extra):
    data = {"name": "Office", "first_response_minutes": "60", "hours": "business", "day0": "09:00-12:00, 13:00-18:00"}
    return data | extra


def test_a_manager_adds_edits_moves_and_deletes_a_policy(client, workspace, owner, conn):
    client.force_login(owner)
    url = reverse("sla:page", args=[workspace.slug])
    assert client.post(url, _form(holidays="2026-12-25")).status_code == 302
    office = Policy.objects.get(name="Office")
    assert office.business_hours == [[0, 540, 720], [0, 780, 1080]] and office.holidays == ["2026-12-25"]
    client.post(url, _form(name="Urgent", hours="calendar", priorities=["urgent"]))
    urgent = Policy.objects.get(name="Urgent")
    page = client.get(url).content.decode()
    assert page.index("Office") < page.index("Urgent")
    client.post(reverse("sla:move", args=[workspace.slug, urgent.pk]), {"step": "up"})
    assert list(Policy.objects.order_by("position").values_list("name", flat=True)) == ["Urgent", "Office"]
    edit = reverse("sla:edit", args=[workspace.slug, office.pk])
    assert "09:00-12:00, 13:00-18:00" in client.get(edit).content.decode()
    assert client.post(edit, _form(first_response_minutes="30")).status_code == 302
    office.refresh_from_db()
    assert office.first_response_minutes == 30
    delete = reverse("sla:delete", args=[workspace.slug, office.pk])
    assert client.post(delete).status_code == 400  # asks first, changes nothing
    assert Policy.objects.filter(pk=office.pk).exists()
    client.post(delete, {"confirmed": "yes"})
    assert not Policy.objects.filter(pk=office.pk).exists()


@pytest.mark.parametrize(
    "bad",
    [{"day0": "9h-12h"}, {"day0": "12:00-09:00"}, {"holidays": "25/12/2026"}, {"first_response_minutes": "²"}],
)
def test_bad_input_is_refused_in_words_without_a_500(client, workspace, owner, bad):
    client.force_login(owner)
    response = client.post(reverse("sla:page", args=[workspace.slug]), _form(**bad))
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert not Policy.objects.exists()


def test_the_page_in_french(client, workspace, owner):
    owner.language = "fr"
    owner.save()
    client.force_login(owner)
    page = client.get(reverse("sla:page", args=[workspace.slug])).content.decode()
    assert "Objectifs de service" in page and "Heures ouvrées" in page


def test_a_moderator_sees_the_page_but_cannot_change_it(client, workspace, owner, member_factory):
    office = policy(workspace, owner, "Office")
    client.force_login(member_factory(Role.MODERATOR))
    page = client.get(reverse("sla:page", args=[workspace.slug])).content.decode()
    assert "Office" in page and "Add a policy" not in page
    client.post(reverse("sla:page", args=[workspace.slug]), _form(name="Mine"))
    client.post(reverse("sla:delete", args=[workspace.slug, office.pk]), {"confirmed": "yes"})
    assert list(Policy.objects.values_list("name", flat=True)) == ["Office"]


def test_another_workspaces_policy_is_not_found(client, workspace, owner, other_workspace):
    rival, rival_owner, _conn = other_workspace
    theirs = policy(rival, rival_owner, "Theirs")
    client.force_login(owner)
    assert client.get(reverse("sla:edit", args=[workspace.slug, theirs.pk])).status_code == 404
    assert client.post(reverse("sla:delete", args=[workspace.slug, theirs.pk]), {"confirmed": "yes"}).status_code == 404
    assert client.post(reverse("sla:move", args=[workspace.slug, theirs.pk]), {"step": "up"}).status_code == 404
    assert "Theirs" not in client.get(reverse("sla:page", args=[workspace.slug])).content.decode()


def test_a_business_hours_policy_from_the_page_sets_due_times(client, workspace, owner, conn):
    client.force_login(owner)
    client.post(reverse("sla:page", args=[workspace.slug]), _form(day0="", day1="09:00-18:00"))
    conv = new_thread(conn)
    customer(conv, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # Monday: closed; Tuesday 09:00 Paris = 08:00 UTC
    assert clock(conv).first_response_due == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
