"""Fixtures shared by the listening tests."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    with socket.socket() as probe:  # a free port on loopback (aiosmtpd needs it up front)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield received
    controller.stop()


class _Flaky(BaseHTTPRequestHandler):
    """Answers 500 to the first ``failures`` POSTs, then 204; keeps every body it got."""

    failures = 0
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        cls.received.append((dict(self.headers), body))
        self.send_response(500 if len(cls.received) <= cls.failures else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky_hook():
    _Flaky.received, _Flaky.failures = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Flaky
    server.shutdown()
    server.server_close()


@pytest.fixture
def spike(connection, owner, settings, flaky_hook, smtp_sink):
    """An alert waiting for delivery, with an e-mail address and the flaky webhook configured."""
    from federe.inbox.ingest import ingest_items
    from federe.listening import services
    from federe.listening.models import Alert
    from tests.listening_app.test_services import item, query

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    config = services.alert_settings(connection.workspace_id)
    config.emails, config.webhook_url, config.min_volume = "cm@example.org", flaky_hook[0], 3
    config.save()
    query(connection.workspace, owner, "Lumière", "lumière")
    ingest_items(connection, [item(10 + i, f"lumière {i}", author=f"u{i}", minutes_ago=i) for i in range(4)])
    return Alert.objects.get()
