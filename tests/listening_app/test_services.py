"""The listening app: queries saved and back-filled, matching at ingest, share of voice, spikes, alerts."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from federe.accounts.models import Role
from federe.connectors.types import Author, Item
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.listening import services, voice
from federe.listening.models import Alert, Mention

pytestmark = pytest.mark.django_db


def item(n, text, author="a1", minutes_ago=0, thread="t1", raw=None):
    return Item(
        external_id=f"m{n}",
        thread_id=thread,
        author=Author(external_id=author, handle=author, display_name=author.title()),
        body_html=f"<p>{text}</p>",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        url=f"https://blog.example.org/post/{n}",
        raw=raw or {},
    )


def query(workspace, owner, name, text, kind="brand"):
    return services.save_query(workspace=workspace, by=owner, name=name, kind=kind, text=text)


def test_saving_a_query_matches_recent_messages_and_bad_syntax_says_where(connection, owner):
    ingest_items(connection, [item(1, "J'adore le café Lumière"), item(2, "Rien à voir"), item(3, "CAFE LUMIERE !")])
    q = query(connection.workspace, owner, "Marque", '"café lumière"')
    assert sorted(Mention.objects.filter(query=q).values_list("message__external_id", flat=True)) == ["m1", "m3"]
    with pytest.raises(ValidationError) as exc:
        query(connection.workspace, owner, "Broken", "(café OR thé")
    assert "at character" in str(exc.value)
    with pytest.raises(ValidationError, match="already exists"):
        query(connection.workspace, owner, "Marque", "lumière")


def test_clients_may_not_change_queries(connection, owner, member_factory):
    with pytest.raises(PermissionDenied):
        query(connection.workspace, member_factory(Role.CLIENT), "Mine", "café")
    analyst = member_factory(Role.ANALYST)
    assert query(connection.workspace, analyst, "Analyst's", "café").pk


def test_new_messages_are_matched_at_ingest_against_every_query_in_one_pass(connection, owner):
    brand = query(connection.workspace, owner, "Lumière", "lumi*")
    rival = query(connection.workspace, owner, "Rival", "brûlerie NOT recrutement", kind="competitor")
    ingest_items(
        connection,
        [
            item(1, "La lumière du matin"),
            item(2, "La Brulerie a ouvert"),
            item(3, "Brûlerie : recrutement en cours"),
            item(4, "Lumière contre Brûlerie, le match"),
        ],
    )
    got = {(m.query_id, m.message.external_id) for m in Mention.objects.select_related("message")}
    assert got == {(brand.pk, "m1"), (brand.pk, "m4"), (rival.pk, "m2"), (rival.pk, "m4")}
    ingest_items(connection, [item(1, "La lumière du matin")])  # the same item again: nothing new
    assert Mention.objects.count() == 4


def test_share_of_voice_with_sentiment_split_and_csv(connection, owner):
    brand = query(connection.workspace, owner, "Lumière", "lumière")
    query(connection.workspace, owner, "Rival", "brûlerie", kind="competitor")
    ingest_items(
        connection,
        [
            item(1, "Lumière est génial, j'adore"),
            item(2, "Lumière, service horrible et nul"),
            item(3, "Lumière ouvre un nouveau café"),
            item(4, "La brûlerie est super"),
        ],
    )
    points = voice.share_of_voice(connection.workspace)
    totals = {p.brand: p.total for p in points}
    assert totals[brand.brand] == 3 and sum(totals.values()) == 4
    b = next(p for p in points if p.brand == brand.brand)
    assert b.negative + b.neutral + b.positive == 3
    assert b.negative == Message.objects.filter(external_id__in=["m1", "m2", "m3"], sentiment="negative").count()
    rows = voice.voice_csv(points).splitlines()
    assert rows[0] == "period,brand,kind,mentions,share,negative,neutral,positive"
    assert any(r.split(",")[1:5] == ["Lumière", "brand", "3", "0.750"] for r in rows[1:])


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Hook.received
    server.shutdown()
    server.server_close()


def test_a_volume_spike_fires_once_by_email_and_signed_webhook_then_ends(
    connection, owner, settings, webhook_server, smtp_sink, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    url, received = webhook_server
    config = services.alert_settings(connection.workspace_id)
    config.emails, config.webhook_url, config.webhook_secret = "cm@example.org", url, "s3cret"
    config.min_volume = 5
    config.save()
    q = query(connection.workspace, owner, "Lumière", "lumière")
    # A quiet baseline: 2 mentions in the 12 hours before the last hour.
    ingest_items(connection, [item(1, "lumière", minutes_ago=300), item(2, "lumière", minutes_ago=600)])
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(connection, [item(10 + i, f"lumière {i}", author=f"u{i}", minutes_ago=i) for i in range(6)])
    alert = Alert.objects.get()
    assert alert.kind == "volume" and alert.ended_at is None and alert.figures["window"] == 6
    assert "6 mentions of “Lumière” in the last 60 minutes" in services.describe(alert)
    # Delivered: one e-mail through a real SMTP server, one webhook with a valid signature.
    assert len(smtp_sink) == 1 and smtp_sink[0][0] == ["cm@example.org"] and "Lumi" in smtp_sink[0][1]
    headers, body = received[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Federe-Signature"] == expected and json.loads(body)["query"]["id"] == q.pk
    alert.refresh_from_db()
    assert alert.delivered == {"email": "sent", "webhook": "204"}
    # More of the same spike: still one alert, no second delivery.
    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(connection, [item(30 + i, f"lumière encore {i}", minutes_ago=0) for i in range(4)])
    assert Alert.objects.count() == 1 and len(received) == 1
    # Later, the window is calm: the alert ends; a new spike would open a new one.
    services.check_spikes(connection.workspace_id, [q.pk], now=timezone.now() + timedelta(hours=3))
    alert.refresh_from_db()
    assert alert.ended_at is not None


def test_a_negative_share_alert_says_why(connection, owner):
    config = services.alert_settings(connection.workspace_id)
    config.min_volume, config.volume_factor = 4, 1000.0  # only the negative share can fire
    config.save()
    q = query(connection.workspace, owner, "Lumière", "lumière")
    ingest_items(connection, [item(1 + i, "lumière, très bon café", minutes_ago=200 + i) for i in range(6)])
    texts = [
        "lumière horrible, nul, honteux",
        "lumière arnaque, déçu, nul",
        "lumière : service horrible, nul",
        "lumière nul nul nul, je déteste",
    ]
    ingest_items(connection, [item(20 + i, t, author=f"x{i}", minutes_ago=i) for i, t in enumerate(texts)])
    assert Message.objects.filter(external_id__startswith="m2", sentiment="negative").count() == 4
    alerts = list(Alert.objects.filter(query=q))
    assert [a.kind for a in alerts] == ["negative"]
    assert "100% of the 4 mentions of “Lumière” in the last 60 minutes are negative" in services.describe(alerts[0])


def test_opinion_leaders_rank_by_mentions_with_network_reach(connection, owner):
    q = query(connection.workspace, owner, "Lumière", "lumière")
    ingest_items(
        connection,
        [
            item(1, "lumière un", author="ana", raw={"reach": 1200, "engagement": 30}),
            item(2, "lumière deux", author="ana", raw={"reach": 1200, "engagement": 5}),
            item(3, "lumière trois", author="bob", raw={"reach": "n/a"}),
        ],
    )
    leaders = voice.opinion_leaders(q)
    assert [(leader.name, leader.mentions, leader.reach, leader.engagement) for leader in leaders] == [
        ("Ana", 2, 1200, 35),
        ("Bob", 1, 0, 0),
    ]
    assert leaders[0].person_id is not None
    ingest_items(connection, [item(4, "lumière quatre", author="cy", raw={"reach": 90000, "engagement": 2})])
    assert [leader.name for leader in voice.opinion_leaders(q, order="reach")] == ["Cy", "Ana", "Bob"]
    assert [leader.name for leader in voice.opinion_leaders(q, order="engagement")] == ["Ana", "Cy", "Bob"]


def test_escalating_a_mention_assigns_its_thread(connection, owner, member_factory, mailoutbox):
    q = query(connection.workspace, owner, "Lumière", "lumière")
    ingest_items(connection, [item(1, "lumière en panne ?")])
    cm = member_factory(Role.COMMUNITY_MANAGER)
    cm.email = "cm@example.org"
    cm.save()
    mention = Mention.objects.get(query=q)
    conversation = services.escalate(mention=mention, by=owner, assignee=cm, note="Client important")
    assert conversation.assignee_id == cm.pk
    assert mailoutbox[-1].to == ["cm@example.org"] and "Client important" in mailoutbox[-1].body
