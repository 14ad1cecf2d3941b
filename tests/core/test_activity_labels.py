"""The activity log speaks the reader's language: every verb the code records has a label, every detail key a
name, and the page shows neither raw verbs ("listening.query_saved") nor raw JSON keys."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import federe
from federe.core import activity, audit
from federe.core.models import VERB_LABELS
from federe.moderation.models import SideAction, Verdict

SRC = Path(federe.__file__).parent
RECORD = re.compile(r"audit\.record\(\s*((?:f?\"[a-z_.{}]+\"(?:\s+if\s+[^\n]+?\s+else\s+)?)+)", re.S)
VERB_IN_MODEL = re.compile(r"verb=(f?\"[a-z_.{}]+\")")
DETAILS = re.compile(r"details=\{(.*?)\}\s*[,)]", re.S)
KEY = re.compile(r"\"([a-z_]+)\":")
ACTIONS = [v.value for v in Verdict] + [v.value for v in SideAction]


def _verbs_in_code() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        literals = [m[1] for m in RECORD.finditer(text)] + [m[1] for m in VERB_IN_MODEL.finditer(text)]
        for literal in literals:
            for verb in re.findall(r"f?\"([a-z_.{}]+)\"", literal):
                # f"moderation.{action}": one verb per moderation action.
                found |= {re.sub(r"\{[a-z_.]+\}", a, verb) for a in ACTIONS} if "{" in verb else {verb}
    return found


def _detail_keys_in_code() -> set[str]:
    keys: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "audit" not in text and "AuditEvent" not in text:
            continue
        for block in DETAILS.finditer(text):
            keys |= set(KEY.findall(block[1]))
    # person.erased spreads the counts returned by erase_person into its details.
    keys |= set(KEY.findall(re.search(r"counts = \{(.*?)\}", (SRC / "people" / "privacy.py").read_text(), re.S)[1]))
    return keys


def test_the_scan_finds_the_verbs_and_keys_of_the_code():
    verbs, keys = _verbs_in_code(), _detail_keys_in_code()
    assert {"listening.query_saved", "nlp.model_trained", "moderation.spam", "rule.enabled", "person.erased"} <= verbs
    assert {"kind", "changed", "reasons", "identities", "from", "to"} <= keys


def test_every_audit_verb_used_in_the_code_has_a_label():
    assert sorted(_verbs_in_code() - set(VERB_LABELS)) == []


def test_every_detail_key_used_in_the_code_is_named_or_deliberately_hidden():
    assert sorted(_detail_keys_in_code() - set(activity.DETAIL_LABELS) - activity.HIDDEN_KEYS) == []


class _Text(HTMLParser):
    """The visible text of a page: no tags, no attributes, no script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in {"script", "style"}

    def handle_endtag(self, tag):
        self._skip -= tag in {"script", "style"}

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.mark.django_db
def test_the_activity_log_shows_no_raw_verb_nor_raw_key(client, workspace, owner, synced):
    owner.language = "fr"
    owner.save()
    keys = sorted(_detail_keys_in_code())
    sample = {
        "kind": "brand",
        "changed": ["window_minutes", "min_volume"],
        "reasons": [{"code": "words", "params": {"words": ["arnaque"]}}],
        "from": "new",
        "to": "closed",
        "network": "dummy",
        "action": "spam",
        "role": "moderator",
        "task": "spam",
        "active": True,
        "api_token": "secret",
    }
    details = {key: sample.get(key, 3) for key in keys}
    for verb in sorted(_verbs_in_code()):
        audit.record(verb, workspace=workspace, actor=owner, target=synced, details=details)
    audit.record("rule.saved", workspace=workspace, actor_label="rule:1@v2", details={"version": 2})
    client.force_login(owner)

    pages = [client.get(reverse("core:activity", args=[workspace.slug]), {"page": n}) for n in (1, 2)]

    assert [p.status_code for p in pages] == [200, 200]
    text = " ".join(_visible(p.content.decode()) for p in pages)
    assert "Journal d’activité" in text or "Journal d'activité" in text
    assert re.findall(r"\b[a-z_]+\.[a-z_]+\b", text) == []  # no "listening.query_saved"
    with translation.override("fr"):  # "version" or "notes" are French words too: those keys are their label
        coded = [key for key in keys if str(activity.DETAIL_LABELS.get(key, "")) != key]
    raw_keys = [key for key in coded if re.search(rf"(?<![\w-]){re.escape(key)}\s*:", text)]
    assert raw_keys == []
    assert not re.search(r"[{}\[\]]", text)  # no JSON
    assert "rule:1@v2" not in text


# French words that are spelt as in English.
SAME_IN_FRENCH = {"action", "messages", "note", "notes", "position", "version", "points"}


def test_every_label_reads_in_french():
    labels = [*VERB_LABELS.values(), *activity.DETAIL_LABELS.values(), *activity.SIGNAL_NAMES.values()]
    with translation.override("en"):
        english = [str(label) for label in labels]
    with translation.override("fr"):
        french = [str(label) for label in labels]
    untranslated = [en for en, fr in zip(english, french, strict=True) if en == fr and en not in SAME_IN_FRENCH]
    assert untranslated == []
