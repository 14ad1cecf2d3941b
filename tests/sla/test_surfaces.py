"""The SLA where people see it: words, the inbox list and thread, the API, the CLI, the warnings."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.core.models import AuditEvent
from federe.inbox import named_views, queries
from federe.notifications.models import Kind, Notification
from federe.sla import tracking, words
from federe.sla.models import Policy, ThreadClock
from federe.sla.warnings import warn_due
from tests.sla.conftest import clock, customer, new_thread, policy

MIN = timedelta(minutes=1)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_time_left_in_words_in_both_languages():
    assert words.time_left(NOW + 130 * MIN, NOW) == "2 h 10 min left"
    assert words.time_left(NOW - 35 * MIN, NOW) == "overdue by 35 min"
    assert words.time_left(NOW + timedelta(days=3, hours=4, minutes=5), NOW) == "3 days 4 h left"
    assert words.time_left(NOW + timedelta(days=1), NOW) == "1 day left"
    with translation.override("fr"):
        assert words.time_left(NOW + 130 * MIN, NOW) == "encore 2 h 10 min"
        assert words.time_left(NOW - 35 * MIN, NOW) == "en retard de 35 min"
        assert words.time_left(NOW + timedelta(days=2), NOW) == "encore 2 jours"


def _recent(conn, minutes_ago: int):
    conv = new_thread(conn)
    customer(conv, timezone.now() - minutes_ago * MIN)
    return conv


def test_the_list_highlights_overdue_threads_and_filters_them(client, workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=60)
    late, fresh = _recent(conn, 90), _recent(conn, 10)
    client.force_login(owner)
    page = client.get(reverse("inbox:list", args=[workspace.slug])).content.decode()
    assert "overdue" in _row_classes(page, late) and "unread" in _row_classes(page, late)
    assert "overdue" not in _row_classes(page, fresh)
    assert "overdue by 30 min" in page and "50 min left" in page
    only = client.get(reverse("inbox:list", args=[workspace.slug]), {"overdue": "1"}).content.decode()
    assert f'data-conversation="{late.pk}"' in only and f'data-conversation="{fresh.pk}"' not in only


def _row_classes(page: str, conv) -> list[str]:
    """The classes of a thread's row in the inbox list."""
    found = re.search(rf'<li data-conversation="{conv.pk}" class="([^"]*)"', page)
    assert found, conv.pk
    return found.group(1).split()


def test_overdue_is_a_named_view_with_its_count(client, workspace, owner, conn, other_workspace):
    policy(workspace, owner, first_response_minutes=60)
    late, fresh = _recent(conn, 90), _recent(conn, 10)
    rival, rival_owner, rival_conn = other_workspace
    policy(rival, rival_owner, first_response_minutes=60)
    theirs = _recent(rival_conn, 90)
    assert queries.view_counts(workspace, owner)["overdue"] == 1
    listed = queries.conversations(workspace, queries.InboxFilters(view="overdue"), owner)
    assert [c.pk for c in listed] == [late.pk]
    client.force_login(owner)
    page = client.get(reverse("inbox:list", args=[workspace.slug])).content.decode()
    link = re.search(r'<a href="\?view=overdue" data-view="overdue"[^>]*>([^<]*)<span class="count">(\d+)</span>', page)
    assert link and link.group(1).strip() == "Overdue" and link.group(2) == "1"
    only = client.get(reverse("inbox:list", args=[workspace.slug]), {"view": "overdue"}).content.decode()
    assert "overdue" in _row_classes(only, late)
    assert f'data-conversation="{fresh.pk}"' not in only and f'data-conversation="{theirs.pk}"' not in only
    with translation.override("fr"):
        assert str(named_views.get("overdue").label) == "En retard"


def test_the_thread_shows_time_left_and_sets_the_priority(client, workspace, owner, conn):
    policy(workspace, owner, "Urgent", priorities=["urgent"], first_response_minutes=15)
    conv = _recent(conn, 5)
    client.force_login(owner)
    url = reverse("inbox:thread", args=[workspace.slug, conv.pk])
    assert "sla-clocks" not in client.get(url).content.decode()
    client.post(reverse("inbox:priority", args=[workspace.slug, conv.pk]), {"priority": "urgent"})
    page = client.get(url).content.decode()
    assert "10 min left" in page and 'data-sla-target="first_response"' in page
    response = client.post(reverse("inbox:priority", args=[workspace.slug, conv.pk]), {"priority": "²"})
    assert response.status_code in (200, 302)
    conv.refresh_from_db()
    assert conv.priority == "urgent"
    client.cookies.load({"django_language": "fr"})
    with translation.override("fr"):
        assert "encore 10 min" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_a_reader_cannot_set_the_priority(client, workspace, owner, conn, member_factory):
    conv = new_thread(conn)
    client.force_login(member_factory(Role.ANALYST))
    client.post(reverse("inbox:priority", args=[workspace.slug, conv.pk]), {"priority": "urgent"})
    conv.refresh_from_db()
    assert conv.priority == "normal"


def _api(client, workspace, user):
    _token, raw = create_api_token(user=user, workspace=workspace, name="script")
    headers = {"Authorization": f"Bearer {raw}"}

    def call(method, path, body=None, **extra):
        kwargs: dict = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(client, method)(f"/api/v1/{path}", headers=headers | extra, **kwargs)

    return call


def test_the_api_creates_lists_updates_reorders_and_deletes(client, workspace, owner, conn):
    api = _api(client, workspace, owner)
    body = {
        "name": "Office",
        "first_response_minutes": 60,
        "hours": "business",
        "business_hours": [{"weekday": 0, "start": "09:00", "end": "18:00"}],
        "holidays": ["2026-05-01"],
    }
    first = api("post", "sla-policies", body, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.content
    again = api("post", "sla-policies", body, **{"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = api("post", "sla-policies", body | {"name": "Else"}, **{"Idempotency-Key": "k1"})
    assert other.status_code == 422
    second = api("post", "sla-policies", {"name": "Urgent", "priorities": ["urgent"], "resolution_minutes": 30})
    ids = [p["id"] for p in api("get", "sla-policies").json()]
    assert ids == [first.json()["id"], second.json()["id"]]
    assert api("put", "sla-policies/order", {"ids": ids[::-1]}).json()[0]["name"] == "Urgent"
    changed = api("put", f"sla-policies/{ids[0]}", body | {"first_response_minutes": 30})
    assert changed.status_code == 200 and changed.json()["first_response_minutes"] == 30
    assert changed.json()["business_hours"] == [{"weekday": 0, "start": "09:00", "end": "18:00"}]
    bad = api("post", "sla-policies", body | {"business_hours": [{"weekday": 0, "start": "9h", "end": "18:00"}]})
    assert bad.status_code == 422
    assert api("delete", f"sla-policies/{ids[1]}").status_code == 204
    assert len(api("get", "sla-policies").json()) == 1
    assert AuditEvent.objects.filter(verb="sla.policy_deleted").exists()


def test_the_api_sets_a_priority_and_filters_overdue(client, workspace, owner, conn):
    api = _api(client, workspace, owner)
    policy(workspace, owner, first_response_minutes=60)
    late = _recent(conn, 90)
    _recent(conn, 5)
    assert [c["id"] for c in api("get", "conversations?overdue=true").json()] == [late.pk]
    assert [c["id"] for c in api("get", "conversations?view=overdue").json()] == [late.pk]
    answer = api("post", f"conversations/{late.pk}/priority", {"priority": "high"})
    assert answer.status_code == 200 and answer.json()["priority"] == "high"
    assert api("post", f"conversations/{late.pk}/priority", {"priority": "urgentissime"}).status_code == 422


def test_another_workspaces_policies_are_out_of_reach(client, workspace, owner, other_workspace):
    rival, rival_owner, _conn = other_workspace
    theirs = policy(rival, rival_owner)
    api = _api(client, workspace, owner)
    assert api("get", "sla-policies").json() == []
    assert api("get", f"sla-policies/{theirs.pk}").status_code == 404
    assert api("put", f"sla-policies/{theirs.pk}", {"name": "x", "first_response_minutes": 1}).status_code == 404
    assert api("delete", f"sla-policies/{theirs.pk}").status_code == 404
    assert api("put", "sla-policies/order", {"ids": [theirs.pk]}).status_code == 422
    assert Policy.objects.get(pk=theirs.pk).name == "Default"


def test_a_moderator_token_cannot_write_policies(client, workspace, member_factory):
    api = _api(client, workspace, member_factory(Role.MODERATOR))
    assert api("post", "sla-policies", {"name": "x", "first_response_minutes": 5}).status_code == 403


def test_the_cli_lists_and_shows_a_threads_clocks(workspace, owner, conn):
    policy(workspace, owner, "Office", first_response_minutes=60, resolution_minutes=600)
    conv = _recent(conn, 90)
    out = StringIO()
    call_command("sla", "list", "--workspace", workspace.slug, stdout=out)
    assert "1. Office" in out.getvalue() and "every channel" in out.getvalue()
    out = StringIO()
    call_command("sla", "show", str(conv.pk), "--workspace", workspace.slug, stdout=out)
    assert "First response: overdue by 30 min" in out.getvalue()
    assert "Resolution: 8 h 30 min left" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("sla", "show", "²", "--workspace", workspace.slug, stdout=StringIO())
    out = StringIO()
    call_command("sla", "refresh", "--workspace", workspace.slug, stdout=out)
    assert "1 open thread" in out.getvalue()


def test_about_to_breach_warns_the_assignee_once_per_target(workspace, owner, conn, member_factory):
    moderator = member_factory(Role.MODERATOR)
    policy(workspace, owner, first_response_minutes=60, resolution_minutes=120)
    unassigned, mine = _recent(conn, 45), _recent(conn, 45)
    mine.assignee = moderator
    mine.save()
    assert warn_due() == 2  # first response due in 15 minutes on both threads
    assert warn_due() == 0  # once
    to_mod = Notification.objects.filter(user=moderator, kind=Kind.SLA_BREACH)
    assert {n.conversation_id for n in to_mod} == {unassigned.pk, mine.pk}
    assert Notification.objects.filter(user=owner, conversation=mine).count() == 0  # the assignee only
    assert to_mod.first().params["target"] == "first_response"
    later = timezone.now() + 70 * MIN  # resolution due in 5 minutes then
    assert warn_due(later) == 2
    assert sorted(clock(mine).warned) == ["first_response", "resolution"]


def test_long_overdue_threads_warn_nobody(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=60)
    _recent(conn, 60 * 24)
    assert warn_due() == 0


def test_a_closed_thread_warns_nobody(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=60)
    conv = _recent(conn, 45)
    tracking.status_changed(conv, "closed", timezone.now())
    assert warn_due() == 0
    assert ThreadClock.objects.get(conversation=conv).due_at is None
