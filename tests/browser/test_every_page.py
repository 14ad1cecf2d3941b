"""Every page of the UI in a real browser, in English and French, on a desktop (1366 px) and a phone (390 px).

The walk is one list, ``SCREENS``: to add a page, add a ``Screen`` (its URL name, how to build its path
from the demo workspace, and what must be on it). ``test_every_page_of_the_url_conf_is_walked`` (no browser)
fails when the URL conf has a page that is neither walked nor listed in ``NOT_PAGES``.

Each walk fails on: an HTTP error, a JavaScript error or any console error, a Content-Security-Policy
violation, a request that leaves this server, a page wider than the window. Screenshots land in
``artifacts/screenshots/<page>-<lang>-<width>.png``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from federe.accounts.models import User, Workspace
from federe.accounts.services import create_api_token
from federe.accounts.team import invitation_link, pending
from federe.campaigns.models import Campaign
from federe.connections.models import Connection
from federe.contests.models import Contest
from federe.core.models import AuditEvent
from federe.events.models import Event
from federe.inbox.models import Conversation, Message
from federe.links import services as link_services
from federe.links.models import ClickCount
from federe.links.utm import DEFAULTS
from federe.links.utm import Context as UtmContext
from federe.listening.models import SavedQuery
from federe.moderation.models import Rule
from federe.people.models import Person
from federe.publishing.channels import publishing_channels
from federe.replies.models import SavedReply
from federe.reports import sharing
from federe.reports.models import ReportTemplate
from federe.sla import services as sla_services
from federe.sla.models import Policy
from federe.webhooks import services as webhook_services
from federe.webhooks.models import Delivery, DeliveryAttempt, DeliveryState, Endpoint
from tests.browser.test_publishing import client_address, demo_post, queue_address
from tests.browser.test_ui import DEMO_USER, assert_inbox_fits_the_window, log_in, switch_language

WIDTHS = (1366, 390)
LANGS = ("en", "fr")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


# --------------------------------------------------------------------------- the pages


def _heading(page: Page, _ws: Workspace) -> None:
    expect(page.locator("main h1").first).to_be_visible()


@dataclass(frozen=True)
class Screen:
    name: str  # of the screenshot
    url_name: str  # in the URL conf ("" for an address that is not in it)
    path: Callable[[Workspace], str]
    check: Callable[[Page, Workspace], None] = _heading
    status: int = 200
    anonymous: bool = False
    translated: bool = True  # False: a page of a library (Swagger UI) that speaks English only


def _w(suffix: str) -> Callable[[Workspace], str]:
    return lambda ws: f"/w/{ws.slug}/{suffix}"


def _thread(ws: Workspace) -> Conversation:
    """The longest conversation on the inbox's first page: the most telling thread screenshot."""
    first_page = Conversation.objects.filter(workspace=ws).order_by("-last_message_at", "-id")[:40]
    return max(first_page, key=lambda c: (c.messages.count(), c.last_message_at))


def _sla_policy(ws: Workspace) -> Policy:
    """The demo's SLA policy, made the first time it is asked for (business hours, a holiday)."""
    owner = User.objects.get(username=DEMO_USER)
    fields = sla_services.Fields(
        name="Office hours",
        first_response_minutes=120,
        resolution_minutes=1440,
        hours="business",
        business_hours=[(day, 540, 1080) for day in range(5)],
        holidays=[timezone.localdate().replace(month=12, day=25)],
    )
    existing = Policy.objects.filter(workspace=ws, name="Office hours").first()
    return existing or sla_services.add(workspace=ws, fields=fields, by=owner)


def _campaign(ws: Workspace) -> Campaign:
    """The demo's running campaign (campaigns/demo.py)."""
    return Campaign.objects.filter(workspace=ws).order_by("id").first()


def _campaign_page(page: Page, ws: Workspace) -> None:
    """A picture first (the mentions per day), a table beside it, and each difference in words."""
    expect(page.locator(".campaign-impact svg").first).to_be_visible()
    expect(page.locator(".campaign-impact table")).to_be_visible()
    expect(page.locator(".campaign-sentences li").first).to_contain_text("(p")


def _contest(ws: Workspace) -> Contest:
    """The demo's finished contest (contests/demo.py)."""
    return Contest.objects.filter(workspace=ws).order_by("id").first()


def _report(ws: Workspace) -> ReportTemplate:
    """The demo's monthly client report template (reports/demo.py)."""
    return ReportTemplate.objects.filter(workspace=ws).order_by("id").first()


def _report_document(page: Page, _ws: Workspace) -> None:
    """The report is a document of its own (no <main>), in the template's language: its title and charts."""
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("figure.chart svg").first).to_be_visible()


def _shared_report(ws: Workspace) -> str:
    token, _expires = sharing.make(_report(ws), by=User.objects.get(username=DEMO_USER), days=7)
    return f"/reports/shared/{token}/"


def _event(ws: Workspace) -> Event:
    """The demo's upcoming event, full with a waiting list (events/demo.py)."""
    return Event.objects.filter(workspace=ws, starts_at__gt=timezone.now()).order_by("starts_at").first()


def _person(ws: Workspace) -> Person:
    return Person.objects.filter(workspace=ws, merged_into__isnull=True).order_by("-score", "id").first()


def _query(ws: Workspace) -> SavedQuery:
    return SavedQuery.objects.filter(workspace=ws).order_by("id").first()


def _channel(ws: Workspace) -> Connection:
    return Connection.objects.filter(workspace=ws).order_by("name").first()


def _calendar(ws: Workspace, view: str) -> str:
    """The calendar around the demo's post awaiting approval (so that a chip is on it)."""
    day = demo_post(ws).scheduled_at.astimezone(ZoneInfo(ws.timezone)).date()
    return f"/w/{ws.slug}/posts/calendar/?view={view}&date={day.isoformat()}"


def _calendar_page(page: Page, ws: Workspace) -> None:
    expect(page.locator("#calendar h1")).to_be_visible()
    chips = page.locator("#calendar .chip:visible")
    expect(chips.first).to_be_visible()
    expect(chips.first.locator(".chip-state")).not_to_have_text("")


def _saved_reply(ws: Workspace) -> SavedReply:
    return SavedReply.objects.filter(workspace=ws, connection__isnull=True).order_by("id").first()


def _saved_replies(page: Page, ws: Workspace) -> None:
    expect(page.locator("main section.saved-replies")).not_to_have_count(0)
    expect(page.locator("main form textarea[name=body]")).to_be_visible()


def _overview(page: Page, ws: Workspace) -> None:
    expect(page.locator("main h1")).to_have_text(ws.name)
    expect(page.locator(".chart svg rect")).not_to_have_count(0)
    expect(page.locator(".tiles li")).to_have_count(4)


def _inbox(page: Page, ws: Workspace) -> None:
    expect(page.locator(".conversations li a")).to_have_count(
        min(40, Conversation.objects.filter(workspace=ws).count())
    )
    expect(page.locator(".filters select").first).to_be_visible()
    assert_inbox_fits_the_window(page)


def _thread_page(page: Page, ws: Workspace) -> None:
    conversation = _thread(ws)
    expect(page.locator("#thread .thread-head h2")).to_have_text(conversation.title)
    expect(page).to_have_title(re.compile(re.escape(conversation.title)))
    expect(page.locator("#thread ol.messages > li.message")).to_have_count(conversation.messages.count())
    expect(page.locator("#thread form.reply textarea")).to_be_attached()
    assert_inbox_fits_the_window(page)


def _activity(page: Page, ws: Workspace) -> None:
    events = AuditEvent.objects.filter(workspace=ws).count()
    expect(page.locator("table.table tbody tr")).to_have_count(min(events, 50))
    verbs = page.locator("table.table tbody tr td:nth-child(3)").all_inner_texts()
    assert not [v for v in verbs if re.fullmatch(r"[a-z_]+\.[a-z_]+", v.strip())], "raw verbs shown"


def _api_docs(page: Page, _ws: Workspace) -> None:
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Fédère API")  # Swagger UI ran, offline
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()


def _queue_page(page: Page, _ws: Workspace) -> None:
    expect(page.locator("ol.upcoming li").first).to_be_visible()
    expect(page.locator("form.queue-add")).to_be_visible()


def _not_found(page: Page, _ws: Workspace) -> None:
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main a[href='/']")).to_be_visible()


def _clicked_links(ws: Workspace) -> int:
    """The demo post's short links on each publishing channel, clicked a few times (made once); its id."""
    post = demo_post(ws)
    for n, channel in enumerate(publishing_channels(ws)[:3]):
        context = UtmContext(channel.connection.name, channel.connection.network, str(post.pk), "2026-12-01")
        link = link_services.link_for(post, channel.connection, "https://example.org/carte", DEFAULTS, context)
        for _ in range(0 if ClickCount.objects.filter(link=link).exists() else 3 + 4 * n):
            link_services.count_click(link)
    return post.pk


def _webhooks_made(ws: Workspace) -> str:
    """An endpoint (loopback: nothing listens, no worker runs here) whose log has a delivered and a failing
    event, each with its attempts (made once); the page's path."""
    if not Endpoint.objects.filter(workspace=ws).exists():
        owner = User.objects.get(username=DEMO_USER)
        endpoint, _secret = webhook_services.create_endpoint(
            workspace=ws,
            by=owner,
            url="http://127.0.0.1:9/hooks/crm",
            event_types=["message.received", "thread.closed"],
            description="CRM",
        )
        now = timezone.now()
        for n, answers in enumerate([(503, 200), (None, 500)]):
            delivery = webhook_services.send_test(endpoint=endpoint, by=owner)
            for i, status in enumerate(answers):
                DeliveryAttempt.objects.create(
                    delivery=delivery,
                    at=now - timedelta(minutes=10 * n + 5 - i),
                    status_code=status,
                    response_excerpt="" if status is None else ("ok" if status == 200 else "Service Unavailable"),
                    error="Could not connect to 127.0.0.1." if status is None else "",
                    duration_ms=40 + i,
                )
            state, wait = (DeliveryState.SENT, None) if answers[-1] == 200 else (DeliveryState.FAILED, now)
            Delivery.objects.filter(pk=delivery.pk).update(state=state, attempts=2, next_attempt_at=wait)
    return f"/w/{ws.slug}/webhooks/"


def _dashboards(page: Page, _ws: Workspace) -> None:
    """Every family's section, with a chart drawn and a table beside it."""
    expect(page.locator("main section.card[id]")).to_have_count(9)
    expect(page.locator("#activity figure.chart svg")).to_be_visible()
    expect(page.locator("#activity table")).to_be_visible()
    if (page.viewport_size or {}).get("width", 0) >= 1366:  # on a computer, no table is cut at its box's edge
        cut = page.evaluate(
            "[...document.querySelectorAll('.analytics-table')]"
            ".filter(box => box.scrollWidth > box.clientWidth + 1)"
            ".map(box => `${box.closest('section').id}: ${box.scrollWidth} px in ${box.clientWidth} px`)"
        )
        assert cut == [], f"tables wider than their box: {cut}"


def _webhooks(page: Page, _ws: Workspace) -> None:
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator("main details.webhook")).to_have_count(1)


def _links(page: Page, _ws: Workspace) -> None:
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main .chart svg rect")).not_to_have_count(0)
    expect(page.locator("main table.links tbody tr")).not_to_have_count(0)
    expect(page.locator("main .preset-form").first).to_be_visible()
    expect(page.locator("main .example code").first).to_be_visible()


def _link_missing(page: Page, _ws: Workspace) -> None:
    expect(page.locator("main h1")).to_be_visible()


def _best_time(page: Page, ws: Workspace) -> None:
    """The demo has posts enough to learn from their answers: a full grid, counts in it, suggested slots."""
    expect(page.locator("table.heatmap tbody tr")).to_have_count(7)
    expect(page.locator("table.heatmap tbody tr").first.locator("td")).to_have_count(24)
    expect(page.locator("td.suggested").first).to_be_visible()
    expect(page.locator("ol.suggested-slots li")).not_to_have_count(0)


def _search_path(ws: Workspace) -> str:
    """A word of one of the workspace's messages, so that the results page has something to show."""
    body = (
        Message.objects.filter(workspace=ws).exclude(body_text="").order_by("pk").values_list("body_text", flat=True)[0]
    )
    word = next(w for w in re.findall(r"[^\W\d_]{5,}", body))
    return f"/w/{ws.slug}/inbox/search/?{urlencode({'q': word})}"


def _search(page: Page, _ws: Workspace) -> None:
    expect(page.locator("main ol.search-results li.card").first).to_be_visible()
    expect(page.locator("main .search-hit mark").first).to_be_visible()


SCREENS = [
    Screen(
        "login",
        "accounts:login",
        lambda ws: "/login/",
        lambda p, ws: expect(p.locator("#id_username")).to_be_visible(),
        anonymous=True,
    ),
    Screen("overview", "core:overview", _w(""), _overview),
    Screen("inbox", "inbox:list", _w("inbox/"), _inbox),
    Screen("thread", "inbox:thread", lambda ws: f"/w/{ws.slug}/inbox/{_thread(ws).pk}/", _thread_page),
    Screen(
        "saved-filters",
        "inbox:filters",
        _w("inbox/filters/"),
        lambda p, ws: expect(p.locator("main h1")).to_be_visible(),
    ),
    Screen("search", "search:results", _search_path, _search),
    Screen("review-queue", "moderation:queue", _w("moderation/")),
    Screen(
        "rules",
        "moderation:rules",
        _w("moderation/rules/"),
        lambda p, ws: expect(p.locator("main table")).to_be_visible(),
    ),
    Screen(
        "rule-new",
        "moderation:rule-new",
        _w("moderation/rules/new/"),
        lambda p, ws: expect(p.locator("main form")).to_be_visible(),
    ),
    Screen(
        "rule-edit",
        "moderation:rule-edit",
        lambda ws: f"/w/{ws.slug}/moderation/rules/{Rule.objects.filter(workspace=ws).order_by('id').first().pk}/",
    ),
    Screen("models", "nlp:models", _w("moderation/models/")),
    Screen(
        "channels",
        "connections:list",
        _w("channels/"),
        lambda p, ws: expect(p.locator("main form.form")).to_be_visible(),
    ),
    Screen(
        "channel",
        "connections:detail",
        lambda ws: f"/w/{ws.slug}/channels/{_channel(ws).pk}/",
        lambda p, ws: expect(p.locator("dl.facts")).to_be_visible(),
    ),
    Screen(
        "people",
        "people:list",
        _w("people/"),
        lambda p, ws: expect(p.locator("table.people tbody tr").first).to_be_visible(),
    ),
    Screen(
        "person",
        "people:person",
        lambda ws: f"/w/{ws.slug}/people/{_person(ws).pk}/",
        lambda p, ws: expect(p.locator("main h1")).to_have_text(_person(ws).display_name),
    ),
    Screen("people-suggestions", "people:suggestions", _w("people/suggestions/")),
    Screen("people-signals", "people:signals", _w("people/signals/")),
    Screen("people-scoring", "people:settings", _w("people/scoring/")),
    Screen("listening", "listening:dashboard", _w("listening/")),
    Screen(
        "listening-query",
        "listening:query",
        lambda ws: f"/w/{ws.slug}/listening/queries/{_query(ws).pk}/",
        lambda p, ws: expect(p.locator("main h1")).to_contain_text(_query(ws).name),
    ),
    Screen("listening-query-new", "listening:query-new", _w("listening/queries/new/")),
    Screen(
        "listening-query-edit",
        "listening:query-edit",
        lambda ws: f"/w/{ws.slug}/listening/queries/{_query(ws).pk}/edit/",
    ),
    Screen("alerts", "listening:alerts", _w("listening/alerts/")),
    Screen("activity", "core:activity", _w("activity/"), _activity),
    Screen(
        "workspace-settings",
        "accounts:settings",
        _w("settings/"),
        lambda p, ws: expect(p.locator("main form input[name=timezone]")).to_have_value(ws.timezone),
    ),
    Screen("team", "accounts:team", _w("team/"), lambda p, ws: expect(p.locator("main table").first).to_be_visible()),
    Screen(
        "profile",
        "accounts:profile",
        lambda ws: "/profile/",
        lambda p, ws: expect(p.locator("main form").first).to_be_visible(),
    ),
    Screen(
        "invitation",
        "accounts:invitation",
        lambda ws: invitation_link(pending(ws).order_by("id").first(), ""),
        lambda p, ws: expect(p.locator("main form").first).to_be_visible(),
        anonymous=True,
    ),
    Screen(
        "tokens",
        "accounts:tokens",
        _w("tokens/"),
        lambda p, ws: expect(p.locator("table.table")).to_contain_text("Export script"),
    ),
    Screen("posts", "publishing:list", _w("posts/")),
    Screen("compose", "publishing:compose", _w("posts/new/")),
    Screen("approval-workflow", "publishing:workflow", _w("posts/approvals/")),
    Screen("queue", "publishing:queue", queue_address, _queue_page),
    Screen("calendar-month", "publishing:calendar", lambda ws: _calendar(ws, "month"), _calendar_page),
    Screen("calendar-week", "publishing:calendar", lambda ws: _calendar(ws, "week"), _calendar_page),
    Screen("best-time", "publishing:best-time", _w("posts/best-time/"), _best_time),
    Screen("post-import", "publishing:import", _w("posts/import/")),
    Screen("post", "publishing:post", lambda ws: f"/w/{ws.slug}/posts/{demo_post(ws).pk}/"),
    Screen("post-edit", "publishing:edit", lambda ws: f"/w/{ws.slug}/posts/{demo_post(ws).pk}/edit/"),
    Screen("client-approval", "publishing:client", client_address, anonymous=True),
    Screen("links", "links:page", lambda ws: f"/w/{ws.slug}/links/?post={_clicked_links(ws)}", _links),
    Screen("webhooks", "webhooks:page", _webhooks_made, _webhooks),
    Screen("link-missing", "links:follow", lambda ws: "/l/zzzzzzz", _link_missing, status=404, anonymous=True),
    Screen("saved-replies", "replies:list", _w("saved-replies/"), _saved_replies),
    Screen("saved-reply-edit", "replies:edit", lambda ws: f"/w/{ws.slug}/saved-replies/{_saved_reply(ws).pk}/"),
    Screen("api-docs", "api-v1:openapi-view", lambda ws: "/api/v1/docs", _api_docs, translated=False),
    Screen("notifications", "notifications:list", _w("notifications/")),
    Screen(
        "escalation-teams",
        "tickets:teams",
        _w("escalation/"),
        lambda p, ws: expect(p.locator("main form select[name=kind]")).to_be_visible(),
    ),
    Screen("sla", "sla:page", _w("inbox/sla/")),
    Screen("sla-policy", "sla:edit", lambda ws: f"/w/{ws.slug}/inbox/sla/{_sla_policy(ws).pk}/"),
    Screen("campaigns", "campaigns:list", _w("campaigns/")),
    Screen("campaign-new", "campaigns:create", _w("campaigns/new/")),
    Screen("campaign", "campaigns:campaign", lambda ws: f"/w/{ws.slug}/campaigns/{_campaign(ws).pk}/", _campaign_page),
    Screen("campaign-edit", "campaigns:edit", lambda ws: f"/w/{ws.slug}/campaigns/{_campaign(ws).pk}/edit/"),
    Screen(
        "campaign-mentions", "campaigns:mentions", lambda ws: f"/w/{ws.slug}/campaigns/{_campaign(ws).pk}/mentions/"
    ),
    Screen("campaign-budget", "campaigns:budget", lambda ws: f"/w/{ws.slug}/campaigns/{_campaign(ws).pk}/budget/"),
    Screen("dashboards", "analytics:dashboard", _w("analytics/?days=90"), _dashboards),
    Screen("contests", "contests:list", _w("contests/")),
    Screen("contest-new", "contests:create", _w("contests/new/")),
    Screen("contest", "contests:detail", lambda ws: f"/w/{ws.slug}/contests/{_contest(ws).pk}/"),
    Screen("contest-edit", "contests:edit", lambda ws: f"/w/{ws.slug}/contests/{_contest(ws).pk}/edit/"),
    Screen("contest-entries", "contests:entries", lambda ws: f"/w/{ws.slug}/contests/{_contest(ws).pk}/entries/"),
    Screen(
        "draw-certificate",
        "contests:certificate",
        lambda ws: f"/draws/{_contest(ws).public_id}/",
        lambda p, ws: expect(p.locator("#winners li").first).to_be_visible(),
        anonymous=True,
    ),
    Screen("events", "events:list", _w("events/")),
    Screen("event-new", "events:create", _w("events/new/")),
    Screen("event", "events:detail", lambda ws: f"/w/{ws.slug}/events/{_event(ws).pk}/"),
    Screen("event-edit", "events:edit", lambda ws: f"/w/{ws.slug}/events/{_event(ws).pk}/edit/"),
    Screen("event-check-in", "events:check-in-list", lambda ws: f"/w/{ws.slug}/events/{_event(ws).pk}/check-in/"),
    Screen(
        "event-register",
        "events:register",
        lambda ws: f"/e/{_event(ws).public_id}/",
        lambda p, ws: expect(p.locator("main form button.primary")).to_be_visible(),
        anonymous=True,
    ),
    Screen("reports", "reports:list", _w("reports/")),
    Screen("report-new", "reports:create", _w("reports/new/")),
    Screen("report-edit", "reports:edit", lambda ws: f"/w/{ws.slug}/reports/{_report(ws).pk}/"),
    Screen(
        "report-preview",
        "reports:preview",
        lambda ws: f"/w/{ws.slug}/reports/{_report(ws).pk}/report/",
        _report_document,
        translated=False,  # in the template's language, whatever the reader's
    ),
    Screen("report-shared", "reports:shared", _shared_report, _report_document, anonymous=True, translated=False),
    Screen("transparency", "reports:transparency", _w("reports/transparency/")),
    Screen("not-found", "", _w("no-such-page/"), _not_found, status=404),
]

# URL names that are not pages of their own: actions (POST), downloads, redirects, fragments.
NOT_PAGES = {
    "core:home", "core:health",
    "accounts:logout", "accounts:set-language", "accounts:token-revoke", "accounts:team-member",
    "accounts:team-remove", "accounts:invitation-revoke", "accounts:password",
    "connections:sync-hook", "connections:sync",
    # Only for a network with places to choose (Matrix rooms, lists); the demo's channels have none. Its page is
    # tested with a throw-away network in tests/connections/test_targets.py.
    "connections:targets",
    "inbox:reply", "inbox:retry", "inbox:status", "inbox:assign", "inbox:priority",
    "sla:move", "sla:delete",
    "analytics:csv",
    "nlp:sentiment", "nlp:train", "nlp:activate",
    # Fragments that the models page and the review queue fetch with htmx (tests/nlp/test_deep_tier_pages.py).
    "nlp:deep", "nlp:why",
    "moderation:decide", "moderation:rule-backtest", "moderation:rule-toggle", "moderation:rule-move",
    "moderation:rule-delete",
    "people:export", "people:suggestions-refresh", "people:suggestion-decide", "people:merge-undo", "people:digest",
    "people:recompute", "people:segment-save", "people:segment-delete", "people:person-note",
    "people:person-note-delete", "people:person-tag", "people:person-untag", "people:person-field",
    "people:person-export", "people:person-erase",
    "listening:voice-csv", "listening:preview", "listening:query-delete", "listening:escalate",
    "publishing:limits", "publishing:media", "publishing:submit", "publishing:decide", "publishing:link-create",
    "publishing:link-revoke", "publishing:client-image", "publishing:queue-next", "publishing:queue-remove",
    "publishing:calendar-move",
    "links:settings", "links:preset", "links:example",
    "publishing:import-sample",
    "webhooks:create", "webhooks:edit", "webhooks:rotate", "webhooks:delete", "webhooks:test", "webhooks:replay",
    "replies:delete", "replies:picker", "replies:insert",
    "inbox:note-add", "inbox:note-edit", "inbox:note-delete",
    "inbox:bulk", "inbox:filter-save", "inbox:filter-rename", "inbox:filter-delete",
    "notifications:bell", "notifications:read-all", "notifications:open",
    "tickets:team-create", "tickets:team-edit", "tickets:team-rotate", "tickets:team-delete", "tickets:escalate",
    "tickets:status", "tickets:hook",
    "campaigns:delete", "campaigns:goals", "campaigns:line-delete", "campaigns:spend-import", "campaigns:spend-sample",
    "contests:collect", "contests:decide", "contests:commit", "contests:draw", "contests:announce",
    # Fragments the contest and event pages poll with htmx while the worker sends (tests/events/test_follow_up_runs.py).
    "contests:announce-progress", "events:follow-up-progress",
    "contests:certificate-json", "contests:certificate-script", "contests:certificate-rules",
    "events:posts", "events:collect", "events:check-in", "events:cancel", "events:follow-up",
    "reports:delete", "reports:share", "reports:revoke", "reports:resume", "reports:pdf", "reports:shared-pdf",
    "reports:transparency-csv", "reports:transparency-pdf",
}  # fmt: skip


def _url_names(patterns, prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _url_names(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_every_page_of_the_url_conf_is_walked():
    names = {n for n in _url_names(get_resolver().url_patterns) if not n.startswith("admin:")}
    api = {n for n in names if n.startswith("api-v1:") and n != "api-v1:openapi-view"}  # JSON, not pages
    walked = {s.url_name for s in SCREENS if s.url_name}
    missing = names - api - NOT_PAGES - walked
    assert not missing, f"pages the browser walk does not visit: add a Screen (or to NOT_PAGES): {sorted(missing)}"
    assert not walked - names, f"screens whose URL name is gone: {sorted(walked - names)}"


# --------------------------------------------------------------------------- the walk


@pytest.fixture
def make_page(browser: Browser, browser_context_args) -> Iterator:
    """Pages of a given window width (each in its own browser context, so its own cookies)."""
    contexts: list[BrowserContext] = []

    def make(width: int, height: int = 860, **options) -> Page:
        args = {**browser_context_args, "viewport": {"width": width, "height": height}, **options}
        context = browser.new_context(**args)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def watch(page: Page, problems: list[str], expected_errors: set[str]) -> None:
    """Record every console error (CSP violations included), page error, HTTP error and outside request."""
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI"
        " + ' at ' + e.sourceFile + ':' + e.lineNumber));"
    )

    def console(message) -> None:
        # The browser logs the expected 404 of the not-found screen too; every other error counts.
        if message.type == "error" and message.location.get("url") not in expected_errors:
            problems.append(f"{page.url}: console {message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: JavaScript error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status} {r.request.method} {r.url}")
            if r.status >= 400 and r.url not in expected_errors
            else None
        ),
    )

    def only_here(route, request) -> None:
        if urlsplit(request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            problems.append(f"{page.url}: a request left this server: {request.url}")
            route.abort()

    page.context.route(re.compile(r"^(?!data:|blob:)"), only_here)


def _choose_language(page: Page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        switch_language(page, lang)


def _fits(page: Page) -> str:
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return "" if wide[0] <= wide[1] else f"{page.url}: the page is {wide[0]}px wide in a {wide[1]}px window"


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_page(make_page, live_server, demo_data: Workspace, screenshots_dir, lang: str, width: int):
    ws, base = demo_data, live_server.url
    create_api_token(user=User.objects.get(username=DEMO_USER), workspace=ws, name="Export script")
    problems: list[str] = []
    expected_errors = {f"{base}{s.path(ws)}" for s in SCREENS if s.status >= 400}
    page = make_page(width)
    watch(page, problems, expected_errors)

    def visit(screen: Screen) -> None:
        response = page.goto(f"{base}{screen.path(ws)}")
        assert response is not None, screen.name
        assert response.status == screen.status, f"{screen.name}: HTTP {response.status}"
        if screen.translated:
            _choose_language(page, lang)
        screen.check(page, ws)
        problems.extend(p for p in [_fits(page)] if p)
        page.screenshot(path=str(screenshots_dir / f"{screen.name}-{lang}-{width}.png"), full_page=True)

    for screen in (s for s in SCREENS if s.anonymous):
        visit(screen)
    log_in(page, base)
    for screen in (s for s in SCREENS if not s.anonymous):
        visit(screen)
    shots = {p.name for p in screenshots_dir.glob(f"*-{lang}-{width}.png")}
    assert {f"{s.name}-{lang}-{width}.png" for s in SCREENS} <= shots
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_navigation_fits_one_line_in_french_at_1366(make_page, live_server, demo_data: Workspace):
    page = make_page(1366)
    log_in(page, live_server.url)
    switch_language(page, "fr")
    links = page.locator("header.topbar nav.mainnav a")
    expect(links.first).to_be_visible()
    expect(page.locator("header.topbar details.menu > summary")).to_be_hidden()
    # Every item of the top bar (brand, workspace, links, language, account) sits on the same line.
    items = "header.topbar .brand, header.topbar .switcher > summary, header.topbar nav.mainnav a, " + (
        "header.topbar form.lang button, header.topbar details.account > summary"
    )
    centres = page.locator(items).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); })"
    )
    assert len(centres) >= 10 and max(centres) - min(centres) <= 4, f"the top bar wraps: {centres}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    # Logging out (from the account menu) keeps the chosen language for the login page.
    page.locator("header.topbar details.account > summary").click()
    page.locator("header.topbar details.account form[action$='/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")


@pytest.mark.browser
def test_the_navigation_collapses_behind_a_menu_button_on_a_phone(make_page, live_server, demo_data: Workspace):
    page = make_page(390)
    log_in(page, live_server.url)
    menu = page.locator("header.topbar details.menu > summary")
    links = page.locator("header.topbar nav.mainnav a")
    expect(menu).to_be_visible()
    expect(links.first).to_be_hidden()
    right = page.locator("header.topbar > *").evaluate_all(
        "els => Math.max(...els.map(e => e.getBoundingClientRect().right))"
    )
    assert right <= 390, f"the top bar is {right}px wide"
    menu.click()
    expect(links).not_to_have_count(0)
    for i in range(links.count()):
        expect(links.nth(i)).to_be_visible()
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The account's pages and the language button are in the open menu too, no second click needed.
    expect(page.locator("header.topbar details.account a[href$='/tokens/']")).to_be_visible()
    expect(page.locator("header.topbar form.lang button")).to_be_visible()
    page.locator("header.topbar nav.mainnav a[href$='/people/']").click()
    expect(page).to_have_url(re.compile(r"/w/cafe-lumiere/people/$"))
    expect(links.first).to_be_hidden()  # a new page starts with the menu closed

    # Logging out from the phone's menu.
    menu.click()
    page.locator("header.topbar details.account form[action$='/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


# Elements whose own text is hard to read on what is behind it, and light patches, in the page's colours.
_DARK_PROBLEMS_JS = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  const opaque = c => { const v = rgb(c); return v.length === 3 || (v.length === 4 && v[3] > 0.5); };
  const behind = e => { for (let p = e; p; p = p.parentElement) { const c = getComputedStyle(p).backgroundColor;
    if (opaque(c)) return rgb(c).slice(0, 3); } return [255, 255, 255]; };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect(); if (!r.width || !r.height || e.closest('svg')) continue;
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const bg = behind(e);
    if (lum(bg) > 0.6) out.push('light background: ' + e.tagName + '.' + e.className);
    if (own) { const a = lum(rgb(getComputedStyle(e).color)), b = lum(bg);
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const what = e.tagName + ' ' + e.textContent.trim().slice(0, 30);
      if (ratio < 3) out.push('hard to read (' + ratio.toFixed(1) + '): ' + what); }
  }
  return [...new Set(out)].slice(0, 20);
}"""


@pytest.mark.browser
def test_dark_mode_follows_the_system(make_page, live_server, demo_data: Workspace, screenshots_dir):
    ws, base = demo_data, live_server.url
    page = make_page(1366, color_scheme="dark")
    log_in(page, base)
    names = ("overview", "thread", "review-queue", "person", "channels", "listening", "not-found")
    for screen in (s for s in SCREENS if s.name in names):
        page.goto(f"{base}{screen.path(ws)}")
        problems = page.evaluate(_DARK_PROBLEMS_JS)
        page.screenshot(path=str(screenshots_dir / f"{screen.name}-en-1366-dark.png"), full_page=True)
        assert not problems, f"{screen.name} in dark mode: {problems}"
    # The same pages stay light for a light system.
    light = make_page(1366, color_scheme="light")
    light.goto(f"{base}/login/")
    assert light.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(247, 248, 250)"
