"""Crafted or unconfirmed POSTs are refused with a clear, translated answer and change nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.inbox.models import Message
from federe.moderation import services
from federe.moderation.models import Decision, Rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Requests made in French leave French active in this thread: the next tests read English."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture
def queued(synced):
    Message.objects.filter(connection=synced).update(review="")
    ids = list(Message.objects.filter(connection=synced, network_status="published").values_list("pk", flat=True)[:3])
    Message.objects.filter(pk__in=ids).update(review="pending")
    return ids


@pytest.mark.parametrize("htmx", [True, False])
def test_an_unknown_action_is_a_400_with_a_translated_message(client, owner, queued, workspace, htmx):
    client.force_login(owner)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        f"/w/{workspace.slug}/moderation/decide/",
        {"ids": [queued[0]], "action": "obliterate"},
        HTTP_ACCEPT_LANGUAGE="fr",
        **extra,
    )
    assert response.status_code == 400
    with translation.override("fr"):
        expected = translation.gettext("Unknown action.")
    assert expected != "Unknown action." and expected in response.content.decode()
    assert not Decision.objects.exists()
    assert Message.objects.get(pk=queued[0]).review == "pending"


@pytest.mark.parametrize("action", ["delete", "ban"])
def test_a_destructive_decision_without_the_confirmation_is_refused(client, owner, queued, workspace, action):
    client.force_login(owner)
    response = client.post(f"/w/{workspace.slug}/moderation/decide/", {"ids": [queued[0]], "action": action})
    assert response.status_code == 400
    assert "Confirm" in response.content.decode()
    assert not Decision.objects.exists()
    message = Message.objects.get(pk=queued[0])
    assert message.review == "pending" and message.network_status == "published"


def test_a_confirmed_delete_is_applied(client, owner, queued, workspace):
    client.force_login(owner)
    response = client.post(
        f"/w/{workspace.slug}/moderation/decide/", {"ids": [queued[0]], "action": "delete", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert Decision.objects.get(message_id=queued[0]).action == "delete"
    assert Message.objects.get(pk=queued[0]).network_status == "removed"


def test_the_queue_explains_what_delete_and_ban_do_on_the_network(client, owner, queued, workspace, synced):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/moderation/").content.decode()
    assert "<dialog" in page and "confirm-dialog" in page
    assert f"The message is deleted on {synced.name}; this cannot be undone." in page
    assert f"is banned from {synced.name}" in page
    assert "<script>" not in page and "onclick" not in page


def test_moving_a_rule_in_an_unknown_direction_is_refused(client, owner, workspace):
    rules = [
        services.save_rule(
            workspace=workspace,
            by=owner,
            name=name,
            match="any",
            conditions=[{"type": "emoji_only"}],
            actions=[{"type": "hold"}],
        )
        for name in ("a", "b")
    ]
    client.force_login(owner)
    response = client.post(f"/w/{workspace.slug}/moderation/rules/{rules[0].pk}/move/", {"direction": "sideways"})
    assert response.status_code == 400
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == ["a", "b"]
    client.post(f"/w/{workspace.slug}/moderation/rules/{rules[0].pk}/move/", {"direction": "down"})
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == ["b", "a"]


def test_deleting_a_listening_query_needs_the_confirmation(client, owner, workspace):
    from federe.listening.models import SavedQuery
    from federe.listening.services import save_query

    query = save_query(workspace=workspace, by=owner, name="Brand", kind="brand", text="acme")
    client.force_login(owner)
    url = f"/w/{workspace.slug}/listening/queries/{query.pk}/delete/"
    refused = client.post(url)
    assert refused.status_code == 400 and SavedQuery.objects.filter(pk=query.pk).exists()
    page = refused.content.decode()
    assert 'name="confirmed" value="yes"' in page and "Brand" in page  # asks again, saying what goes
    query_page = client.get(f"/w/{workspace.slug}/listening/queries/{query.pk}/").content.decode()
    assert "data-confirm=" in query_page
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not SavedQuery.objects.filter(pk=query.pk).exists()


def test_deleting_a_segment_needs_the_confirmation(client, owner, workspace):
    from federe.people.models import Segment

    segment = Segment.objects.create(workspace=workspace, name="Fans", filters={"levels": ["champion"]})
    client.force_login(owner)
    url = f"/w/{workspace.slug}/people/segments/{segment.pk}/delete/"
    assert client.post(url).status_code == 400
    assert Segment.objects.filter(pk=segment.pk).exists()
    people = client.get(f"/w/{workspace.slug}/people/?segment={segment.pk}").content.decode()
    assert "data-confirm=" in people
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_deleting_a_rule_needs_the_confirmation(client, owner, workspace):
    from federe.core.models import AuditEvent

    rule = services.save_rule(
        workspace=workspace,
        by=owner,
        name="Old",
        match="any",
        conditions=[{"type": "emoji_only"}],
        actions=[{"type": "hold"}],
    )
    client.force_login(owner)
    url = f"/w/{workspace.slug}/moderation/rules/{rule.pk}/delete/"
    refused = client.post(url)
    assert refused.status_code == 400 and Rule.objects.filter(pk=rule.pk).exists()
    assert "Old" in refused.content.decode()
    form_page = client.get(f"/w/{workspace.slug}/moderation/rules/{rule.pk}/").content.decode()
    assert "data-confirm=" in form_page and f"/moderation/rules/{rule.pk}/delete/" in form_page
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not Rule.objects.filter(pk=rule.pk).exists()
    assert AuditEvent.objects.get(verb="rule.deleted").details == {"name": "Old"}
