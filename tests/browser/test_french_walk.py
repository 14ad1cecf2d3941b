"""Every page, read in French by a real browser: no English interface string and no raw code on any of them.

English strings are the catalogue's own: each msgid whose French differs, cut at its placeholders, whose
longest fixed part has at least three words (short words such as "Spam" or "Version" are French too).
Raw codes are audit verbs ("listening.query_saved"), model ids ("linear:spam@…"), network keys ("(dummy)")
and rule actors ("rule:3@v1"). The text of the page is checked (hidden parts too), and the tooltips, labels
and placeholders.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from playwright.sync_api import Page

import federe
from federe.accounts.models import Workspace
from federe.inbox.models import Conversation
from federe.listening.models import SavedQuery
from federe.moderation.models import Rule
from federe.people.models import Person
from tests.browser.test_ui import log_in, switch_language

pytestmark = pytest.mark.browser

CATALOGUE = Path(federe.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.\d+f|%[sd%]|<[^>]+>")
RAW = re.compile(
    r"\b(?:workspace|member|api_token|connection|conversation|reply|rule|moderation|listening|nlp|person|people"
    r"|segment)\.[a-z]+_?[a-z_]*\b"
    r"|\b(?:linear|workspace|lexicon|lingua|transformers):[a-z]"
    r"|\((?:dummy|rss|mastodon|wordpress|stackexchange)\)"
    r"|\brule:\d+@v\d+"
)
# The page's text plus what a reader meets on hover or with a screen reader.
# textContent, not innerText: the set-up fields of the networks not chosen yet are hidden, yet French too.
TEXT_JS = """() => [(() => { const b = document.body.cloneNode(true);
     b.querySelectorAll('script, style').forEach(e => e.remove()); return b.textContent; })(),
  ...Array.from(document.querySelectorAll('[title],[aria-label],[placeholder]'))
     .map(e => [e.getAttribute('title'), e.getAttribute('aria-label'), e.getAttribute('placeholder')]
     .filter(Boolean).join(' | '))].join('\\n')"""


def english_phrases() -> list[str]:
    """The English interface strings that French readers must never see."""
    phrases = set()
    for entry in polib.pofile(str(CATALOGUE)):
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural.get(0, "")),
                (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
            ]
        for english, french in pairs:
            if not french or english == french:
                continue
            part = max(PLACEHOLDER.split(english), key=len).strip(" .,:;()")
            if len(part.split()) >= 3 and part not in french:
                phrases.add(part)
    return sorted(phrases)


def _paths(ws: Workspace) -> list[str]:
    base = f"/w/{ws.slug}"
    conversation = Conversation.objects.filter(workspace=ws).order_by("-last_message_at").first()
    rule = Rule.objects.filter(workspace=ws).first()
    person = Person.objects.filter(workspace=ws, merged_into__isnull=True).order_by("-score").first()
    query = SavedQuery.objects.filter(workspace=ws).first()
    channel = conversation.connection_id
    paths = [
        "/",
        "/inbox/",
        f"/inbox/{conversation.pk}/",
        "/channels/",
        f"/channels/{channel}/",
        "/moderation/",
        "/moderation/rules/",
        "/moderation/rules/new/",
        "/moderation/models/",
        "/people/",
        "/people/suggestions/",
        "/people/signals/",
        "/people/scoring/",
        f"/people/{person.pk}/",
        "/listening/",
        "/listening/queries/new/",
        "/listening/alerts/",
        "/activity/",
        "/tokens/",
        "/links/",
    ]
    if rule:
        paths.append(f"/moderation/rules/{rule.pk}/")
    if query:
        paths += [f"/listening/queries/{query.pk}/", f"/listening/queries/{query.pk}/edit/"]
    return [base + p for p in paths]


def _offences(text: str, phrases: list[str]) -> list[str]:
    found = [f"English: {p!r}" for p in phrases if p in text]
    found += [f"raw code: {m!r}" for m in sorted(set(RAW.findall(text)))]
    return found


def test_the_english_phrases_are_found_in_an_english_page():
    """Control: the list is not empty and would catch an English page."""
    phrases = english_phrases()
    assert len(phrases) > 200
    assert "Every change and every action on a network, by a person or by Fédère" in phrases


def test_every_page_in_french_has_no_english_and_no_raw_code(page: Page, live_server, demo_data: Workspace):
    phrases = english_phrases()
    log_in(page, live_server.url)
    switch_language(page, "fr")
    problems: dict[str, list[str]] = {}
    for path in _paths(demo_data):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "fr", path
        found = _offences(page.evaluate(TEXT_JS), phrases)
        if found:
            problems[path] = found
    assert problems == {}
