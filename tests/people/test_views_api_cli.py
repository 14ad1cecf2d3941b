"""People through the UI, the API and the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.inbox.models import Conversation
from federe.people.engagement import scoring
from federe.people.identities import suggestions
from federe.people.models import Identity, Merge, MergeSuggestion, Person, Segment, SuggestionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(community, workspace):
    blog, forum = community.channel("Blog"), community.channel("Forum", network="wordpress")
    a = community.person("Ana Bell", connection=blog, handle="anab")
    b = community.person("Ana Bell", connection=forum, handle="anab")
    community.say(a, days_ago=2)
    community.say(b, days_ago=1, language="en")
    scoring.recompute(workspace)
    suggestions.refresh_suggestions(workspace, auto_merge=False)
    return a, b, MergeSuggestion.objects.get()


def test_pages_render_with_filters_and_bad_input_is_explained(client, owner, workspace, pair):
    a, b, suggestion = pair
    client.force_login(owner)
    page = client.get(reverse("people:list", args=[workspace.slug]))
    assert page.status_code == 200 and "Ana Bell" in page.content.decode()
    assert sum(n for _v, _l, n in page.context["distribution"]) == 2
    english = client.get(reverse("people:list", args=[workspace.slug]), {"language": "en"})
    assert [p.pk for p in english.context["page"]] == [b.pk]
    bad = client.get(reverse("people:list", args=[workspace.slug]), {"score_min": "lots", "seen_within_days": "-3"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 2  # bad filters dropped, said so
    shown = [str(m) for m in bad.context["messages"]]
    assert any("Lowest score" in m for m in shown) and any("Seen in the last" in m for m in shown)
    for name in ("people:suggestions", "people:signals", "people:settings"):
        assert client.get(reverse(name, args=[workspace.slug])).status_code == 200
    person = client.get(reverse("people:person", args=[workspace.slug, a.pk]))
    assert person.status_code == 200 and person.context["suggestions"][0].pk == suggestion.pk
    older = client.get(reverse("people:person", args=[workspace.slug, a.pk]), {"before": "nonsense"})
    assert older.status_code == 200 and older.context["timeline"].items


def test_accept_then_undo_from_the_ui(client, owner, workspace, pair):
    a, b, suggestion = pair
    client.force_login(owner)
    response = client.post(
        reverse("people:suggestion-decide", args=[workspace.slug, suggestion.pk]), {"action": "accept", "keep": b.pk}
    )
    assert response.status_code == 302
    record = Merge.objects.get()
    assert record.kept_id == b.pk and Identity.objects.filter(person=b).count() == 2
    response = client.post(reverse("people:merge-undo", args=[workspace.slug, record.pk]))
    assert response.status_code == 302
    assert Identity.objects.filter(person=a).count() == 1 and Identity.objects.filter(person=b).count() == 1
    assert MergeSuggestion.objects.get().status == SuggestionStatus.UNDONE


def test_a_client_can_look_but_not_change(client, member_factory, workspace, pair):
    a, _b, suggestion = pair
    client.force_login(member_factory(Role.CLIENT))
    assert client.get(reverse("people:person", args=[workspace.slug, a.pk])).status_code == 200
    client.post(reverse("people:suggestion-decide", args=[workspace.slug, suggestion.pk]), {"action": "accept"})
    client.post(reverse("people:person-note", args=[workspace.slug, a.pk]), {"body": "x"})
    assert not Merge.objects.exists() and not a.notes.exists()
    assert client.get(reverse("people:export", args=[workspace.slug])).status_code == 403
    assert client.get(reverse("people:person-export", args=[workspace.slug, a.pk])).status_code == 403


def test_segments_filter_the_inbox(client, owner, workspace, pair):
    _a, b, _s = pair
    client.force_login(owner)
    response = client.post(reverse("people:segment-save", args=[workspace.slug]), {"name": "English", "language": "en"})
    segment = Segment.objects.get()
    assert response.status_code == 302 and segment.filters == {"language": "en"}
    inbox = client.get(reverse("inbox:list", args=[workspace.slug]), {"segment": segment.pk})
    expected = set(Conversation.objects.filter(messages__author__person=b).values_list("pk", flat=True))
    assert {c.pk for c in inbox.context["page"]} == expected
    assert (
        client.get(reverse("people:list", args=[workspace.slug]), {"segment": segment.pk})
        .context["page"]
        .paginator.count
        == 1
    )
    # a segment with no filter is refused, with a reason, and nothing is saved
    client.post(reverse("people:segment-save", args=[workspace.slug]), {"name": "Everything"})
    assert Segment.objects.count() == 1


def test_api(client, owner, workspace, pair):
    a, b, suggestion = pair
    _token, raw = create_api_token(user=owner, workspace=workspace, name="t")
    headers = {"Authorization": f"Bearer {raw}"}

    def call(method, path, body=None, **params):
        if method == "get":
            return client.get("/api/v1/people" + path, params, headers=headers)
        return getattr(client, method)(
            "/api/v1/people" + path, json.dumps(body or {}), content_type="application/json", headers=headers
        )

    listed = call("get", "").json()
    assert {p["id"] for p in listed} == {a.pk, b.pk}
    assert call("get", "", levels=["champion"]).json() == []
    assert call("get", "", score_min="x").status_code == 422
    assert call("get", f"/{a.pk}/timeline").json()["items"]
    assert call("post", f"/{a.pk}/notes", {"body": "hello"}).status_code == 201
    assert call("post", f"/{a.pk}/tags", {"name": "vip"}).json() == ["vip"]
    assert call("put", f"/{a.pk}/fields", {"name": "city", "value": "Lyon"}).json() == {"city": "Lyon"}
    detail = call("get", f"/{a.pk}").json()
    assert detail["tags"] == ["vip"] and detail["notes"][0]["body"] == "hello" and detail["open_suggestions"]
    suggestions = call("get", "/suggestions").json()
    assert suggestions[0]["evidence"] and suggestions[0]["total"] == suggestion.total
    merged = call("post", f"/suggestions/{suggestion.pk}/accept", {"keep": a.pk})
    assert merged.status_code == 201 and merged.json()["kept"] == a.pk
    assert call("post", f"/merges/{merged.json()['id']}/undo").json()["undone_at"]
    bad = call("put", "/settings", {"threshold_regular": 1000, "threshold_champion": 10})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "threshold_regular"
    good = call("put", "/settings", {"weight_post": 2, "weight_attended": 4})
    assert good.status_code == 200 and good.json()["weight_post"] == 2 and good.json()["formula"]
    assert good.json()["weight_attended"] == 4 and any("events is worth 4 points" in t for t in good.json()["formula"])
    assert call("post", "/segments", {"name": "Regulars", "filters": {"levels": ["regular"]}}).status_code == 201
    exported = call("get", f"/{a.pk}/export").json()
    assert exported["person"]["id"] == a.pk
    assert call("post", f"/{a.pk}/erase", {"confirm": "nope"}).status_code == 422
    assert call("post", f"/{a.pk}/erase", {"confirm": "Ana Bell"}).json()["identities"] == 1
    assert not Person.objects.filter(pk=a.pk).exists()


def test_cli_export_is_csv_with_network_identities(workspace, pair, community, owner):
    a, _b, suggestion = pair
    suggestions.accept_suggestion(suggestion, by=owner, keep=a.pk)
    out = io.StringIO()
    call_command("people", "export", "--workspace", workspace.slug, stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["person_id", "display_name", "score", "level", "reach", "last_seen", "identities"]
    assert len(rows) == 2  # b is merged into a
    identities = sorted(f"{i.connection.network}:{i.external_id}" for i in Identity.objects.filter(person=a))
    assert rows[1][0] == str(a.pk) and sorted(rows[1][6].split(" ")) == identities
    assert {x.split(":")[0] for x in identities} == {"dummy", "wordpress"}


def test_cli_suggestions_merge_unmerge_signals(workspace, pair, owner):
    a, b, suggestion = pair
    out = io.StringIO()
    call_command("people", "suggestions", "--workspace", workspace.slug, "--refresh", stdout=out)
    assert f"{suggestion.pk}" in out.getvalue() and "same handle" in out.getvalue()
    out = io.StringIO()
    call_command("people", "merge", "--workspace", workspace.slug, "--keep", str(a.pk), "--absorb", str(b.pk),
                 "--as", owner.username, stdout=out)  # fmt: skip
    record = Merge.objects.get()
    assert f"unmerge --merge {record.pk}" in out.getvalue()
    call_command("people", "unmerge", "--workspace", workspace.slug, "--merge", str(record.pk), "--as", owner.username,
                 stdout=io.StringIO())  # fmt: skip
    assert Identity.objects.filter(person=b).count() == 1
    with pytest.raises(CommandError, match="--as"):
        call_command("people", "merge", "--workspace", workspace.slug, "--keep", str(a.pk), "--absorb", str(b.pk))
    with pytest.raises(CommandError):
        call_command("people", "recompute", "--workspace", "nope")
    out = io.StringIO()
    call_command("people", "recompute", "--workspace", workspace.slug, stdout=out)
    assert "Recomputed 2 persons" in out.getvalue()
    out = io.StringIO()
    call_command("people", "signals", "--workspace", workspace.slug, stdout=out)
    assert "newcomers (" in out.getvalue()
