from __future__ import annotations

from federe.core.html import html_to_text, sanitize_html, text_to_html


def test_scripts_handlers_and_dangerous_urls_are_removed():
    dirty = (
        '<p style="x" onmouseover="steal()">Bonjour <b>à</b> tous</p><script>alert(1)</script>'
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">clic</a><iframe src="//evil"></iframe>'
    )
    clean = sanitize_html(dirty)
    for bad in ("script", "onmouseover", "onerror", "javascript:", "iframe", "<img", "style="):
        assert bad not in clean
    assert "<b>à</b>" in clean and "clic" in clean


def test_links_are_kept_and_marked_as_user_content():
    clean = sanitize_html('<a href="https://example.org/x" target="_blank">lien</a>')
    assert 'href="https://example.org/x"' in clean
    assert 'rel="nofollow noopener noreferrer ugc"' in clean


def test_text_and_html_conversions():
    assert html_to_text("<p>Un&nbsp;deux</p><p>trois &amp; quatre</p>") == "Un deux trois & quatre"
    assert text_to_html("a <b>\nb\n\nc") == "<p>a &lt;b&gt;<br>b</p><p>c</p>"
