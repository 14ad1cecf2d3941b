"""A real HTTP feed server on 127.0.0.1 (a free port), started and stopped by each test that uses it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Route:
    status: int = 200
    body: bytes | Callable[[FeedHandler], None] = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    content_length: bool = True


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
        self.httpd.daemon_threads = True
        self.httpd.feed_server = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes, content_type: str = "application/rss+xml", **kwargs) -> str:
        headers = {"Content-Type": content_type, **kwargs.pop("headers", {})}
        self.routes[path] = Route(body=body, headers=headers, **kwargs)
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = Route(status=status, headers={"Location": location})
        return self.url(path)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class FeedHandler(BaseHTTPRequestHandler):
    server_version = "FeedServer/1"

    @property
    def feed_server(self) -> FeedServer:
        return self.server.feed_server  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        server = self.feed_server
        server.requests.append((self.path, dict(self.headers.items())))
        route = server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self._not_modified(route)
            return
        if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
            self._not_modified(route)
            return
        if callable(route.body):
            route.body(self)
            return
        self.send_response(route.status)
        for key, value in route.headers.items():
            self.send_header(key, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        if route.content_length:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)

    def _not_modified(self, route: Route) -> None:
        self.send_response(304)
        if route.etag:
            self.send_header("ETag", route.etag)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def endless(handler: FeedHandler) -> None:
    """Headers, then a trickle of bytes that never ends (until the server stops or the client goes away)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>')
    try:
        while not handler.feed_server.stopping.wait(0.05):
            handler.wfile.write(b"<!-- still here -->")
            handler.wfile.flush()
    except OSError:
        pass


def silent(handler: FeedHandler) -> None:
    """Headers, then nothing at all until the server stops."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    handler.wfile.flush()
    handler.feed_server.stopping.wait(30)


def huge_feed(size: int, *, declare_length: bool) -> Callable[[FeedHandler], None]:
    """A valid RSS feed of about ``size`` bytes, streamed in pieces."""
    item = (
        b"<item><title>Filler</title><link>https://big.example/x</link><description>"
        + b"x" * 900
        + b"</description></item>"
    )
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
    tail = b"</channel></rss>"
    count = max(1, (size - len(head) - len(tail)) // len(item))

    def serve(handler: FeedHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        if declare_length:
            handler.send_header("Content-Length", str(len(head) + count * len(item) + len(tail)))
        handler.end_headers()
        try:
            handler.wfile.write(head)
            for _ in range(count):
                handler.wfile.write(item)
            handler.wfile.write(tail)
        except OSError:
            pass  # the client stopped reading: that is the point

    return serve


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
