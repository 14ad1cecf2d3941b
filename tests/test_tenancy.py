"""No data crosses workspaces: a member of workspace A gets 404 for every object of workspace B,
through the UI and through the API, and nothing of B changes.

The URLs are enumerated from the URLconf and the OpenAPI schema, so a workspace URL or an API
path added later without a case here makes these tests fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from federe.accounts import team
from federe.accounts.models import ApiToken, Invitation, Membership, Role, Workspace
from federe.accounts.services import create_api_token
from federe.analytics.models import WHOLE, DailyDecision
from federe.api.v1.api import api as ninja_api
from federe.campaigns import services as campaign_services
from federe.campaigns.models import BudgetLine, Campaign, Goal
from federe.campaigns.models import Item as CampaignItem
from federe.connections.models import Connection, SyncRun
from federe.connections.services import sync_connection
from federe.contests import services as contest_services
from federe.contests.collect import collect as collect_entries
from federe.contests.models import Contest, Entry
from federe.core.models import AuditEvent
from federe.core.routing import WORKSPACE_PREFIX
from federe.events import services as event_services
from federe.events.models import Event as CalendarEvent
from federe.events.models import Registration
from federe.inbox import notes as inbox_notes
from federe.inbox import reading as inbox_reading
from federe.inbox import saved_filters as inbox_saved_filters
from federe.inbox.models import (
    Conversation,
    InternalNote,
    Message,
    ReadState,
    Reply,
    ReplyState,
    ReviewState,
    SavedFilter,
)
from federe.inbox.services import send_reply
from federe.links import services as link_services
from federe.links.models import ClickCount, LinkSettings, ShortLink, UtmPreset
from federe.links.utm import Context as UtmContext
from federe.listening import services as listening
from federe.listening.models import Alert, AlertSettings, Mention, SavedQuery
from federe.moderation import services as moderation
from federe.moderation.models import Decision, Rule, RuleVersion
from federe.nlp.models import Label, WorkspaceModel
from federe.notifications import services as notification_services
from federe.notifications.models import Kind, Notification
from federe.people import services as people_services
from federe.people.engagement import scoring as people_scoring
from federe.people.identities import merging as people_merging
from federe.people.models import (
    CustomField,
    Identity,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    PersonTag,
    ScoringSettings,
    Segment,
    Tag,
)
from federe.people.queries import PeopleFilters
from federe.publishing import approvals as publishing_approvals
from federe.publishing import queueing as publishing_queueing
from federe.publishing import services as publishing_services
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Post, PostMedia, QueueSlot, Variant
from federe.publishing.models.approvals import ApprovalDecision, ApprovalLink, ApprovalSettings
from federe.replies import services as replies_services
from federe.replies.models import SavedReply
from federe.reports import services as report_services
from federe.reports.models import ReportTemplate
from federe.sla import services as sla_services
from federe.sla.models import Policy as SlaPolicy
from federe.tickets import services as ticket_services
from federe.tickets import teams as ticket_teams
from federe.tickets.models import InboundReceipt, Team, Ticket, TicketChange
from federe.webhooks import services as webhook_services
from federe.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

WORKSPACE_INCLUDE = WORKSPACE_PREFIX


@dataclass
class Tenant:
    workspace: Any
    owner: Any
    connection: Any
    conversation: Any
    message: Any
    failed_reply: Any
    token: Any
    raw_token: str
    extra: dict[str, Any] = field(default_factory=dict)


def _populate(workspace, owner, connection) -> Tenant:
    """A tenant with data in every kind of object: channel, sync runs, conversations, messages,
    a failed reply, an API token, a moderation rule, decisions, a message waiting for review, audit events."""
    if not Message.objects.filter(connection=connection).exists():
        sync_connection(connection.pk, worker_id="test")
    connection.refresh_from_db()
    conversation = Conversation.objects.filter(connection=connection).order_by("pk").first()
    message = conversation.messages.order_by("posted_at").first()
    failing = {**connection.config, "fail_replies": "server_error"}
    Connection.objects.filter(pk=connection.pk).update(config=failing)
    conversation.connection.refresh_from_db()
    failed = send_reply(conversation=conversation, text=f"draft of {workspace.slug}", by=owner)
    assert failed.state == ReplyState.FAILED
    token, raw = create_api_token(user=owner, workspace=workspace, name=f"{workspace.slug} script")
    rule = moderation.save_rule(
        workspace=workspace,
        by=owner,
        name=f"{workspace.name} secret rule",
        match="any",
        conditions=[{"type": "words", "words": ["zzz"]}],
        actions=[{"type": "hold"}],
    )
    decided, pending = Message.objects.filter(connection=connection).order_by("posted_at")[1:3]
    moderation.decide(messages=[decided], action="spam", by=owner)
    Message.objects.filter(pk=pending.pk).update(review=ReviewState.PENDING)
    connection.refresh_from_db()
    assert SyncRun.objects.filter(connection=connection).exists()
    assert AuditEvent.objects.filter(workspace=workspace).exists()
    assert Decision.objects.filter(workspace=workspace).exists()
    tenant = Tenant(workspace, owner, connection, conversation, message, failed, token, raw)
    tenant.extra.update(rule=rule, pending=pending, decided=decided)
    brand = listening.save_query(
        workspace=workspace, by=owner, name=f"{workspace.name} brand", kind="brand", text="lang:fr OR lang:en"
    )
    mention = Mention.objects.filter(query=brand).first()
    assert mention is not None
    tenant.extra.update(query=brand, mention=mention)
    _populate_people(tenant)
    _populate_team(tenant)
    _populate_notes(tenant)
    _populate_posts(tenant)
    _populate_webhooks(tenant)
    _populate_saved_replies(tenant)
    _populate_tickets(tenant)
    _populate_inbox_views(tenant)
    _populate_sla(tenant)
    _populate_campaigns(tenant)
    _populate_contests(tenant)
    _populate_events(tenant)
    _populate_reports(tenant)
    return tenant


def _populate_reports(t: Tenant) -> None:
    """A client report template, e-mailed every week."""
    fields = report_services.Fields(
        name=f"{t.workspace.name} report", sections=["growth", "moderation"], schedule="weekly", recipients=["c@x.org"]
    )
    t.extra["report"] = report_services.create_template(t.workspace, by=t.owner, fields=fields)


def _populate_contests(t: Tenant) -> None:
    """A contest (replies to the tenant's first message) ended and committed, its entries collected; a draft."""
    now = timezone.now()
    start = min(t.message.posted_at, now - timedelta(days=2))
    fields = contest_services.Fields(
        name=f"{t.workspace.name} secret contest", starts_at=start, ends_at=now, rule="reply", reply_to_id=t.message.pk
    )
    contest = contest_services.add(workspace=t.workspace, fields=fields, by=t.owner)
    contest_services.commit(contest=contest, by=t.owner, now=start)
    collect_entries(contest)
    fields.ends_at = now + timedelta(days=30)
    draft = contest_services.add(workspace=t.workspace, fields=fields, by=t.owner)
    t.extra.update(contest=contest, draft=draft, entry=Entry.objects.filter(contest=contest).order_by("pk").first())


def _populate_events(t: Tenant) -> None:
    """An open event (registrations by hashtag) with a registration from its page, in ten days."""
    start = timezone.now() + timedelta(days=10)
    fields = event_services.Fields(
        title=f"{t.workspace.name} secret event",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Nantes",
        capacity=10,
        rule="hashtag",
        term="#secret",
    )
    event = event_services.add(workspace=t.workspace, fields=fields, by=t.owner)
    done = event_services.register_on_page(event=event, name="Ana", email=f"ana@{t.workspace.slug}.org", consent=True)
    t.extra.update(event=event, registration=done.registration)


def _populate_tickets(t: Tenant) -> None:
    """An escalation team (e-mail only) and a ticket for it from the tenant's message."""
    ticket_team, _secrets = ticket_teams.create_team(
        workspace=t.workspace, by=t.owner, kind="support", name=f"{t.workspace.name} IT", email="it@example.org"
    )
    ticket = ticket_services.create_ticket(message=t.message, team=ticket_team, by=t.owner, note="secret note")
    t.extra.update(ticket_team=ticket_team, ticket=ticket)


def _populate_inbox_views(t: Tenant) -> None:
    """A saved filter of the owner's, and the thread read by them."""
    t.extra["saved_filter"] = inbox_saved_filters.add(
        t.workspace, t.owner, f"{t.workspace.name} secret filter", "view=mine"
    )
    inbox_reading.mark_read(t.workspace, t.owner, [t.conversation.pk])


def _populate_sla(t: Tenant) -> None:
    """An SLA policy (first response within an hour, every channel)."""
    t.extra["sla_policy"] = sla_services.add(
        workspace=t.workspace,
        fields=sla_services.Fields(name=f"{t.workspace.name} SLA", first_response_minutes=60),
        by=t.owner,
    )


def _populate_campaigns(t: Tenant) -> None:
    """A campaign grouping the tenant's post, short link and query, with a goal and a budget line."""
    from datetime import date
    from decimal import Decimal

    fields = campaign_services.Fields(
        name=f"{t.workspace.name} campaign",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        post_ids=[t.extra["post"].pk],
        link_ids=[t.extra["short"].pk],
        query_ids=[t.extra["query"].pk],
    )
    campaign = campaign_services.create_campaign(t.workspace, by=t.owner, fields=fields)
    campaign_services.set_goals(campaign, by=t.owner, targets={"mentions": Decimal(10)})
    line = campaign_services.save_line(
        campaign, by=t.owner, fields=campaign_services.LineFields("Ads", Decimal("100.00"), Decimal("12.50"))
    )
    t.extra.update(campaign=campaign, budget_line=line)


def _populate_webhooks(t: Tenant) -> None:
    """An endpoint (loopback is allowed in tests; its task is never run here) with a test delivery in its log."""
    endpoint, _secret = webhook_services.create_endpoint(
        workspace=t.workspace,
        by=t.owner,
        url=f"http://127.0.0.1:9/{t.workspace.slug}-hook",
        event_types=["thread.closed"],
    )
    delivery = webhook_services.send_test(endpoint=endpoint, by=t.owner)
    t.extra.update(endpoint=endpoint, delivery=delivery)


def _populate_saved_replies(t: Tenant) -> None:
    """A saved reply offered on every channel."""
    fields = replies_services.Fields(title=f"{t.workspace.name} secret reply", language="en", body="Hi {{author.name}}")
    t.extra["saved_reply"] = replies_services.add(workspace=t.workspace, fields=fields, by=t.owner)


def _populate_notes(t: Tenant) -> None:
    """An internal note on the thread mentioning the teammate, and a notification for the owner."""
    teammate = t.extra["teammate"].user
    t.extra["inote"] = inbox_notes.add_note(
        conversation=t.conversation, by=t.owner, body=f"note of {t.workspace.slug} for @{teammate.username}"
    )
    (t.extra["notification"],) = notification_services.notify(
        [t.owner], Kind.ASSIGNED, workspace=t.workspace, conversation=t.conversation
    )


def _populate_posts(t: Tenant) -> None:
    """A post awaiting approval (the workspace asks for it), with an image and a client link."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    publishing_approvals.save_workflow(
        t.workspace, by=t.owner, required=True, allow_self_approval=True, link_days=7, steps=[]
    )
    data = PostInput(
        body=f"post of {t.workspace.slug}",
        variants=[VariantInput(connection_id=t.connection.pk)],
        scheduled_at=timezone.now() + timedelta(days=3),
        approval="pending",
    )
    post = publishing_services.create_post(t.workspace, t.owner, data)
    publishing_approvals.submit(post, by=t.owner)
    image = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + bytes(16), content_type="image/png")
    media = PostMedia.objects.create(workspace=t.workspace, post=post, file=image, mime="image/png", size=24)
    link, _token = publishing_approvals.create_link(post, by=t.owner)
    from datetime import time

    (slot,) = publishing_queueing.add_slots(t.connection, [(1, time(9))], by=t.owner)
    short = link_services.link_for(
        post, t.connection, f"https://{t.workspace.slug}.example/", {}, UtmContext("c", "dummy", "1", "2026-01-01")
    )
    link_services.count_click(short)
    t.extra.update(post=post, media=media, link=link, slot=slot, short=short)


def _populate_team(t: Tenant) -> None:
    """A read-only teammate and a pending invitation."""
    t.extra["teammate"] = MembershipFactory(workspace=t.workspace, role=Role.CLIENT)
    t.extra["invitation"] = team.invite(
        workspace=t.workspace, email=f"new@{t.workspace.slug}.example", role=Role.CLIENT, by=t.owner, base_url="/"
    )


def _populate_people(t: Tenant) -> None:
    """People of the tenant: scores, a note, a tag, a field, a segment, two open suggestions and a merge."""
    people_scoring.recompute(t.workspace)
    persons = list(Person.objects.filter(workspace=t.workspace).order_by("pk"))
    assert len(persons) >= 9, len(persons)
    person = persons[0]
    note = people_services.add_note(person=person, body=f"note of {t.workspace.slug}", by=t.owner)
    link = people_services.add_tag(person=person, name=f"tag of {t.workspace.slug}", by=t.owner)
    people_services.set_field(person=person, name="city", value=f"city of {t.workspace.slug}", by=t.owner)
    segment = people_services.save_segment(
        workspace=t.workspace,
        name=f"segment of {t.workspace.slug}",
        filters=PeopleFilters(levels=("newcomer",)),
        by=t.owner,
    )
    evidence = [{"code": "similar_name", "weight": 20, "params": {"value": "x"}}]
    to_accept = MergeSuggestion.objects.create(
        workspace=t.workspace, person_a=persons[1], person_b=persons[2], signals=evidence, total=20
    )
    to_reject = MergeSuggestion.objects.create(
        workspace=t.workspace, person_a=persons[3], person_b=persons[4], signals=evidence, total=20
    )
    merge = people_merging.merge(keep=persons[5], absorb=persons[6], by=t.owner)
    t.extra.update(
        person=person,
        note=note,
        tag=link.tag,
        segment=segment,
        to_accept=to_accept,
        to_reject=to_reject,
        merge=merge,
        free=(persons[7], persons[8]),
    )


@pytest.fixture
def tenants(workspace, owner, synced, other_workspace):
    ws_b, owner_b, conn_b = other_workspace
    a = _populate(workspace, owner, synced)
    b = _populate(ws_b, owner_b, conn_b)
    assert Membership.objects.get(user=a.owner, workspace=a.workspace).role == Role.OWNER
    assert not Membership.objects.filter(user=a.owner, workspace=b.workspace).exists()
    # B has a second member, so that "assign to someone of B" is a real temptation
    b.extra["member"] = MembershipFactory(workspace=b.workspace, role=Role.COMMUNITY_MANAGER).user
    return a, b


def snapshot() -> dict[str, Any]:
    """Everything a request could change, across both tenants."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                SavedQuery,
                Mention,
                Alert,
                AlertSettings,
                Reply,
                Message,
                Conversation,
                AuditEvent,
                ApiToken,
                Connection,
                SyncRun,
                Membership,
                Identity,
                Person,
                Rule,
                RuleVersion,
                Decision,
                Note,
                Tag,
                PersonTag,
                CustomField,
                Segment,
                MergeSuggestion,
                Merge,
                ScoringSettings,
                Invitation,
                Post,
                Variant,
                PostMedia,
                ApprovalDecision,
                ApprovalLink,
                ApprovalSettings,
                QueueSlot,
                ShortLink,
                ClickCount,
                UtmPreset,
                LinkSettings,
                Endpoint,
                Event,
                Delivery,
                DeliveryAttempt,
                SavedReply,
                InternalNote,
                SavedFilter,
                ReadState,
                Notification,
                Team,
                Ticket,
                TicketChange,
                InboundReceipt,
                Campaign,
                CampaignItem,
                Goal,
                BudgetLine,
                Contest,
                Entry,
                CalendarEvent,
                Registration,
            )
        },
        "events": list(
            CalendarEvent.objects.order_by("pk").values_list(
                "pk", "title", "seats_taken", "announcement_id", "collected_at"
            )
        ),
        "registrations": list(
            Registration.objects.order_by("pk").values_list("pk", "state", "checked_in_at", "follow_up_state")
        ),
        "contests": list(Contest.objects.order_by("pk").values_list("pk", "name", "stage", "commitment")),
        "entries": list(Entry.objects.order_by("pk").values_list("pk", "decided", "rank", "announcement_id")),
        "tickets": list(Ticket.objects.order_by("pk").values_list("pk", "status", "priority", "external_reference")),
        "ticket_teams": list(
            Team.objects.order_by("pk").values_list("pk", "name", "email", "endpoint_id", "inbound_secret_encrypted")
        ),
        "endpoints": list(
            Endpoint.objects.order_by("pk").values_list("pk", "url", "events", "enabled", "secret_encrypted")
        ),
        "deliveries": list(Delivery.objects.order_by("pk").values_list("pk", "state", "attempts")),
        "saved_filters": list(SavedFilter.objects.order_by("pk").values_list("pk", "name", "query")),
        "read_states": list(ReadState.objects.order_by("pk").values_list("pk", "user_id", "seen_up_to")),
        "thread_labels": list(Conversation.labels.through.objects.order_by("pk").values_list("pk", "label_id")),
        "internal_notes": list(InternalNote.objects.order_by("pk").values_list("pk", "body", "conversation_id")),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        "clicks": list(ClickCount.objects.order_by("pk").values_list("pk", "count")),
        "presets": list(UtmPreset.objects.order_by("pk").values_list("pk", "utm_source", "utm_medium")),
        "saved_replies": list(SavedReply.objects.order_by("pk").values_list("pk", "title", "usage_count")),
        "link_settings": list(LinkSettings.objects.order_by("pk").values_list("pk", "shorten_by_default")),
        "posts": list(Post.objects.order_by("pk").values_list("pk", "body", "approval", "scheduled_at")),
        "links": list(ApprovalLink.objects.order_by("pk").values_list("pk", "revoked_at")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "role")),
        "invitations": list(Invitation.objects.order_by("pk").values_list("pk", "revoked_at", "accepted_at")),
        "persons": list(Person.objects.order_by("pk").values_list("pk", "display_name", "merged_into_id", "score")),
        "identities": list(Identity.objects.order_by("pk").values_list("pk", "person_id")),
        "suggestions": list(MergeSuggestion.objects.order_by("pk").values_list("pk", "status")),
        "merges": list(Merge.objects.order_by("pk").values_list("pk", "undone_at")),
        "fields": list(CustomField.objects.order_by("pk").values_list("pk", "value")),
        "settings": list(ScoringSettings.objects.order_by("pk").values_list("pk", "weight_post", "computed_at")),
        "rules": list(Rule.objects.order_by("pk").values_list("pk", "name", "enabled", "position")),
        "decisions": list(Decision.objects.order_by("pk").values_list("pk", "action", "network_state", "attempts")),
        "conversations": list(
            Conversation.objects.order_by("pk").values_list("pk", "status", "assignee_id", "priority")
        ),
        "sla_policies": list(
            SlaPolicy.objects.order_by("pk").values_list("pk", "name", "position", "first_response_minutes")
        ),
        "replies": list(Reply.objects.order_by("pk").values_list("pk", "state", "attempts", "body_text", "error")),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at", "name")),
        "connections": list(
            Connection.objects.order_by("pk").values_list(
                "pk", "name", "next_sync_at", "sync_state", "config", "enabled"
            )
        ),
        "messages": list(
            Message.objects.order_by("pk").values_list("pk", "network_status", "review", "conversation_id", "sentiment")
        ),
        "labels": list(Label.objects.order_by("pk").values_list("pk", "message_id", "task", "value")),
        "models": list(WorkspaceModel.objects.order_by("pk").values_list("pk", "active")),
        "campaigns": list(Campaign.objects.order_by("pk").values_list("pk", "name", "starts_on", "ends_on")),
        "campaign_items": list(
            CampaignItem.objects.order_by("pk").values_list(
                "pk", "post_id", "link_id", "query_id", "contest_id", "event_id"
            )
        ),
        "goals": list(Goal.objects.order_by("pk").values_list("pk", "metric", "target")),
        "budget_lines": list(BudgetLine.objects.order_by("pk").values_list("pk", "category", "planned", "spent")),
        "currencies": list(Workspace.objects.order_by("pk").values_list("pk", "currency")),
        "reports": list(
            ReportTemplate.objects.order_by("pk").values_list("pk", "name", "sections", "share_version", "recipients")
        ),
    }


# --- the UI ---------------------------------------------------------------------------------------


def _routes(patterns, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif entry.name:
            yield namespace + entry.name, prefix + str(entry.pattern)


def workspace_routes() -> dict[str, str]:
    """Every workspace URL of the URLconf: its namespaced name and its whole route."""
    routes = {
        name: route for name, route in _routes(get_resolver().url_patterns) if route.startswith(WORKSPACE_INCLUDE)
    }
    assert routes, f"no {WORKSPACE_INCLUDE} route in the URLconf"
    return routes


def workspace_url_names() -> set[str]:
    return set(workspace_routes())


# Views decorated with require_POST: a GET is refused with 405 before anything is looked up.
POST_ONLY = {
    "inbox:reply",
    "inbox:retry",
    "inbox:status",
    "inbox:assign",
    "inbox:note-add",
    "inbox:note-edit",
    "inbox:note-delete",
    "inbox:bulk",
    "inbox:filter-save",
    "inbox:filter-rename",
    "inbox:filter-delete",
    "notifications:read-all",
    "notifications:open",
    "connections:sync",
    "accounts:token-revoke",
    "moderation:decide",
    "moderation:rule-backtest",
    "moderation:rule-toggle",
    "moderation:rule-move",
    "moderation:rule-delete",
    "nlp:train",
    "nlp:activate",
    "nlp:sentiment",
    "listening:preview",
    "listening:query-delete",
    "listening:escalate",
    "people:suggestions-refresh",
    "people:suggestion-decide",
    "people:merge-undo",
    "people:digest",
    "people:recompute",
    "people:segment-save",
    "people:segment-delete",
    "people:person-note",
    "people:person-note-delete",
    "people:person-tag",
    "people:person-untag",
    "people:person-field",
    "people:person-erase",
    "accounts:team-member",
    "accounts:team-remove",
    "accounts:invitation-revoke",
    "publishing:limits",
    "publishing:submit",
    "publishing:decide",
    "publishing:link-create",
    "publishing:link-revoke",
    "publishing:queue-next",
    "publishing:queue-remove",
    "publishing:calendar-move",
    "links:settings",
    "links:preset",
    "links:example",
    "webhooks:create",
    "webhooks:edit",
    "webhooks:rotate",
    "webhooks:delete",
    "webhooks:test",
    "webhooks:replay",
    "replies:delete",
    "tickets:team-create",
    "tickets:team-edit",
    "tickets:team-rotate",
    "tickets:team-delete",
    "tickets:escalate",
    "tickets:status",
    "inbox:priority",
    "sla:move",
    "sla:delete",
    "campaigns:delete",
    "campaigns:goals",
    "campaigns:line-delete",
    "campaigns:spend-import",
    "contests:collect",
    "contests:decide",
    "contests:commit",
    "contests:draw",
    "contests:announce",
    "events:collect",
    "events:check-in",
    "events:cancel",
    "events:follow-up",
    "reports:delete",
    "reports:share",
    "reports:revoke",
    "reports:resume",
}


def ui_requests(a: Tenant, b: Tenant) -> dict[str, list[tuple[str, str, dict]]]:
    """For each workspace URL name: requests that reach into B, with B's slug and with A's slug."""
    A, B = a.workspace.slug, b.workspace.slug
    reply_data = {"body": "Hello from A", "in_reply_to": ""}
    assign_data = {"assignee": str(a.owner.pk)}
    channel_data = {"name": "Sneaky channel", "network": "dummy", "token": "", "brand": ""}
    rule_data = {"name": "Sneaky rule", "match": "any", "words": "hello", "action": "spam"}
    decide_data = {"ids": [str(b.extra["pending"].pk), str(b.message.pk)], "action": "remove"}
    rule = b.extra["rule"].pk
    person, note, tag, seg = b.extra["person"].pk, b.extra["note"].pk, b.extra["tag"].pk, b.extra["segment"].pk
    inote = b.extra["inote"].pk

    def url(name: str, slug: str, **kwargs: int) -> str:
        return reverse(name, kwargs={"slug": slug, **kwargs})

    return {
        "core:overview": [("get", url("core:overview", B), {})],
        "inbox:list": [
            ("get", url("inbox:list", B), {}),
            ("get", url("inbox:list", B) + f"?channel={b.connection.pk}", {}),
        ],
        "inbox:thread": [
            ("get", url("inbox:thread", B, pk=b.conversation.pk), {}),
            ("get", url("inbox:thread", A, pk=b.conversation.pk), {}),
        ],
        "inbox:reply": [
            ("post", url("inbox:reply", B, pk=b.conversation.pk), reply_data),
            ("post", url("inbox:reply", A, pk=b.conversation.pk), reply_data),
        ],
        "inbox:retry": [
            ("post", url("inbox:retry", B, pk=b.conversation.pk, reply_pk=b.failed_reply.pk), {"body": "x"}),
            ("post", url("inbox:retry", A, pk=b.conversation.pk, reply_pk=b.failed_reply.pk), {"body": "x"}),
            ("post", url("inbox:retry", A, pk=a.conversation.pk, reply_pk=b.failed_reply.pk), {"body": "x"}),
            ("post", url("inbox:retry", B, pk=b.conversation.pk, reply_pk=b.failed_reply.pk), {}),
        ],
        "inbox:status": [
            ("post", url("inbox:status", B, pk=b.conversation.pk), {"status": "closed"}),
            ("post", url("inbox:status", A, pk=b.conversation.pk), {"status": "closed"}),
        ],
        "inbox:assign": [
            ("post", url("inbox:assign", B, pk=b.conversation.pk), assign_data),
            ("post", url("inbox:assign", A, pk=b.conversation.pk), assign_data),
            ("post", url("inbox:assign", A, pk=b.conversation.pk), {"assignee": ""}),
        ],
        "inbox:note-add": [
            ("post", url("inbox:note-add", B, pk=b.conversation.pk), {"note": "sneaky @" + b.owner.username}),
            ("post", url("inbox:note-add", A, pk=b.conversation.pk), {"note": "sneaky"}),
        ],
        "inbox:note-edit": [
            ("post", url("inbox:note-edit", B, pk=b.conversation.pk, note_pk=inote), {"note": "sneaky"}),
            ("post", url("inbox:note-edit", A, pk=b.conversation.pk, note_pk=inote), {"note": "sneaky"}),
            ("post", url("inbox:note-edit", A, pk=a.conversation.pk, note_pk=inote), {"note": "sneaky"}),
        ],
        "inbox:bulk": [
            ("post", url("inbox:bulk", B), {"ids": [str(b.conversation.pk)], "action": "close"}),
            ("post", url("inbox:bulk", A), {"ids": [str(b.conversation.pk)], "action": "close"}),
            ("post", url("inbox:bulk", A), {"ids": [str(b.conversation.pk)], "action": "label", "label": "x"}),
            ("post", url("inbox:bulk", A), {"ids": [str(b.conversation.pk)], "action": "read"}),
        ],
        "inbox:filters": [("get", url("inbox:filters", B), {})],
        "inbox:filter-save": [("post", url("inbox:filter-save", B), {"name": "sneaky", "back": "view=mine"})],
        "inbox:filter-rename": [
            ("post", url("inbox:filter-rename", B, pk=b.extra["saved_filter"].pk), {"name": "sneaky"}),
            ("post", url("inbox:filter-rename", A, pk=b.extra["saved_filter"].pk), {"name": "sneaky"}),
        ],
        "inbox:filter-delete": [
            ("post", url("inbox:filter-delete", B, pk=b.extra["saved_filter"].pk), {"confirmed": "yes"}),
            ("post", url("inbox:filter-delete", A, pk=b.extra["saved_filter"].pk), {"confirmed": "yes"}),
        ],
        "inbox:note-delete": [
            ("post", url("inbox:note-delete", B, pk=b.conversation.pk, note_pk=inote), {}),
            ("post", url("inbox:note-delete", A, pk=b.conversation.pk, note_pk=inote), {}),
            ("post", url("inbox:note-delete", A, pk=a.conversation.pk, note_pk=inote), {}),
        ],
        "notifications:list": [
            ("get", url("notifications:list", B), {}),
            ("get", url("notifications:list", B) + "?page=2", {}),
        ],
        "notifications:bell": [("get", url("notifications:bell", B), {})],
        "search:results": [("get", url("search:results", B), {"q": "hello"})],
        "notifications:read-all": [
            ("post", url("notifications:read-all", B), {}),
            ("post", url("notifications:read-all", B), {"ids": [str(b.extra["notification"].pk)]}),
        ],
        "notifications:open": [
            ("post", url("notifications:open", B, pk=b.extra["notification"].pk), {}),
            ("post", url("notifications:open", A, pk=b.extra["notification"].pk), {}),
        ],
        "connections:list": [
            ("get", url("connections:list", B), {}),
            ("post", url("connections:list", B), channel_data),
        ],
        "connections:detail": [
            ("get", url("connections:detail", B, pk=b.connection.pk), {}),
            ("get", url("connections:detail", A, pk=b.connection.pk), {}),
        ],
        "connections:sync": [
            ("post", url("connections:sync", B, pk=b.connection.pk), {}),
            ("post", url("connections:sync", A, pk=b.connection.pk), {}),
        ],
        "connections:targets": [
            ("get", url("connections:targets", B, pk=b.connection.pk), {}),
            ("get", url("connections:targets", A, pk=b.connection.pk), {}),
            ("post", url("connections:targets", A, pk=b.connection.pk), {"targets": ["x"]}),
        ],
        "moderation:queue": [("get", url("moderation:queue", B), {})],
        "moderation:decide": [("post", url("moderation:decide", B), decide_data)],
        "moderation:rules": [("get", url("moderation:rules", B), {})],
        "moderation:rule-new": [
            ("get", url("moderation:rule-new", B), {}),
            ("post", url("moderation:rule-new", B), rule_data),
        ],
        "moderation:rule-backtest": [("post", url("moderation:rule-backtest", B), rule_data)],
        "moderation:rule-edit": [
            ("get", url("moderation:rule-edit", B, pk=rule), {}),
            ("get", url("moderation:rule-edit", A, pk=rule), {}),
            ("post", url("moderation:rule-edit", A, pk=rule), rule_data),
            ("post", url("moderation:rule-edit", B, pk=rule), rule_data),
        ],
        "moderation:rule-toggle": [
            ("post", url("moderation:rule-toggle", B, pk=rule), {}),
            ("post", url("moderation:rule-toggle", A, pk=rule), {}),
        ],
        "moderation:rule-move": [
            ("post", url("moderation:rule-move", B, pk=rule), {"direction": "up"}),
            ("post", url("moderation:rule-move", A, pk=rule), {"direction": "down"}),
        ],
        "nlp:models": [("get", url("nlp:models", B), {}), ("get", url("nlp:models", B) + "?task=spam", {})],
        "nlp:train": [
            ("post", url("nlp:train", B), {"task": "spam"}),
            ("post", url("nlp:train", B), {"task": "sentiment"}),
        ],
        "nlp:activate": [
            ("post", url("nlp:activate", B), {"task": "spam", "version": "shipped"}),
            ("post", url("nlp:activate", B), {"task": "spam", "version": "1"}),
        ],
        "nlp:sentiment": [
            ("post", url("nlp:sentiment", B, pk=b.message.pk), {"sentiment": "negative"}),
            ("post", url("nlp:sentiment", A, pk=b.message.pk), {"sentiment": "negative"}),
        ],
        "nlp:deep": [("get", url("nlp:deep", B), {})],
        "nlp:why": [
            ("post", url("nlp:why", B, pk=b.message.pk), {}),
            ("post", url("nlp:why", A, pk=b.message.pk), {}),
            ("get", url("nlp:why", A, pk=b.message.pk), {}),
        ],
        "listening:dashboard": [
            ("get", url("listening:dashboard", B), {}),
            ("get", url("listening:dashboard", B) + "?by=week", {}),
        ],
        "listening:voice-csv": [
            ("get", url("listening:voice-csv", B), {}),
            ("get", url("listening:voice-csv", B) + "?by=week", {}),
        ],
        "listening:query-new": [
            ("get", url("listening:query-new", B), {}),
            ("post", url("listening:query-new", B), {"name": "Sneaky", "kind": "brand", "text": "x"}),
        ],
        "listening:preview": [
            ("post", url("listening:preview", B), {"text": "lang:fr"}),
            ("post", url("listening:preview", B), {"text": "(broken"}),
        ],
        "listening:query": [
            ("get", url("listening:query", B, pk=b.extra["query"].pk), {}),
            ("get", url("listening:query", A, pk=b.extra["query"].pk), {}),
        ],
        "listening:query-edit": [
            ("get", url("listening:query-edit", B, pk=b.extra["query"].pk), {}),
            ("get", url("listening:query-edit", A, pk=b.extra["query"].pk), {}),
            (
                "post",
                url("listening:query-edit", A, pk=b.extra["query"].pk),
                {"name": "x", "kind": "topic", "text": "x"},
            ),
        ],
        "listening:escalate": [
            ("post", url("listening:escalate", B, pk=b.extra["mention"].pk), {"assignee": str(a.owner.pk)}),
            ("post", url("listening:escalate", A, pk=b.extra["mention"].pk), {"assignee": str(a.owner.pk)}),
        ],
        "listening:query-delete": [
            ("post", url("listening:query-delete", B, pk=b.extra["query"].pk), {"confirmed": "yes"}),
            ("post", url("listening:query-delete", A, pk=b.extra["query"].pk), {"confirmed": "yes"}),
        ],
        "listening:alerts": [
            ("get", url("listening:alerts", B), {}),
            (
                "post",
                url("listening:alerts", B),
                {
                    "window_minutes": "5",
                    "baseline_minutes": "60",
                    "min_volume": "1",
                    "volume_factor": "1",
                    "negative_share": "0.1",
                    "negative_rise": "0",
                },
            ),
        ],
        "core:activity": [("get", url("core:activity", B), {})],
        "accounts:settings": [
            ("get", url("accounts:settings", B), {}),
            ("post", url("accounts:settings", B), {"name": "Sneaky", "timezone": "UTC"}),
        ],
        "accounts:team": [
            ("get", url("accounts:team", B), {}),
            ("post", url("accounts:team", B), {"who": "sneaky@example.org", "role": "owner"}),
        ],
        "accounts:team-member": [
            ("post", url("accounts:team-member", B, pk=b.extra["teammate"].pk), {"role": "analyst"}),
            ("post", url("accounts:team-member", A, pk=b.extra["teammate"].pk), {"role": "analyst"}),
        ],
        "accounts:team-remove": [
            ("post", url("accounts:team-remove", B, pk=b.extra["teammate"].pk), {}),
            ("post", url("accounts:team-remove", A, pk=b.extra["teammate"].pk), {}),
        ],
        "accounts:invitation-revoke": [
            ("post", url("accounts:invitation-revoke", B, pk=b.extra["invitation"].pk), {}),
            ("post", url("accounts:invitation-revoke", A, pk=b.extra["invitation"].pk), {}),
        ],
        "accounts:tokens": [
            ("get", url("accounts:tokens", B), {}),
            ("post", url("accounts:tokens", B), {"name": "sneaky token"}),
        ],
        "accounts:token-revoke": [
            ("post", url("accounts:token-revoke", B, pk=b.token.pk), {}),
            ("post", url("accounts:token-revoke", A, pk=b.token.pk), {}),
        ],
        # People (the refresh and the segment's deletion come last: the mirror-image control really does them)
        "people:list": [
            ("get", url("people:list", B), {}),
            ("get", url("people:list", A) + f"?segment={seg}", {}),
        ],
        "people:export": [
            ("get", url("people:export", B), {}),
            ("get", url("people:export", A) + f"?segment={seg}", {}),
        ],
        "people:person": [
            ("get", url("people:person", B, pk=person), {}),
            ("get", url("people:person", A, pk=person), {}),
        ],
        "people:person-export": [
            ("get", url("people:person-export", B, pk=person), {}),
            ("get", url("people:person-export", A, pk=person), {}),
        ],
        "people:person-note": [
            ("post", url("people:person-note", B, pk=person), {"body": "sneaky note"}),
            ("post", url("people:person-note", A, pk=person), {"body": "sneaky note"}),
        ],
        "people:person-note-delete": [
            ("post", url("people:person-note-delete", B, pk=person, note_pk=note), {}),
            ("post", url("people:person-note-delete", A, pk=person, note_pk=note), {}),
            ("post", url("people:person-note-delete", A, pk=a.extra["person"].pk, note_pk=note), {}),
        ],
        "people:person-tag": [
            ("post", url("people:person-tag", B, pk=person), {"name": "sneaky"}),
            ("post", url("people:person-tag", A, pk=person), {"name": "sneaky"}),
        ],
        "people:person-untag": [
            ("post", url("people:person-untag", B, pk=person, tag_pk=tag), {}),
            ("post", url("people:person-untag", A, pk=person, tag_pk=tag), {}),
            ("post", url("people:person-untag", A, pk=a.extra["person"].pk, tag_pk=tag), {}),
        ],
        "people:person-field": [
            ("post", url("people:person-field", B, pk=person), {"name": "city", "value": "sneaky"}),
            ("post", url("people:person-field", A, pk=person), {"name": "city", "value": ""}),
        ],
        "people:person-erase": [
            ("post", url("people:person-erase", B, pk=person), {"confirm": "wrong name"}),
            ("post", url("people:person-erase", A, pk=person), {"confirm": "wrong name"}),
        ],
        "people:suggestions": [("get", url("people:suggestions", B), {})],
        "people:suggestion-decide": [
            ("post", url("people:suggestion-decide", B, pk=b.extra["to_accept"].pk), {"action": "accept"}),
            ("post", url("people:suggestion-decide", A, pk=b.extra["to_accept"].pk), {"action": "accept"}),
            ("post", url("people:suggestion-decide", A, pk=b.extra["to_reject"].pk), {"action": "reject"}),
        ],
        "people:merge-undo": [
            ("post", url("people:merge-undo", B, pk=b.extra["merge"].pk), {}),
            ("post", url("people:merge-undo", A, pk=b.extra["merge"].pk), {}),
        ],
        "people:signals": [("get", url("people:signals", B), {})],
        "people:digest": [("post", url("people:digest", B), {})],
        "people:settings": [
            ("get", url("people:settings", B), {}),
            ("post", url("people:settings", B), {"weight_post": "9"}),
        ],
        "people:recompute": [("post", url("people:recompute", B), {})],
        "people:segment-save": [("post", url("people:segment-save", B), {"name": "sneaky", "levels": "regular"})],
        # after the decisions: refreshing drops suggestions without evidence (the ones made up above)
        "people:suggestions-refresh": [("post", url("people:suggestions-refresh", B), {})],
        "people:segment-delete": [
            ("post", url("people:segment-delete", B, pk=seg), {"confirmed": "yes"}),
            ("post", url("people:segment-delete", A, pk=seg), {"confirmed": "yes"}),
        ],
        **_replies_requests(a, b, url),
        **_publishing_requests(a, b, url),
        **_webhook_requests(a, b, url),
        **_ticket_requests(a, b, url),
        **_sla_requests(a, b, url),
        **_campaign_requests(a, b, url),
        **_analytics_requests(a, b),
        **_contest_requests(a, b, url),
        **_event_requests(a, b, url),
        **_report_requests(a, b, url),
        # last: the rule is gone afterwards
        "moderation:rule-delete": [
            ("post", url("moderation:rule-delete", B, pk=rule), {"confirmed": "yes"}),
            ("post", url("moderation:rule-delete", A, pk=rule), {"confirmed": "yes"}),
        ],
    }


def _replies_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    A, B = a.workspace.slug, b.workspace.slug
    saved, conv, own_conv = b.extra["saved_reply"].pk, b.conversation.pk, a.conversation.pk
    data = {"title": "Sneaky", "language": "en", "connection": "", "body": "sneaky"}
    return {
        "replies:list": [
            ("get", url("replies:list", B), {}),
            ("post", url("replies:list", B), data),
        ],
        "replies:edit": [
            ("get", url("replies:edit", B, pk=saved), {}),
            ("get", url("replies:edit", A, pk=saved), {}),
            ("post", url("replies:edit", A, pk=saved), data),
        ],
        "replies:picker": [
            ("get", url("replies:picker", B, pk=conv), {}),
            ("get", url("replies:picker", A, pk=conv), {}),
        ],
        "replies:insert": [
            ("get", url("replies:insert", B, pk=conv, reply_pk=saved), {}),
            ("get", url("replies:insert", A, pk=conv, reply_pk=saved), {}),
            ("get", url("replies:insert", A, pk=own_conv, reply_pk=saved), {}),
        ],
        # last: the saved reply is gone afterwards
        "replies:delete": [
            ("post", url("replies:delete", B, pk=saved), {"confirmed": "yes"}),
            ("post", url("replies:delete", A, pk=saved), {"confirmed": "yes"}),
        ],
    }


def _publishing_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    A, B = a.workspace.slug, b.workspace.slug
    post, media, link = b.extra["post"].pk, b.extra["media"].pk, b.extra["link"].pk
    compose = {"body": "sneaky", "when": "draft", "channels": [str(b.connection.pk)]}

    def both(name: str, method: str = "post", data: dict | None = None, **ids: int) -> list[tuple[str, str, dict]]:
        return [(method, url(name, B, **ids), data or {}), (method, url(name, A, **ids), data or {})]

    return {
        "publishing:list": [("get", url("publishing:list", B), {})],
        "publishing:compose": [
            ("get", url("publishing:compose", B), {}),
            ("post", url("publishing:compose", B), compose),
        ],
        "publishing:limits": [
            ("post", url("publishing:limits", B), {"prefix": f"v{b.connection.pk}", "body": "x"}),
            ("post", url("publishing:limits", A), {"prefix": f"v{b.connection.pk}", "body": "x"}),
        ],
        "publishing:workflow": [("get", url("publishing:workflow", B), {})],
        "publishing:queue": [
            ("get", url("publishing:queue", B), {}),
            ("post", url("publishing:queue", B), {"channels": [b.connection.pk], "days": ["0"], "times": "9:00"}),
        ],
        "publishing:import": [
            ("get", url("publishing:import", B), {}),
            ("post", url("publishing:import", B), {"confirm": "yes", "content": "dGV4dCxjaGFubmVscwp4LDEK"}),
        ],
        "publishing:import-sample": [("get", url("publishing:import-sample", B), {})],
        "publishing:queue-next": [("post", url("publishing:queue-next", B), {"channels": [b.connection.pk]})],
        "publishing:queue-remove": both("publishing:queue-remove", pk=b.extra["slot"].pk),
        "publishing:calendar": [("get", url("publishing:calendar", B), {})],
        # B's post moved from B's calendar, and from A's own calendar: 404 both ways.
        "publishing:calendar-move": both("publishing:calendar-move", data={"post": post, "day": "2099-01-05"}),
        "publishing:best-time": [
            ("get", url("publishing:best-time", B), {}),
            ("get", url("publishing:best-time", A) + f"?channel={b.connection.pk}", {}),  # B's channel in A's page
        ],
        "publishing:media": both("publishing:media", "get", pk=media),
        "publishing:post": both("publishing:post", "get", pk=post),
        "publishing:edit": both("publishing:edit", "get", pk=post) + both("publishing:edit", "post", compose, pk=post),
        "publishing:submit": both("publishing:submit", pk=post),
        "publishing:decide": both("publishing:decide", data={"verdict": "approve"}, pk=post),
        "publishing:link-create": both("publishing:link-create", pk=post),
        "publishing:link-revoke": [
            *both("publishing:link-revoke", pk=post, link_id=link),
            ("post", url("publishing:link-revoke", A, pk=a.extra["post"].pk, link_id=link), {}),
        ],
        "links:page": [
            ("get", url("links:page", B), {}),
            ("get", url("links:page", B) + f"?post={post}", {}),
        ],
        "links:settings": [
            ("post", url("links:settings", B), {"shorten_by_default": "on"}),
            ("post", url("links:settings", B), {}),
        ],
        "links:preset": [
            ("post", url("links:preset", B), {"prefix": "p-all", "p-all-utm_source": "sneaky"}),
            ("post", url("links:preset", B), {"prefix": "p-dummy", "p-dummy-utm_medium": "sneaky"}),
        ],
        "links:example": [
            ("post", url("links:example", B), {"prefix": "p-all", "p-all-utm_source": "x"}),
            ("post", url("links:example", B), {"prefix": "p-dummy", "p-dummy-utm_source": "x"}),
        ],
    }


def _ticket_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    A, B = a.workspace.slug, b.workspace.slug
    team_b, ticket_b = b.extra["ticket_team"].pk, b.extra["ticket"].pk
    team_fields = {"kind": "sales", "name": "Sneaky", "email": "x@example.org", "webhook_url": "", "language": "en"}
    edit = {f"t{team_b}-{name}": value for name, value in {**team_fields, "name": "Sneakier"}.items()}
    escalate_theirs = {"message": b.message.pk, "team": a.extra["ticket_team"].pk, "priority": "low"}

    def both(name: str, data: dict | None = None, **ids: int) -> list[tuple[str, str, dict]]:
        return [("post", url(name, B, **ids), data or {}), ("post", url(name, A, **ids), data or {})]

    return {
        "tickets:teams": [("get", url("tickets:teams", B), {})],
        "tickets:team-create": [("post", url("tickets:team-create", B), team_fields)],
        "tickets:team-edit": both("tickets:team-edit", edit, pk=team_b),
        "tickets:team-rotate": both("tickets:team-rotate", {"confirmed": "yes"}, pk=team_b),
        "tickets:team-delete": both("tickets:team-delete", {"confirmed": "yes"}, pk=team_b),
        "tickets:escalate": [
            ("post", url("tickets:escalate", B, pk=b.conversation.pk), escalate_theirs),
            ("post", url("tickets:escalate", A, pk=b.conversation.pk), escalate_theirs),
        ],
        "tickets:status": both("tickets:status", {"status": "resolved", "note": "sneaky"}, pk=ticket_b),
    }


def _analytics_requests(a: Tenant, b: Tenant) -> dict[str, list[tuple[str, str, dict]]]:
    """The dashboards with B's slug, and A's dashboards asked for B's channel (404: it reveals nothing)."""
    A, B = a.workspace.slug, b.workspace.slug
    page = reverse("analytics:dashboard", kwargs={"slug": B})
    csv_b = reverse("analytics:csv", kwargs={"slug": B, "family": "growth"})
    csv_a = reverse("analytics:csv", kwargs={"slug": A, "family": "activity"})
    return {
        "analytics:dashboard": [("get", page, {}), ("get", page + f"?channel={b.connection.pk}&days=7", {})],
        "analytics:csv": [("get", csv_b, {}), ("get", csv_a + f"?channel={b.connection.pk}", {})],
    }


def _sla_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    A, B = a.workspace.slug, b.workspace.slug
    policy_b, conv_b = b.extra["sla_policy"].pk, b.conversation.pk

    def both(name: str, data: dict | None = None, **ids: int) -> list[tuple[str, str, dict]]:
        return [("post", url(name, B, **ids), data or {}), ("post", url(name, A, **ids), data or {})]

    return {
        "sla:page": [("get", url("sla:page", B), {}), ("get", url("sla:page", B) + "?days=7", {})],
        "sla:edit": [("get", url("sla:edit", B, pk=policy_b), {}), ("get", url("sla:edit", A, pk=policy_b), {})],
        "sla:move": both("sla:move", {"step": "up"}, pk=policy_b),
        "inbox:priority": both("inbox:priority", {"priority": "urgent"}, pk=conv_b),
        "sla:delete": both("sla:delete", {"confirmed": "yes"}, pk=policy_b),
    }


def _campaign_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    """B's campaign reached from B's slug and from A's; A's own campaign made to take B's post, link or query."""
    A, B = a.workspace.slug, b.workspace.slug
    campaign, line = b.extra["campaign"].pk, b.extra["budget_line"].pk
    own = a.extra["campaign"].pk
    form = {"name": "Sneaky", "starts_on": "2026-02-01", "ends_on": "2026-02-02"}

    def csv() -> SimpleUploadedFile:
        return SimpleUploadedFile("spend.csv", b"category,spent\nSneaky,1\n", content_type="text/csv")

    def both(name: str, method: str = "post", data: dict | None = None, **ids: int) -> list[tuple[str, str, dict]]:
        return [(method, url(name, B, **ids), data or {}), (method, url(name, A, **ids), data or {})]

    return {
        "campaigns:list": [("get", url("campaigns:list", B), {})],
        "campaigns:create": [
            ("get", url("campaigns:create", B), {}),
            ("post", url("campaigns:create", B), form),
        ],
        "campaigns:campaign": both("campaigns:campaign", "get", pk=campaign),
        "campaigns:mentions": both("campaigns:mentions", "get", pk=campaign),
        "campaigns:edit": [
            *both("campaigns:edit", "get", pk=campaign),
            *both("campaigns:edit", "post", form, pk=campaign),
            # A's own campaign grouping B's post, link or query: refused as unknown choices (a 422 form), see below
        ],
        "campaigns:goals": both("campaigns:goals", data={"mentions": "5"}, pk=campaign),
        "campaigns:budget": [
            *both("campaigns:budget", "get", pk=campaign),
            *both("campaigns:budget", "post", {"category": "Sneaky", "spent": "1"}, pk=campaign),
        ],
        "campaigns:line-delete": [
            *both("campaigns:line-delete", data={"confirmed": "yes"}, pk=campaign, line_id=line),
            ("post", url("campaigns:line-delete", A, pk=own, line_id=line), {"confirmed": "yes"}),
        ],
        "campaigns:spend-import": [
            ("post", url("campaigns:spend-import", B, pk=campaign), {"file": csv()}),
            ("post", url("campaigns:spend-import", A, pk=campaign), {"file": csv()}),
            (
                "post",
                url("campaigns:spend-import", A, pk=campaign),
                {"confirm": "yes", "content": "Y2F0ZWdvcnksc3BlbnQKeCwxCg=="},
            ),
        ],
        "campaigns:spend-sample": both("campaigns:spend-sample", "get", pk=campaign),
        "campaigns:delete": both("campaigns:delete", data={"confirmed": "yes"}, pk=campaign),
    }


def _report_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    A, B = a.workspace.slug, b.workspace.slug
    report = b.extra["report"].pk
    data = {
        "name": "Sneaky",
        "language": "en",
        "sections": ["growth"],
        "days": "7",
        "primary_colour": "#000000",
        "accent_colour": "#FFFFFF",
        "schedule": "",
        "recipients": "",
    }

    def both(name: str, method: str = "post", data: dict | None = None) -> list[tuple[str, str, dict]]:
        return [(method, url(name, B, pk=report), data or {}), (method, url(name, A, pk=report), data or {})]

    return {
        "reports:list": [("get", url("reports:list", B), {})],
        "reports:transparency": [("get", url("reports:transparency", B), {})],
        "reports:transparency-csv": [("get", url("reports:transparency-csv", B) + "?days=7", {})],
        "reports:transparency-pdf": [("get", url("reports:transparency-pdf", B) + "?days=7", {})],
        "reports:create": [("get", url("reports:create", B), {}), ("post", url("reports:create", B), data)],
        "reports:edit": [*both("reports:edit", "get"), *both("reports:edit", data=data)],
        "reports:preview": both("reports:preview", "get"),
        "reports:pdf": both("reports:pdf", "get"),
        "reports:share": both("reports:share", data={"days": "7"}),
        "reports:revoke": both("reports:revoke", data={"confirmed": "yes"}),
        "reports:resume": both("reports:resume"),
        "reports:delete": both("reports:delete", data={"confirmed": "yes"}),  # last: the report is gone after
    }


def _contest_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    A, B = a.workspace.slug, b.workspace.slug
    contest_b, entry_b = b.extra["contest"].pk, b.extra["entry"].pk

    def both(name: str, data: dict | None = None, **ids: int) -> list[tuple[str, str, dict]]:
        return [("post", url(name, B, **ids), data or {}), ("post", url(name, A, **ids), data or {})]

    def see(name: str) -> list[tuple[str, str, dict]]:
        return [("get", url(name, B, pk=contest_b), {}), ("get", url(name, A, pk=contest_b), {})]

    confirmed = {"confirmed": "yes"}
    new_contest = {
        **dict.fromkeys(["start_day", "end_day"], "2030-01-01"),
        **{"name": "Sneaky", "rule": "hashtag", "term": "x", "start_at": "09:00", "end_at": "10:00"},
        "winners_count": "1",
    }
    return {
        "contests:list": [("get", url("contests:list", B), {}), ("get", url("contests:list", B) + "?show=all", {})],
        "contests:create": [
            ("get", url("contests:create", B), {}),
            ("post", url("contests:create", B), new_contest),
        ],
        "contests:detail": see("contests:detail"),
        "contests:edit": see("contests:edit"),
        "contests:entries": see("contests:entries"),
        "contests:collect": both("contests:collect", pk=contest_b),
        "contests:decide": [
            *both("contests:decide", {"note": "sneaky", "decision": "exclude"}, pk=contest_b, entry_pk=entry_b),
            # A's own contest with B's entry
            ("post", url("contests:decide", A, pk=a.extra["contest"].pk, entry_pk=entry_b), {"note": "sneaky"}),
        ],
        "contests:commit": both("contests:commit", confirmed, pk=b.extra["draft"].pk),
        "contests:draw": both("contests:draw", {**confirmed, "public_value": "1", "source": "x"}, pk=contest_b),
        "contests:announce": both("contests:announce", {**confirmed, "text": "You won"}, pk=contest_b),
        "contests:announce-progress": see("contests:announce-progress"),
    }


def _event_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    """B's event and registration reached from B's slug and from A's; A's own event with B's registration."""
    A, B = a.workspace.slug, b.workspace.slug
    event, registration = b.extra["event"].pk, b.extra["registration"].pk
    own = a.extra["event"].pk

    def both(name: str, method: str = "post", data: dict | None = None, **ids: int) -> list[tuple[str, str, dict]]:
        return [(method, url(name, B, **ids), data or {}), (method, url(name, A, **ids), data or {})]

    soon = timezone.localtime(timezone.now() + timedelta(days=1))
    new_event = {
        **dict.fromkeys(["start_day", "end_day"], "2030-01-01"),
        **{"title": "Sneaky", "place": "x", "start_at": "09:00", "end_at": "10:00", "status": "open"},
    }
    posts = {
        "channels": [b.connection.pk],
        "announce_day": soon.date().isoformat(),
        "announce_at": "09:00",
        "remind_hours": "24",
    }
    confirmed = {"confirmed": "yes"}
    return {
        "events:list": [("get", url("events:list", B), {})],
        "events:create": [("get", url("events:create", B), {}), ("post", url("events:create", B), new_event)],
        "events:detail": both("events:detail", "get", pk=event),
        "events:edit": both("events:edit", "get", pk=event),
        "events:posts": both("events:posts", data=posts, pk=event),
        "events:collect": both("events:collect", pk=event),
        "events:check-in-list": both("events:check-in-list", "get", pk=event),
        "events:check-in": [
            *both("events:check-in", pk=event, registration_pk=registration),
            ("post", url("events:check-in", A, pk=own, registration_pk=registration), {}),
        ],
        "events:cancel": [
            *both("events:cancel", data=confirmed, pk=event, registration_pk=registration),
            ("post", url("events:cancel", A, pk=own, registration_pk=registration), confirmed),
        ],
        "events:follow-up": both("events:follow-up", data={**confirmed, "to": "attended", "text": "Hi"}, pk=event),
        "events:follow-up-progress": both("events:follow-up-progress", "get", pk=event),
    }


def _webhook_requests(a: Tenant, b: Tenant, url: Any) -> dict[str, list[tuple[str, str, dict]]]:
    A, B = a.workspace.slug, b.workspace.slug
    endpoint, delivery = b.extra["endpoint"].pk, b.extra["delivery"].pk
    edit = {f"e{endpoint}-url": f"http://127.0.0.1:9/{B}-changed", f"e{endpoint}-events": ["thread.closed"]}

    def both(name: str, data: dict | None = None, **ids: int) -> list[tuple[str, str, dict]]:
        return [("post", url(name, B, **ids), data or {}), ("post", url(name, A, **ids), data or {})]

    return {
        "webhooks:page": [("get", url("webhooks:page", B), {}), ("get", url("webhooks:page", B) + "?page=2", {})],
        "webhooks:create": [
            ("post", url("webhooks:create", B), {"url": "http://127.0.0.1:9/sneaky", "events": ["thread.closed"]}),
            ("post", url("webhooks:create", B), {"url": "http://127.0.0.1:9/other", "events": ["thread.assigned"]}),
        ],
        "webhooks:edit": both("webhooks:edit", edit, pk=endpoint),
        "webhooks:test": both("webhooks:test", pk=endpoint),
        "webhooks:rotate": both("webhooks:rotate", {"confirmed": "yes"}, pk=endpoint),
        "webhooks:replay": both("webhooks:replay", pk=delivery),
        "webhooks:delete": both("webhooks:delete", {"confirmed": "yes"}, pk=endpoint),
    }


def test_every_workspace_url_has_a_tenancy_case(tenants):
    a, b = tenants
    cases = ui_requests(a, b)
    assert set(cases) == workspace_url_names()
    assert set(cases) >= POST_ONLY
    for name, requests in cases.items():
        # every URL is tried with B's slug; every URL taking an object id is also tried with A's slug
        assert any(f"/w/{b.workspace.slug}/" in path for _m, path, _d in requests), name
        if "<" in _route_of(name).replace("<slug:slug>", ""):
            assert any(f"/w/{a.workspace.slug}/" in path for _m, path, _d in requests), name


def _route_of(name: str) -> str:
    return workspace_routes()[name]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_ui_member_of_a_gets_404_for_everything_of_b(client, tenants, htmx):
    a, b = tenants
    client.force_login(a.owner)
    headers = {"HX-Request": "true", "HX-Target": "thread"} if htmx else {}
    tried = 0
    for name, requests in ui_requests(a, b).items():
        for method, path, data in requests:
            before = snapshot()
            response = getattr(client, method)(path, data, headers=headers)
            assert response.status_code == 404, f"{method.upper()} {path} ({name}): {response.status_code}"
            assert b.workspace.name.encode() not in response.content
            assert snapshot() == before, f"{method.upper()} {path} ({name}) changed something"
            tried += 1
            if name in POST_ONLY:  # a GET is refused before any lookup, and reveals nothing either
                response = client.get(path, headers=headers)
                assert response.status_code in (404, 405), f"GET {path}: {response.status_code}"
                assert snapshot() == before
            elif method == "get":  # the same URL posted to is refused too
                response = client.post(path, {}, headers=headers)
                assert response.status_code == 404, f"POST {path}: {response.status_code}"
                assert snapshot() == before
    assert tried >= 2 * len(workspace_url_names()) - 4


def test_ui_the_same_urls_work_for_a_s_own_objects(client, tenants):
    """Control: with A's slug and A's ids each URL answers, so the 404s above are about tenancy."""
    a, b = tenants
    client.force_login(a.owner)
    cases = ui_requests(b, a)  # the mirror image: "B" is now A, the workspace the user belongs to
    for name, requests in cases.items():
        for method, path, data in requests:
            if f"/w/{a.workspace.slug}/" not in path or f"/w/{b.workspace.slug}/" in path:
                continue
            if name == "accounts:token-revoke":
                data = {}
            response = getattr(client, method)(path, data)
            assert response.status_code in (200, 302), f"{method.upper()} {path} ({name}): {response.status_code}"


def test_ui_lists_of_a_never_show_b_s_rows(client, tenants):
    a, b = tenants
    client.force_login(a.owner)
    A = a.workspace.slug
    a_conversations = set(Conversation.objects.filter(workspace=a.workspace).values_list("pk", flat=True))
    b_conversations = set(Conversation.objects.filter(workspace=b.workspace).values_list("pk", flat=True))

    inbox = client.get(reverse("inbox:list", args=[A]), {"page": 1})
    assert inbox.status_code == 200
    listed = {c.pk for c in inbox.context["page"].object_list}
    assert listed and listed <= a_conversations
    linked = {int(pk) for pk in re.findall(rf"/w/{A}/inbox/(\d+)/", inbox.content.decode())}
    assert linked and linked <= a_conversations and not linked & b_conversations
    assert b.connection.name not in inbox.content.decode()

    # B's channel id as a filter in A's inbox: nothing, not B's conversations
    filtered = client.get(reverse("inbox:list", args=[A]), {"channel": b.connection.pk})
    assert filtered.status_code == 200 and filtered.context["page"].paginator.count == 0

    channels = client.get(reverse("connections:list", args=[A]))
    assert [c.pk for c in channels.context["connections"]] == [a.connection.pk]
    assert b.connection.name not in channels.content.decode()

    detail = client.get(reverse("connections:detail", args=[A, a.connection.pk]))
    runs = list(detail.context["runs"])
    assert runs and {run.workspace_id for run in runs} == {a.workspace.pk}

    thread = client.get(reverse("inbox:thread", args=[A, a.conversation.pk]))
    assert {m.workspace_id for m in thread.context["thread"]} == {a.workspace.pk}
    assert [r.pk for r in thread.context["pending_replies"]] == [a.failed_reply.pk]
    assert {m.user_id for m in thread.context["members"]} == {a.owner.pk}

    activity = client.get(reverse("core:activity", args=[A]))
    events = list(activity.context["page"].object_list)
    assert events and {e.workspace_id for e in events} == {a.workspace.pk}
    assert b.failed_reply.body_text not in activity.content.decode()

    tokens = client.get(reverse("accounts:tokens", args=[A]))
    assert [t.pk for t in tokens.context["tokens"]] == [a.token.pk]

    filters = client.get(reverse("inbox:filters", args=[A])).content.decode()
    assert a.extra["saved_filter"].name in filters and b.extra["saved_filter"].name not in filters
    saved = client.get(reverse("replies:list", args=[A])).content.decode()
    assert a.extra["saved_reply"].title in saved and b.extra["saved_reply"].title not in saved
    picker = client.get(reverse("replies:picker", args=[A, a.conversation.pk])).content.decode()
    assert a.extra["saved_reply"].title in picker and b.extra["saved_reply"].title not in picker

    overview = client.get(reverse("core:overview", args=[A]))
    assert sum(overview.context["status_counts"].values()) == len(a_conversations)
    assert [c.pk for c in overview.context["connections"]] == [a.connection.pk]

    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == reverse("core:overview", args=[A])


def test_ui_a_cannot_pull_b_into_its_own_objects(client, tenants):
    """Ids of B smuggled into A's forms: B's member as assignee, B's message as the parent of a reply."""
    a, b = tenants
    client.force_login(a.owner)
    A = a.workspace.slug
    Connection.objects.filter(pk=a.connection.pk).update(
        config={k: v for k, v in a.connection.config.items() if k != "fail_replies"}
    )

    b_messages = set(Message.objects.filter(workspace=b.workspace).values_list("pk", flat=True))
    before = snapshot()
    response = client.post(reverse("inbox:assign", args=[A, a.conversation.pk]), {"assignee": b.extra["member"].pk})
    assert response.status_code == 302
    assert snapshot() == before

    response = client.post(
        reverse("inbox:reply", args=[A, a.conversation.pk]),
        {"body": "Answer", "in_reply_to": b.message.pk, "saved_reply": [b.extra["saved_reply"].pk]},
    )
    assert response.status_code == 302
    assert SavedReply.objects.get(pk=b.extra["saved_reply"].pk).usage_count == 0
    # B's channel as the scope of a new saved reply of A: refused
    data = {"title": "Scoped", "language": "en", "connection": str(b.connection.pk), "body": "Hi"}
    assert client.post(reverse("replies:list", args=[A]), data).status_code == 422
    assert not SavedReply.objects.filter(title="Scoped").exists()
    reply = Reply.objects.filter(workspace=a.workspace).latest("pk")
    assert reply.body_text == "Answer" and reply.state == ReplyState.SENT
    assert reply.in_reply_to_id != b.message.pk
    assert reply.sent_message.workspace == a.workspace and reply.sent_message.conversation == a.conversation

    # B's messages in A's moderation form: nothing decided
    before = snapshot()
    response = client.post(
        reverse("moderation:decide", args=[A]), {"ids": [b.extra["pending"].pk, b.message.pk], "action": "remove"}
    )
    assert response.status_code == 302
    assert snapshot() == before
    # B's channel in a rule of A: refused by the form
    response = client.post(
        reverse("moderation:rule-new", args=[A]),
        {"name": "Cross", "match": "any", "action": "spam", "channels": [str(b.connection.pk)]},
    )
    assert response.status_code == 200 and response.context["form"].errors.get("channels")
    assert snapshot() == before
    assert list(
        Message.objects.filter(workspace=b.workspace)
        .order_by("pk")
        .values_list("pk", "network_status", "review", "conversation_id", "sentiment")
    ) == [m for m in before["messages"] if m[0] in b_messages]


def test_ui_a_s_campaign_cannot_take_b_s_posts_links_queries_contests_or_events(client, tenants):
    a, b = tenants
    client.force_login(a.owner)
    A, own = a.workspace.slug, a.extra["campaign"].pk
    form = {"name": "Cross", "starts_on": "2026-02-01", "ends_on": "2026-02-02"}
    for name, value in (
        ("post_ids", b.extra["post"].pk),
        ("link_ids", b.extra["short"].pk),
        ("query_ids", b.extra["query"].pk),
        ("contest_ids", b.extra["contest"].pk),
        ("event_ids", b.extra["event"].pk),
    ):
        before = snapshot()
        for url in (reverse("campaigns:create", args=[A]), reverse("campaigns:edit", args=[A, own])):
            response = client.post(url, {**form, name: [str(value)]})
            assert response.status_code == 422 and response.context["form"].errors.get(name), (url, name)
            assert snapshot() == before
    # B's campaign as a filter of A's lists: nothing of B, nothing at all
    for page in ("inbox:list", "people:list"):
        response = client.get(reverse(page, args=[A]) + f"?campaign={b.extra['campaign'].pk}")
        assert response.status_code == 200 and b.workspace.name.encode() not in response.content
    response = client.get(reverse("people:list", args=[A]) + f"?campaign={b.extra['campaign'].pk}")
    assert not list(response.context["page"])


def test_api_a_s_campaign_cannot_take_b_s_posts_links_queries_contests_or_events(client, tenants):
    a, b = tenants
    api = Api(client, a.raw_token)
    body = {"name": "Cross", "starts_on": "2026-02-01", "ends_on": "2026-02-02"}
    for name, value in (
        ("post_ids", b.extra["post"].pk),
        ("link_ids", b.extra["short"].pk),
        ("query_ids", b.extra["query"].pk),
        ("contest_ids", b.extra["contest"].pk),
        ("event_ids", b.extra["event"].pk),
    ):
        before = snapshot()
        assert api.call("post", "/campaigns", {**body, name: [value]}).status_code == 422
        assert api.call("put", f"/campaigns/{a.extra['campaign'].pk}", {**body, name: [value]}).status_code == 422
        assert snapshot() == before
    listed = api.call("get", "/people", params={"campaign": b.extra["campaign"].pk})
    assert listed.status_code == 200 and listed.json() == []
    threads = api.call("get", "/conversations", params={"campaign": b.extra["campaign"].pk})
    assert threads.status_code == 200 and threads.json() == []


# --- the API --------------------------------------------------------------------------------------


class Api:
    def __init__(self, client, raw: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {raw}"}

    def call(self, method: str, path: str, body: dict | None = None, params: dict | None = None):
        if method == "get":
            return self.client.get("/api/v1" + path, params or {}, headers=self.headers)
        return getattr(self.client, method)(
            "/api/v1" + path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )


RULE = {
    "name": "Sneaky rule",
    "match": "any",
    "conditions": [{"type": "words", "words": ["hi"]}],
    "actions": [{"type": "spam"}],
}


def api_object_requests(a: Tenant, b: Tenant) -> dict[tuple[str, str], list[tuple[str, dict]]]:
    """For each operation that reaches an object of the workspace: the same call on B's objects.

    The object is named in the path, or (for moderation decisions) by ids in the body."""
    conn, conv, msg, rule = b.connection.pk, b.conversation.pk, b.message.pk, b.extra["rule"].pk
    person = b.extra["person"].pk
    hook = b.extra["endpoint"].pk
    assignee = {"assignee": a.owner.username}
    return {
        ("get", "/api/v1/connections/{connection_id}"): [(f"/connections/{conn}", {})],
        ("post", "/api/v1/connections/{connection_id}/sync"): [(f"/connections/{conn}/sync", {})],
        ("get", "/api/v1/conversations/{conversation_id}"): [(f"/conversations/{conv}", {})],
        ("post", "/api/v1/conversations/{conversation_id}/assign"): [
            (f"/conversations/{conv}/assign", assignee),
            (f"/conversations/{conv}/assign", {"assignee": None}),
        ],
        ("post", "/api/v1/conversations/{conversation_id}/status"): [
            (f"/conversations/{conv}/status", {"status": "closed"})
        ],
        ("post", "/api/v1/messages/{message_id}/reply"): [(f"/messages/{msg}/reply", {"body": "Hello from A"})],
        ("post", "/api/v1/messages/{message_id}/assign"): [(f"/messages/{msg}/assign", assignee)],
        # the thread is named in the query (list) or the body (create)
        ("get", "/api/v1/notes"): [(f"/notes?conversation={conv}", {})],
        ("post", "/api/v1/inbox/bulk"): [
            ("/inbox/bulk", {"action": "close", "ids": [conv]}),
            ("/inbox/bulk", {"action": "read", "ids": [conv]}),
        ],
        ("patch", "/api/v1/saved-filters/{saved_filter_id}"): [
            (f"/saved-filters/{b.extra['saved_filter'].pk}", {"name": "sneaky"})
        ],
        ("delete", "/api/v1/saved-filters/{saved_filter_id}"): [(f"/saved-filters/{b.extra['saved_filter'].pk}", {})],
        ("post", "/api/v1/notes"): [("/notes", {"conversation_id": conv, "body": "sneaky @" + b.owner.username})],
        ("post", "/api/v1/conversations/{conversation_id}/priority"): [
            (f"/conversations/{conv}/priority", {"priority": "urgent"})
        ],
        ("get", "/api/v1/sla-policies/{policy_id}"): [(f"/sla-policies/{b.extra['sla_policy'].pk}", {})],
        ("put", "/api/v1/sla-policies/{policy_id}"): [
            (f"/sla-policies/{b.extra['sla_policy'].pk}", {"name": "sneaky", "first_response_minutes": 5})
        ],
        ("delete", "/api/v1/sla-policies/{policy_id}"): [(f"/sla-policies/{b.extra['sla_policy'].pk}", {})],
        # a ticket names its message and its team (A's message with B's team: tests/tickets/test_api_cli.py)
        ("post", "/api/v1/tickets"): [("/tickets", {"message_id": msg, "team_id": b.extra["ticket_team"].pk})],
        ("get", "/api/v1/tickets/{ticket_id}"): [(f"/tickets/{b.extra['ticket'].pk}", {})],
        ("patch", "/api/v1/tickets/{ticket_id}"): [(f"/tickets/{b.extra['ticket'].pk}", {"status": "resolved"})],
        ("put", "/api/v1/moderation/rules/{rule_id}"): [(f"/moderation/rules/{rule}", RULE)],
        ("post", "/api/v1/moderation/decisions"): [
            ("/moderation/decisions", {"message_ids": [b.extra["pending"].pk], "action": "remove"}),
            # one of A's and one of B's: all or nothing
            ("/moderation/decisions", {"message_ids": [a.extra["pending"].pk, msg], "action": "spam"}),
        ],
        ("put", "/api/v1/listening/queries/{query_id}"): [
            (f"/listening/queries/{b.extra['query'].pk}", {"name": "x", "kind": "topic", "text": "x"})
        ],
        ("get", "/api/v1/listening/queries/{query_id}/mentions"): [
            (f"/listening/queries/{b.extra['query'].pk}/mentions", {})
        ],
        ("get", "/api/v1/listening/queries/{query_id}/leaders"): [
            (f"/listening/queries/{b.extra['query'].pk}/leaders", {})
        ],
        ("delete", "/api/v1/listening/queries/{query_id}"): [(f"/listening/queries/{b.extra['query'].pk}", {})],
        ("patch", "/api/v1/members/{member_id}"): [(f"/members/{b.extra['teammate'].pk}", {"role": "analyst"})],
        ("delete", "/api/v1/members/{member_id}"): [(f"/members/{b.extra['teammate'].pk}", {})],
        ("delete", "/api/v1/members/invitations/{invitation_id}"): [
            (f"/members/invitations/{b.extra['invitation'].pk}", {})
        ],
        ("get", "/api/v1/people/{person_id}"): [(f"/people/{person}", {})],
        ("get", "/api/v1/people/{person_id}/timeline"): [(f"/people/{person}/timeline", {})],
        ("get", "/api/v1/people/{person_id}/export"): [(f"/people/{person}/export", {})],
        ("post", "/api/v1/people/{person_id}/notes"): [(f"/people/{person}/notes", {"body": "sneaky"})],
        ("post", "/api/v1/people/{person_id}/tags"): [(f"/people/{person}/tags", {"name": "sneaky"})],
        ("delete", "/api/v1/people/{person_id}/tags/{tag_id}"): [(f"/people/{person}/tags/{b.extra['tag'].pk}", {})],
        ("put", "/api/v1/people/{person_id}/fields"): [(f"/people/{person}/fields", {"name": "city", "value": "x"})],
        ("post", "/api/v1/people/suggestions/{suggestion_id}/accept"): [
            (f"/people/suggestions/{b.extra['to_accept'].pk}/accept", {})
        ],
        ("post", "/api/v1/people/suggestions/{suggestion_id}/reject"): [
            (f"/people/suggestions/{b.extra['to_reject'].pk}/reject", {})
        ],
        ("post", "/api/v1/people/merges"): [
            ("/people/merges", {"keep": b.extra["free"][0].pk, "absorb": b.extra["free"][1].pk})
        ],
        ("post", "/api/v1/people/merges/{merge_id}/undo"): [(f"/people/merges/{b.extra['merge'].pk}/undo", {})],
        ("delete", "/api/v1/people/segments/{segment_id}"): [(f"/people/segments/{b.extra['segment'].pk}", {})],
        ("get", "/api/v1/posts/{post_id}"): [(f"/posts/{b.extra['post'].pk}", {})],
        ("put", "/api/v1/posts/{post_id}"): [
            (f"/posts/{b.extra['post'].pk}", {"body": "sneaky", "variants": [{"connection_id": b.connection.pk}]})
        ],
        ("post", "/api/v1/posts/{post_id}/retry"): [(f"/posts/{b.extra['post'].pk}/retry", {})],
        ("post", "/api/v1/posts/{post_id}/cancel"): [(f"/posts/{b.extra['post'].pk}/cancel", {})],
        ("delete", "/api/v1/posts/{post_id}"): [(f"/posts/{b.extra['post'].pk}", {})],
        ("delete", "/api/v1/queue/slots/{slot_id}"): [(f"/queue/slots/{b.extra['slot'].pk}", {})],
        ("get", "/api/v1/webhooks/{endpoint_id}"): [(f"/webhooks/{hook}", {})],
        ("put", "/api/v1/webhooks/{endpoint_id}"): [
            (f"/webhooks/{hook}", {"url": "http://127.0.0.1:9/sneaky", "events": ["thread.closed"]})
        ],
        ("post", "/api/v1/webhooks/{endpoint_id}/rotate-secret"): [(f"/webhooks/{hook}/rotate-secret", {})],
        ("post", "/api/v1/webhooks/{endpoint_id}/test"): [(f"/webhooks/{hook}/test", {})],
        ("post", "/api/v1/webhooks/deliveries/{delivery_id}/replay"): [
            (f"/webhooks/deliveries/{b.extra['delivery'].pk}/replay", {})
        ],
        ("delete", "/api/v1/webhooks/{endpoint_id}"): [(f"/webhooks/{hook}", {})],
        ("put", "/api/v1/saved-replies/{saved_reply_id}"): [
            (f"/saved-replies/{b.extra['saved_reply'].pk}", {"title": "x", "language": "en", "body": "x"})
        ],
        ("post", "/api/v1/saved-replies/{saved_reply_id}/render"): [
            (f"/saved-replies/{b.extra['saved_reply'].pk}/render", {"conversation_id": conv}),
        ],
        ("delete", "/api/v1/saved-replies/{saved_reply_id}"): [(f"/saved-replies/{b.extra['saved_reply'].pk}", {})],
        **_campaign_api_requests(b),
        **_contest_api_requests(a, b),
        **_event_api_requests(a, b),
        **_report_api_requests(b),
        # last: the mirror-image control erases A's person for real
        ("post", "/api/v1/people/{person_id}/erase"): [
            (f"/people/{person}/erase", {"confirm": b.extra["person"].display_name})
        ],
    }


def _campaign_api_requests(b: Tenant) -> dict[tuple[str, str], list[tuple[str, dict]]]:
    campaign, line = b.extra["campaign"].pk, b.extra["budget_line"].pk
    body = {"name": "Sneaky", "starts_on": "2026-02-01", "ends_on": "2026-02-02"}
    line_body = {"category": "Sneaky", "planned": "1.00", "spent": "1.00"}
    base = f"/campaigns/{campaign}"
    return {
        ("get", "/api/v1/campaigns/{campaign_id}"): [(base, {})],
        ("put", "/api/v1/campaigns/{campaign_id}"): [(base, body)],
        ("put", "/api/v1/campaigns/{campaign_id}/goals"): [(f"{base}/goals", {"targets": {"clicks": "5"}})],
        ("get", "/api/v1/campaigns/{campaign_id}/budget-lines"): [(f"{base}/budget-lines", {})],
        ("post", "/api/v1/campaigns/{campaign_id}/budget-lines"): [(f"{base}/budget-lines", line_body)],
        ("put", "/api/v1/campaigns/{campaign_id}/budget-lines/{line_id}"): [
            (f"{base}/budget-lines/{line}", {**line_body, "category": "Sneakier"})
        ],
        ("delete", "/api/v1/campaigns/{campaign_id}/budget-lines/{line_id}"): [(f"{base}/budget-lines/{line}", {})],
        ("post", "/api/v1/campaigns/{campaign_id}/spend-import"): [
            (f"{base}/spend-import", {"csv": "category,spent\nSneaky,1\n"})
        ],
        ("get", "/api/v1/campaigns/{campaign_id}/impact"): [(f"{base}/impact", {})],
        ("get", "/api/v1/campaigns/{campaign_id}/mentions"): [(f"{base}/mentions", {})],
        ("delete", "/api/v1/campaigns/{campaign_id}"): [(base, {})],
    }


def _contest_api_requests(a: Tenant, b: Tenant) -> dict[tuple[str, str], list[tuple[str, dict]]]:
    contest, entry = b.extra["contest"].pk, b.extra["entry"].pk
    base = "/api/v1/contests/{contest_id}"
    return {
        ("get", base): [(f"/contests/{contest}", {})],
        ("get", base + "/entries"): [(f"/contests/{contest}/entries", {})],
        ("post", base + "/entries/collect"): [(f"/contests/{contest}/entries/collect", {})],
        ("post", base + "/entries/{entry_id}/decide"): [
            (f"/contests/{contest}/entries/{entry}/decide", {"exclude": True, "note": "sneaky"}),
        ],  # A's own contest with B's entry: tests/contests/test_api_cli.py
        ("post", base + "/commit"): [(f"/contests/{b.extra['draft'].pk}/commit", {})],
        ("post", base + "/draw"): [(f"/contests/{contest}/draw", {"public_value": "1", "source": "x"})],
        ("post", base + "/announce"): [(f"/contests/{contest}/announce", {"text": "You won"})],
        ("get", base + "/announce"): [(f"/contests/{contest}/announce", {})],
        ("get", base + "/certificate"): [(f"/contests/{contest}/certificate", {})],
    }


def _event_api_requests(a: Tenant, b: Tenant) -> dict[tuple[str, str], list[tuple[str, dict]]]:
    event, registration = b.extra["event"].pk, b.extra["registration"].pk
    base = "/api/v1/events/{event_id}"
    change = {
        **{"title": "Sneaky", "starts_at": "2030-01-01T09:00:00Z", "ends_at": "2030-01-01T10:00:00Z", "place": "x"},
        **{"rule": "hashtag", "term": "#secret"},
    }
    return {
        ("get", base): [(f"/events/{event}", {})],
        ("put", base): [(f"/events/{event}", change)],
        ("get", base + "/counts"): [(f"/events/{event}/counts", {})],
        ("get", base + "/registrations"): [(f"/events/{event}/registrations", {})],
        ("post", base + "/registrations/collect"): [(f"/events/{event}/registrations/collect", {})],
        ("post", base + "/registrations/{registration_id}/check-in"): [
            (f"/events/{event}/registrations/{registration}/check-in", {}),
        ],  # A's own event with B's registration: tests/events/test_api_cli.py
        ("post", base + "/registrations/{registration_id}/cancel"): [
            (f"/events/{event}/registrations/{registration}/cancel", {}),
        ],
    }


def _report_api_requests(b: Tenant) -> dict[tuple[str, str], list[tuple[str, dict]]]:
    report = b.extra["report"].pk
    base = "/api/v1/reports/{template_id}"
    body = {"name": "Sneaky", "sections": ["growth"], "days": 7}
    return {
        ("get", base): [(f"/reports/{report}", {})],
        ("put", base): [(f"/reports/{report}", body)],
        ("get", base + "/report"): [(f"/reports/{report}/report", {})],
        ("get", base + "/pdf"): [(f"/reports/{report}/pdf", {})],
        ("post", base + "/share"): [(f"/reports/{report}/share", {"days": 7})],
        ("delete", base): [(f"/reports/{report}", {})],
    }


# Operations that create in the token's workspace without naming an existing object; tested below.
CREATE_OPERATIONS = {
    ("post", "/api/v1/connections"),
    ("post", "/api/v1/moderation/rules"),
    ("post", "/api/v1/moderation/rules/backtest"),
    ("post", "/api/v1/people/suggestions/refresh"),
    ("post", "/api/v1/people/recompute"),
    ("post", "/api/v1/people/segments"),
    ("put", "/api/v1/people/settings"),
    ("post", "/api/v1/listening/queries"),
    ("post", "/api/v1/listening/preview"),
    ("post", "/api/v1/members"),
    ("post", "/api/v1/posts"),
    ("post", "/api/v1/queue/slots"),
    ("post", "/api/v1/posts/import"),
    ("post", "/api/v1/webhooks"),
    ("post", "/api/v1/saved-replies"),
    ("post", "/api/v1/saved-filters"),
    ("post", "/api/v1/sla-policies"),
    ("put", "/api/v1/sla-policies/order"),  # every id of the workspace's policies, or 422 (tests/sla)
    ("post", "/api/v1/campaigns"),  # B's posts, links or queries named in it: test_api_a_s_campaign_cannot_take_b_s
    ("post", "/api/v1/contests"),
    ("post", "/api/v1/events"),  # a campaign of B named in it: tests/events/test_api_cli.py
    ("post", "/api/v1/reports"),
}

LIST_OPERATIONS = {
    ("get", "/api/v1/workspaces"),
    ("get", "/api/v1/posts"),
    ("get", "/api/v1/queue"),
    ("get", "/api/v1/links"),
    ("get", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks/deliveries"),
    ("get", "/api/v1/saved-replies"),
    ("get", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/teams"),
    ("get", "/api/v1/saved-filters"),
    ("get", "/api/v1/sla-policies"),
    ("get", "/api/v1/contests"),
    ("get", "/api/v1/events"),
    ("get", "/api/v1/posts/best-time"),
    ("get", "/api/v1/connections"),
    ("get", "/api/v1/messages"),
    ("get", "/api/v1/conversations"),
    ("get", "/api/v1/moderation/queue"),
    ("get", "/api/v1/moderation/rules"),
    ("get", "/api/v1/people"),
    ("get", "/api/v1/people/suggestions"),
    ("get", "/api/v1/people/merges"),
    ("get", "/api/v1/people/signals"),
    ("get", "/api/v1/people/settings"),
    ("get", "/api/v1/people/segments"),
    ("get", "/api/v1/listening/queries"),
    ("get", "/api/v1/listening/share-of-voice"),
    ("get", "/api/v1/listening/alerts"),
    ("get", "/api/v1/members"),
    ("get", "/api/v1/members/invitations"),
    ("get", "/api/v1/search"),
    ("get", "/api/v1/campaigns"),
    ("get", "/api/v1/reports"),
    ("get", "/api/v1/reports/transparency"),
    # the dashboards' figures: a channel of another workspace is a 404 (test_api_analytics_never_reach_b)
    ("get", "/api/v1/analytics/growth"),
    ("get", "/api/v1/analytics/activity"),
    ("get", "/api/v1/analytics/engagement"),
    ("get", "/api/v1/analytics/response-times"),
    ("get", "/api/v1/analytics/sentiment"),
    ("get", "/api/v1/analytics/moderation"),
    ("get", "/api/v1/analytics/top-posts"),
    ("get", "/api/v1/analytics/top-members"),
    ("get", "/api/v1/analytics/share-of-voice"),
}


def openapi_operations() -> set[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return {(method, path) for path, operations in schema["paths"].items() for method in operations}


def test_every_api_operation_has_a_tenancy_case(tenants):
    a, b = tenants
    operations = openapi_operations()
    objects = set(api_object_requests(a, b))
    assert {op for op in operations if "{" in op[1]} <= objects
    assert objects | CREATE_OPERATIONS | LIST_OPERATIONS == operations
    assert not objects & CREATE_OPERATIONS and not objects & LIST_OPERATIONS


def test_api_token_of_a_gets_404_json_for_b_s_objects(client, tenants):
    a, b = tenants
    api = Api(client, a.raw_token)
    for (method, _template), calls in api_object_requests(a, b).items():
        for path, body in calls:
            before = snapshot()
            response = api.call(method, path, body)
            assert response.status_code == 404, f"{method.upper()} {path}: {response.status_code}"
            error = response.json()["error"]
            assert error["code"] == "not_found" and error["message"]
            assert b.workspace.name not in response.content.decode()
            assert snapshot() == before, f"{method.upper()} {path} changed something"


def test_api_saved_reply_rendered_across_workspaces_is_refused(client, tenants):
    """A's saved reply on B's thread, B's saved reply on A's thread: 404, and nothing of B in the answer."""
    a, b = tenants
    api = Api(client, a.raw_token)
    for saved, conv in ((a, b), (b, a)):
        path = f"/saved-replies/{saved.extra['saved_reply'].pk}/render"
        response = api.call("post", path, {"conversation_id": conv.conversation.pk})
        assert response.status_code == 404 and b.workspace.name not in response.content.decode()


def test_api_people_calls_mixing_a_and_b_are_refused(client, tenants):
    """A's objects combined with B's in one call: 404, and nothing changes on either side."""
    a, b = tenants
    api = Api(client, a.raw_token)
    calls = [
        ("delete", f"/people/{a.extra['person'].pk}/tags/{b.extra['tag'].pk}", {}),
        ("post", "/people/merges", {"keep": a.extra["free"][0].pk, "absorb": b.extra["free"][1].pk}),
        ("post", "/people/merges", {"keep": b.extra["free"][0].pk, "absorb": a.extra["free"][1].pk}),
    ]
    for method, path, body in calls:
        before = snapshot()
        response = api.call(method, path, body)
        assert response.status_code == 404, f"{method.upper()} {path}: {response.status_code}"
        assert snapshot() == before
    # B's segment as a filter of A's lists: refused, not B's persons
    assert api.call("get", "/people", params={"segment": b.extra["segment"].pk}).status_code == 404


def test_ui_people_lists_of_a_never_show_b_s_rows(client, tenants):
    a, b = tenants
    client.force_login(a.owner)
    A = a.workspace.slug
    mine = set(Person.objects.filter(workspace=a.workspace, merged_into__isnull=True).values_list("pk", flat=True))
    page = client.get(reverse("people:list", args=[A]), {"levels": ["newcomer", "occasional", "regular", "champion"]})
    listed = {p.pk for p in page.context["page"].object_list}
    assert listed and listed <= mine
    linked = {int(pk) for pk in re.findall(rf"/w/{A}/people/(\d+)/", page.content.decode())}
    assert linked and linked <= mine
    assert b.extra["tag"].name not in page.content.decode() and b.extra["segment"].name not in page.content.decode()
    # B's channel or tag as a filter: nobody
    assert (
        client.get(reverse("people:list", args=[A]), {"channel": b.connection.pk}).context["page"].paginator.count == 0
    )
    assert client.get(reverse("people:list", args=[A]), {"tag": b.extra["tag"].pk}).context["page"].paginator.count == 0
    suggestions = client.get(reverse("people:suggestions", args=[A]))
    assert {r["suggestion"].workspace_id for r in suggestions.context["rows"]} == {a.workspace.pk}
    # B's segment in A's inbox filter: nothing of B, nothing at all
    inbox = client.get(reverse("inbox:list", args=[A]), {"segment": b.extra["segment"].pk})
    assert inbox.status_code == 200 and inbox.context["page"].paginator.count == 0
    export = b"".join(client.get(reverse("people:export", args=[A])).streaming_content).decode()
    exported = {int(line.split(",", 1)[0]) for line in export.splitlines()[1:]}
    assert exported == mine


def test_api_same_calls_on_a_s_own_objects_succeed(client, tenants):
    """Control: the mirror-image calls on A's objects are not 404, so the 404s above are about tenancy."""
    a, b = tenants
    api = Api(client, a.raw_token)
    Connection.objects.filter(pk=a.connection.pk).update(
        config={k: v for k, v in a.connection.config.items() if k != "fail_replies"}
    )
    for (method, _template), calls in api_object_requests(b, a).items():
        for path, body in calls:
            if body.get("assignee"):
                body = {"assignee": a.owner.username}
            if path == "/moderation/decisions":
                body = {**body, "message_ids": [a.extra["pending"].pk]}
            response = api.call(method, path, body)
            assert response.status_code in (200, 201, 202, 204), f"{method.upper()} {path}: {response.content}"


def test_api_creating_in_a_never_touches_b(client, tenants):
    a, b = tenants
    api = Api(client, a.raw_token)
    b_rules = list(Rule.objects.filter(workspace=b.workspace).values_list("pk", "name", "enabled"))
    b_connections = list(Connection.objects.filter(workspace=b.workspace).values_list("pk", "name", "config"))

    # a name taken in B is free in A, and reveals nothing about B
    response = api.call("post", "/connections", {"name": b.connection.name, "network": "dummy"})
    assert response.status_code == 201
    assert Connection.objects.get(pk=response.json()["id"]).workspace == a.workspace

    response = api.call("post", "/moderation/rules", {**RULE, "name": b.extra["rule"].name})
    assert response.status_code == 201
    assert Rule.objects.get(pk=response.json()["id"]).workspace == a.workspace

    backtest = api.call("post", "/moderation/rules/backtest", {**RULE, "conditions": [{"type": "length", "max": 1}]})
    assert backtest.status_code == 200
    body = backtest.json()
    mine = set(Message.objects.filter(workspace=a.workspace, direction="in").values_list("pk", flat=True))
    assert body["examined"] == len(mine)
    assert body["sample"] and {row["message_id"] for row in body["sample"]} <= mine

    assert list(Rule.objects.filter(workspace=b.workspace).values_list("pk", "name", "enabled")) == b_rules
    assert list(Connection.objects.filter(workspace=b.workspace).values_list("pk", "name", "config")) == b_connections


def test_api_queues_of_a_never_show_or_take_b_s_channels(client, tenants):
    a, b = tenants
    api = Api(client, a.raw_token)
    listed = api.call("get", "/queue").json()
    assert {row["connection_id"] for row in listed} <= {a.connection.pk}
    assert b.extra["slot"].pk not in {slot["id"] for row in listed for slot in row["slots"]}
    before = snapshot()
    refused = api.call(
        "post", "/queue/slots", {"connection_ids": [b.connection.pk], "weekdays": [0], "times": ["09:00"]}
    )
    assert refused.status_code == 422 and b.connection.name not in refused.content.decode()
    mixed = {"connection_ids": [a.connection.pk, b.connection.pk], "weekdays": [0], "times": ["09:00"]}
    assert api.call("post", "/queue/slots", mixed).status_code == 422  # all or nothing
    queued = {"body": "x", "queue": True, "variants": [{"connection_id": b.connection.pk}]}
    assert api.call("post", "/posts", queued).status_code == 422
    imported = api.call(
        "post", "/posts/import", {"csv": f"text,channels\nx,{b.connection.pk}\nx,{b.connection.name}\n"}
    )
    assert imported.status_code == 200 and imported.json()["created"] == [] and imported.json()["refused"] == 2
    assert snapshot() == before


def test_api_lists_never_include_b_s_rows(client, tenants):
    a, b = tenants
    api = Api(client, a.raw_token)
    assert api.call("get", "/workspaces").json() == [{"slug": a.workspace.slug, "name": a.workspace.name}]
    assert [row["id"] for row in api.call("get", "/connections").json()] == [a.connection.pk]
    assert [row["id"] for row in api.call("get", "/moderation/rules").json()] == [a.extra["rule"].pk]
    assert [row["id"] for row in api.call("get", "/webhooks").json()] == [a.extra["endpoint"].pk]
    deliveries = api.call("get", "/webhooks/deliveries", params={"limit": 500}).json()
    assert [row["id"] for row in deliveries] == [a.extra["delivery"].pk]
    assert api.call("get", "/webhooks/deliveries", params={"endpoint_id": b.extra["endpoint"].pk}).json() == []
    client.force_login(a.owner)
    page = client.get(reverse("webhooks:page", args=[a.workspace.slug])).content.decode()
    assert f"{a.workspace.slug}-hook" in page and f"{b.workspace.slug}-hook" not in page
    assert [row["id"] for row in api.call("get", "/saved-replies").json()] == [a.extra["saved_reply"].pk]
    queue = {row["id"] for row in api.call("get", "/moderation/queue", params={"limit": 500}).json()}
    assert a.extra["pending"].pk in queue
    assert queue == set(
        Message.objects.filter(workspace=a.workspace, review=ReviewState.PENDING).values_list("pk", flat=True)
    )

    for path, model in (("/messages", Message), ("/conversations", Conversation)):
        mine = set(model.objects.filter(workspace=a.workspace).values_list("pk", flat=True))
        theirs = set(model.objects.filter(workspace=b.workspace).values_list("pk", flat=True))
        assert mine and theirs
        for params in (
            {"limit": 500, "held": "true"},
            {"limit": 500, "status": "new"},
            {"limit": 500, "language": "fr"},
            {"limit": 500, "language": "en"},
        ):
            rows = api.call("get", path, params=params).json()
            assert {row["id"] for row in rows} <= mine, (path, params)
        rows = api.call("get", path, params={"limit": 500}).json()
        assert {row["id"] for row in rows} == mine
        # B's channel as a filter gives nothing
        assert api.call("get", path, params={"channel": b.connection.pk}).json() == []
        # paging to the end never spills into B
        seen: set[int] = set()
        for offset in range(0, len(mine) + 20, 20):
            seen |= {row["id"] for row in api.call("get", path, params={"limit": 20, "offset": offset}).json()}
        assert seen == mine


def test_api_conversation_detail_only_shows_its_workspace_s_messages(client, tenants):
    a, b = tenants
    detail = Api(client, a.raw_token).call("get", f"/conversations/{a.conversation.pk}").json()
    ids = {m["id"] for m in detail["messages"]}
    assert ids == set(a.conversation.messages.values_list("pk", flat=True))
    assert not ids & set(Message.objects.filter(workspace=b.workspace).values_list("pk", flat=True))


def test_api_a_cannot_assign_b_s_member(client, tenants):
    a, b = tenants
    before = snapshot()
    response = Api(client, a.raw_token).call(
        "post", f"/conversations/{a.conversation.pk}/assign", {"assignee": b.extra["member"].username}
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "assignee"
    assert snapshot() == before


def test_api_token_of_b_cannot_reach_a_either(client, tenants):
    a, b = tenants
    api = Api(client, b.raw_token)
    before = snapshot()
    assert api.call("get", f"/conversations/{a.conversation.pk}").status_code == 404
    assert api.call("post", f"/messages/{a.message.pk}/reply", {"body": "x"}).status_code == 404
    assert api.call("post", f"/connections/{a.connection.pk}/sync").status_code == 404
    assert api.call("put", f"/moderation/rules/{a.extra['rule'].pk}", RULE).status_code == 404
    assert snapshot() == before


def test_team_lists_of_a_never_show_b_s_members_or_invitations(client, tenants):
    a, b = tenants
    api = Api(client, a.raw_token)
    mine = set(Membership.objects.filter(workspace=a.workspace).values_list("pk", flat=True))
    assert {row["id"] for row in api.call("get", "/members").json()} == mine
    assert [row["id"] for row in api.call("get", "/members/invitations").json()] == [a.extra["invitation"].pk]
    client.force_login(a.owner)
    page = client.get(reverse("accounts:team", args=[a.workspace.slug]))
    assert {m.pk for m in page.context["members"]} == mine
    assert [i.pk for i in page.context["invitations"]] == [a.extra["invitation"].pk]
    html = page.content.decode()
    assert b.extra["invitation"].email not in html and b.owner.username not in html


def test_api_analytics_never_reach_b(client, tenants):
    """Every figure family: B's channel is a 404 for A's token; A's own figures count A's messages only."""
    a, b = tenants
    api = Api(client, a.raw_token)
    before = snapshot()
    families = [path for _m, path in LIST_OPERATIONS if path.startswith("/api/v1/analytics/")]
    for path in families:
        short = path.removeprefix("/api/v1")
        if not path.endswith("share-of-voice"):
            assert api.call("get", short, params={"channel": b.connection.pk}).status_code == 404, path
            assert api.call("get", short, params={"channel": a.connection.pk}).status_code == 200, path
        assert api.call("get", short, params={"days": "90"}).status_code == 200, path
    assert snapshot() == before
    everything = {"since": "2000-01-01", "until": "2001-12-31"}
    assert api.call("get", "/analytics/activity", params=everything).json()["current"]["messages"] == 0
    first = Message.objects.filter(workspace=a.workspace).order_by("posted_at").first().posted_at.date()
    window = {"since": first.isoformat(), "until": first.replace(year=first.year + 1).isoformat()}
    mine = Message.objects.filter(workspace=a.workspace, direction="in", posted_at__date__lte=window["until"]).count()
    answer = api.call("get", "/analytics/activity", params=window).json()
    assert answer["current"]["messages"] == mine


def test_reports_of_a_never_show_b_s_templates_or_decisions(client, tenants):
    a, b = tenants
    api = Api(client, a.raw_token)
    assert [row["id"] for row in api.call("get", "/reports").json()] == [a.extra["report"].pk]
    mine = sum(DailyDecision.objects.filter(workspace=a.workspace, scope=WHOLE).values_list("count", flat=True))
    theirs = sum(DailyDecision.objects.filter(workspace=b.workspace, scope=WHOLE).values_list("count", flat=True))
    assert mine and theirs
    answer = api.call("get", "/reports/transparency", params={"days": "7"}).json()
    assert answer["decisions"] == mine
    client.force_login(a.owner)
    page = client.get(reverse("reports:list", args=[a.workspace.slug])).content.decode()
    assert a.extra["report"].name in page and b.extra["report"].name not in page
