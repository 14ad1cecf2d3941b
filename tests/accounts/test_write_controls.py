"""Roles hold in the pages too: a member only sees the write controls their role allows.

Every page of a workspace is rendered for each role; every form that posts and every htmx post in it is mapped
to the permission its target needs. A control whose permission the role lacks fails the test, and so does a
control whose target is not in the table (a new write URL must say which permission it needs).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from federe.accounts.models import Role
from federe.accounts.permissions import ROLE_PERMS, Perm
from federe.inbox.models import Conversation, Reply, ReplyState
from federe.listening import services as listening
from federe.moderation import services as moderation
from federe.people.models import Person
from tests.test_tenancy import WORKSPACE_INCLUDE, workspace_routes

pytestmark = pytest.mark.django_db

# The permission each write target needs; None: anyone may (their own language, session and tokens).
WRITE_PERM: dict[str, Perm | None] = {
    "accounts:set-language": None,
    "accounts:logout": None,
    "accounts:tokens": Perm.VIEW,
    "accounts:token-revoke": Perm.VIEW,
    "accounts:profile": None,
    "inbox:reply": Perm.REPLY,
    "inbox:retry": Perm.REPLY,
    "nlp:sentiment": Perm.REPLY,
    "inbox:status": Perm.ASSIGN,
    "inbox:assign": Perm.ASSIGN,
    "inbox:note-add": Perm.REPLY,
    "inbox:note-edit": Perm.REPLY,
    "inbox:note-delete": Perm.REPLY,
    # every member marks threads read or unread (the bulk bar offers the other actions to ASSIGN only) and keeps
    # saved filters of their own
    "inbox:bulk": Perm.VIEW,
    "inbox:filter-save": Perm.VIEW,
    "inbox:filter-rename": Perm.VIEW,
    "inbox:filter-delete": Perm.VIEW,
    "notifications:read-all": Perm.VIEW,
    "notifications:open": Perm.VIEW,
    "listening:escalate": Perm.ASSIGN,
    "connections:list": Perm.MANAGE_CONNECTIONS,
    "connections:sync": Perm.SYNC,
    "moderation:decide": Perm.MODERATE,
    "moderation:rule-new": Perm.MODERATE,
    "moderation:rule-edit": Perm.MODERATE,
    "moderation:rule-backtest": Perm.MODERATE,
    "moderation:rule-toggle": Perm.MODERATE,
    "moderation:rule-move": Perm.MODERATE,
    "moderation:rule-delete": Perm.MODERATE,
    "nlp:train": Perm.MODERATE,
    "nlp:activate": Perm.MODERATE,
    "listening:query-new": Perm.MANAGE_LISTENING,
    "listening:query-edit": Perm.MANAGE_LISTENING,
    "listening:query-delete": Perm.MANAGE_LISTENING,
    "listening:preview": Perm.MANAGE_LISTENING,
    "listening:alerts": Perm.MANAGE_LISTENING,
    "people:segment-save": Perm.ASSIGN,
    "people:segment-delete": Perm.ASSIGN,
    "people:suggestions-refresh": Perm.ASSIGN,
    "people:suggestion-decide": Perm.ASSIGN,
    "people:merge-undo": Perm.ASSIGN,
    "people:digest": Perm.ASSIGN,
    "people:person-note": Perm.ASSIGN,
    "people:person-note-delete": Perm.ASSIGN,
    "people:person-tag": Perm.ASSIGN,
    "people:person-untag": Perm.ASSIGN,
    "people:person-field": Perm.ASSIGN,
    "people:settings": Perm.MANAGE_CONNECTIONS,
    "people:recompute": Perm.MANAGE_CONNECTIONS,
    "people:person-erase": Perm.MANAGE_MEMBERS,
    "accounts:team": Perm.MANAGE_MEMBERS,
    "tickets:team-create": Perm.MANAGE_WEBHOOKS,
    "tickets:team-edit": Perm.MANAGE_WEBHOOKS,
    "tickets:team-rotate": Perm.MANAGE_WEBHOOKS,
    "tickets:team-delete": Perm.MANAGE_WEBHOOKS,
    "tickets:escalate": Perm.ASSIGN,
    "tickets:status": Perm.ASSIGN,
    "inbox:priority": Perm.ASSIGN,
    "campaigns:create": Perm.PUBLISH,
    "campaigns:edit": Perm.PUBLISH,
    "campaigns:delete": Perm.PUBLISH,
    "campaigns:goals": Perm.PUBLISH,
    "campaigns:budget": Perm.PUBLISH,
    "campaigns:line-delete": Perm.PUBLISH,
    "campaigns:spend-import": Perm.PUBLISH,
    "contests:create": Perm.PUBLISH,
    "contests:edit": Perm.PUBLISH,
    "contests:collect": Perm.PUBLISH,
    "contests:decide": Perm.PUBLISH,
    "contests:commit": Perm.PUBLISH,
    "contests:draw": Perm.PUBLISH,
    "contests:announce": Perm.PUBLISH,
    "events:create": Perm.PUBLISH,
    "events:edit": Perm.PUBLISH,
    "events:posts": Perm.PUBLISH,
    "events:collect": Perm.PUBLISH,
    "events:check-in": Perm.PUBLISH,
    "events:cancel": Perm.PUBLISH,
    "events:follow-up": Perm.PUBLISH,
    "reports:create": Perm.MANAGE_REPORTS,
    "reports:edit": Perm.MANAGE_REPORTS,
    "reports:delete": Perm.MANAGE_REPORTS,
    "reports:share": Perm.MANAGE_REPORTS,
    "reports:revoke": Perm.MANAGE_REPORTS,
    "sla:page": Perm.MANAGE_SLA,
    "sla:edit": Perm.MANAGE_SLA,
    "sla:move": Perm.MANAGE_SLA,
    "sla:delete": Perm.MANAGE_SLA,
    "accounts:team-member": Perm.MANAGE_MEMBERS,
    "accounts:team-remove": Perm.MANAGE_MEMBERS,
    "accounts:invitation-revoke": Perm.MANAGE_MEMBERS,
    "publishing:compose": Perm.PUBLISH,
    "publishing:edit": Perm.PUBLISH,
    "publishing:limits": Perm.PUBLISH,
    "publishing:submit": Perm.PUBLISH,
    "publishing:link-create": Perm.PUBLISH,
    "publishing:link-revoke": Perm.PUBLISH,
    "publishing:decide": Perm.VIEW,  # shown to the approvers of the post's current step only (any role)
    "publishing:workflow": Perm.MANAGE_MEMBERS,
    "publishing:queue": Perm.PUBLISH,
    "publishing:import": Perm.PUBLISH,
    "publishing:queue-next": Perm.PUBLISH,
    "publishing:queue-remove": Perm.PUBLISH,
    "publishing:calendar-move": Perm.PUBLISH,
    "accounts:settings": Perm.MANAGE_MEMBERS,
    "links:settings": Perm.PUBLISH,
    "links:preset": Perm.PUBLISH,
    "links:example": Perm.VIEW,  # changes nothing: the address a preset gives, as one types
    "webhooks:create": Perm.MANAGE_WEBHOOKS,
    "webhooks:edit": Perm.MANAGE_WEBHOOKS,
    "webhooks:rotate": Perm.MANAGE_WEBHOOKS,
    "webhooks:delete": Perm.MANAGE_WEBHOOKS,
    "webhooks:test": Perm.MANAGE_WEBHOOKS,
    "webhooks:replay": Perm.MANAGE_WEBHOOKS,
    "replies:list": Perm.REPLY,
    "replies:edit": Perm.REPLY,
    "replies:delete": Perm.REPLY,
}


class _Controls(HTMLParser):
    """Collects (target, how) for each <form method=post> and each hx-post in a page."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.found.append((values.get("action") or self.page_path, "form"))
        if "hx-post" in values:
            self.found.append((values["hx-post"] or self.page_path, f"hx-post on <{tag}>"))


def write_controls(path: str, html: str) -> list[tuple[str, str]]:
    parser = _Controls(path)
    parser.feed(html)
    return parser.found


@pytest.fixture
def pages(workspace, owner, synced) -> list[str]:
    """Every page of the workspace that answers GET, with an object of each kind to show."""
    conversation = Conversation.objects.filter(workspace=workspace).order_by("pk").first()
    Reply.objects.create(
        workspace=workspace,
        conversation=conversation,
        body_text="not sent",
        state=ReplyState.FAILED,
        error="boom",
        author=owner,
    )
    rule = moderation.save_rule(
        workspace=workspace,
        by=owner,
        name="Watched words",
        match="any",
        conditions=[{"type": "words", "words": ["zzz"]}],
        actions=[{"type": "hold"}],
    )
    query = listening.save_query(workspace=workspace, by=owner, name="Brand", kind="brand", text="lang:fr OR lang:en")
    person = Person.objects.filter(workspace=workspace).order_by("pk").first()
    slug = workspace.slug

    def url(name: str, **kwargs: int) -> str:
        return reverse(name, kwargs={"slug": slug, **kwargs})

    with_ids = [
        url("inbox:thread", pk=conversation.pk),
        url("connections:detail", pk=synced.pk),
        url("moderation:rule-edit", pk=rule.pk),
        url("people:person", pk=person.pk),
        url("listening:query", pk=query.pk),
        url("listening:query-edit", pk=query.pk),
    ]
    return [*_pages_without_ids(slug), *with_ids]


def _pages_without_ids(slug: str) -> list[str]:
    """Every workspace URL that takes no id, so that a page added later is checked without a change here."""
    routes = workspace_routes()
    return [
        reverse(name, kwargs={"slug": slug})
        for name, route in routes.items()
        if "<" not in route.removeprefix(WORKSPACE_INCLUDE)
    ]


def _target_name(target: str) -> str:
    try:
        return resolve(urlsplit(target).path).view_name or target
    except Resolver404:
        return target


@pytest.mark.parametrize("role", [Role.CLIENT, Role.ANALYST, Role.MODERATOR, Role.COMMUNITY_MANAGER])
def test_a_member_sees_only_the_write_controls_their_role_allows(client, pages, member_factory, role):
    user = member_factory(role)
    client.force_login(user)
    allowed = ROLE_PERMS[role]
    shown: set[str] = set()
    for path in pages:
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for target, how in write_controls(path, response.content.decode()):
            name = _target_name(target)
            assert name in WRITE_PERM, f"{path}: {how} posts to {target}, which is missing from WRITE_PERM"
            needed = WRITE_PERM[name]
            assert needed is None or needed in allowed, f"{role} sees {how} to {name} on {path} (needs {needed})"
            shown.add(name)
    assert "accounts:set-language" in shown  # the parser does see the forms of these pages


def test_the_owner_sees_the_controls_that_the_others_do_not(client, pages, owner):
    """Control: the same pages show the owner the write controls hidden from the client."""
    client.force_login(owner)
    shown = set()
    for path in pages:
        response = client.get(path)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            shown |= {_target_name(t) for t, _how in write_controls(path, response.content.decode())}
    assert {
        "inbox:reply",
        "inbox:retry",
        "nlp:sentiment",
        "inbox:assign",
        "inbox:note-add",
        "moderation:rule-edit",
        "moderation:rule-new",
        "listening:alerts",
        "listening:query-edit",
        "listening:query-new",
        "people:settings",
        "connections:list",
        "webhooks:create",
    } <= shown


def test_the_can_tag_answers_for_the_workspace_of_the_page(rf, workspace, member_factory, other_workspace):
    from django.template import Context, Template

    rival, _owner, _conn = other_workspace
    template = Template('{% load roles %}{% can "reply" as may %}{% if may %}yes{% else %}no{% endif %}')
    moderator = member_factory(Role.MODERATOR)
    client_user = member_factory(Role.CLIENT)
    for user, ws, expected in [
        (moderator, workspace, "yes"),
        (client_user, workspace, "no"),
        (moderator, rival, "no"),  # not a member there
    ]:
        request = rf.get("/")
        request.user = user
        assert template.render(Context({"request": request, "workspace": ws})) == expected
