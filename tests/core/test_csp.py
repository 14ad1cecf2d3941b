"""The Content-Security-Policy: a nonce per response, nothing inline that it would block, nothing from elsewhere.

The browser suite (tests/browser/test_every_page.py) fails on any violation a real page reports; these tests
check the header itself and every template's source, so a new inline handler is caught without a browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import federe

PACKAGE = Path(federe.__file__).resolve().parent
TEMPLATES = sorted(PACKAGE.rglob("templates/**/*.html"))


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.django_db
def test_every_page_gets_a_strict_policy_with_a_fresh_nonce(client, owner, workspace):
    client.force_login(owner)
    first = client.get(reverse("core:overview", args=[workspace.slug]))
    second = client.get(reverse("accounts:login"))
    policies = [_directives(r["Content-Security-Policy"]) for r in (first, second)]
    for policy in policies:
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert "'unsafe-inline'" not in policy.get("style-src", [])
        assert [s for s in policy["script-src"] if s.startswith("'nonce-")]
    nonces = [next(s for s in p["script-src"] if s.startswith("'nonce-")) for p in policies]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= len("'nonce-'") + 16


@pytest.mark.django_db
def test_the_api_docs_load_their_assets_from_this_server(client):
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources), sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_has_inline_script_handlers_or_styles(template: Path):
    source = template.read_text()
    handlers = re.findall(r"<[^>]*\s(on[a-z]+)\s*=", source)
    assert not handlers, f"inline event handlers {handlers}: use a static script (static/federe/federe.js)"
    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", source) if "src=" not in tag]
    unsafe = [tag for tag in inline_scripts if "nonce=" not in tag and "application/json" not in tag]
    assert not unsafe, f"inline <script> without a nonce: {unsafe}"
    assert not re.search(r"\sstyle\s*=", source), "style attributes are blocked by the policy: use a class"
    assert "<style" not in source or "nonce=" in source, "<style> without a nonce"
    assert "javascript:" not in source
    assert "hx-on" not in source, "hx-on needs eval, which the policy forbids"
