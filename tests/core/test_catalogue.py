"""The French catalogue has real plurals: no "(s)", no count glued to a non-plural sentence, no plural entry
whose two French forms are the same where the English ones differ."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

import federe

CATALOGUE = Path(federe.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# "link(s)", "nouveau(x)", "suggestion(s)": a plural left to the reader. "%(s)s" (a placeholder) is not one.
LAZY_PLURAL = re.compile(r"[A-Za-zÀ-ÿ]\((s|x|es)\)")
# A number placeholder followed by a counted noun: "%(n)d persons", "%(days)s days", "%(n)s held-out labels".
COUNTED = re.compile(r"%\((\w+)\)[ds]\s+(?:[\w-]+\s+)?([a-z]+s)\b")
NOT_NOUNS = {"is", "was", "has", "this", "its", "as", "us", "does", "his", "links", "asks", "declares", "starts"}
# Placeholders that hold words, not numbers.
WORDS = {"site", "file", "url", "user", "name", "query", "where", "text", "tag", "who", "workspace", "channel"}
# Sentences whose number is always above one: a limit fixed in code (several are connector or query-language
# messages, reworded elsewhere), or a count that exceeds such a limit. Their singular would never show.
ALWAYS_MANY = {
    "At most %(max)d items of each kind.",  # campaigns/services.py MAX_ITEMS = 500
    "A period is at most %(n)d days long.",  # analytics/period.py LONGEST = 731
    "A name is at most %(max)d characters.",  # campaigns/models.py MAX_NAME
    "A category is at most %(max)d characters.",  # campaigns/services.py MAX_CATEGORY
    "At most %(count)s hashtags and search terms per channel: create another channel for the rest.",
    "%(url)s redirects more than %(count)s times: give the final address instead.",
    "A reply can be at most %(max)d characters.",
    "A saved reply has at most %(max)d characters.",
    "“%(variable)s” needs a question of 1 to %(max)d characters after “ask:”.",
    "A note is at most %(n)d characters.",
    "%(url)s did not finish answering within %(seconds)s seconds: the transfer was cut.",
    "%(url)s did not answer within %(seconds)s seconds (timeout).",
    'A wildcard needs at least %(min)s letters or digits in its word: "%(text)s" is too short.',
    "The query is too long: %(length)s characters, at most %(limit)s are allowed.",
    "The query is too long once written out in full: at most %(limit)s characters are allowed.",
    "%(n)d characters, longer than %(limit)d",
    "The query is nested too deeply: at most %(limit)s levels of parentheses, NOT and operators.",
}


def _strip_placeholders(text: str) -> str:
    return re.sub(r"%\(\w+\)[sd]|%[sd]", "#", text)


@pytest.fixture(scope="module")
def entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete and e.msgid]


def test_the_catalogue_is_read(entries):
    assert len(entries) > 500
    assert any(e.msgid_plural for e in entries)


def test_french_plural_forms_differ_where_the_english_ones_do(entries):
    same = [
        e.msgid
        for e in entries
        if e.msgid_plural
        and _strip_placeholders(e.msgid) != _strip_placeholders(e.msgid_plural)
        and e.msgstr_plural.get(0) == e.msgstr_plural.get(1)
    ]
    assert same == []


def test_every_plural_entry_has_both_french_forms(entries):
    missing = [e.msgid for e in entries if e.msgid_plural and not (e.msgstr_plural.get(0) and e.msgstr_plural.get(1))]
    assert missing == []


def test_no_lazy_plural_in_either_language(entries):
    lazy = [
        e.msgid
        for e in entries
        for text in (e.msgid, e.msgid_plural, e.msgstr, *e.msgstr_plural.values())
        if text and LAZY_PLURAL.search(text)
    ]
    assert sorted(set(lazy)) == []


def test_a_counted_noun_is_a_plural_entry(entries):
    glued = [
        e.msgid
        for e in entries
        if not e.msgid_plural
        and e.msgid not in ALWAYS_MANY
        and any(m[1] not in WORDS and m[2] not in NOT_NOUNS for m in COUNTED.finditer(e.msgid))
    ]
    assert glued == []


def test_the_exemptions_are_still_in_the_catalogue(entries):
    """The exemptions above name real sentences: a reworded one must leave the list, not hide in it."""
    assert {e.msgid for e in entries} >= ALWAYS_MANY


TEMPLATES = Path(federe.__file__).parent
# "{{ n }} messages" or "{{ n }} {% translate 'messages' %}" outside a {% blocktranslate count %}.
TEMPLATE_COUNT = re.compile(r"\{\{\s*[\w.]+(\|[\w:\"]+)?\s*\}\}\s*(\{%\s*translate\s+\"[a-z]|[a-z]+s\b)")


def test_templates_do_not_glue_a_number_to_a_translated_word():
    glued = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        outside = re.sub(r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}", "", text, flags=re.S)
        glued += [f"{path.name}: {m.group(0)}" for m in TEMPLATE_COUNT.finditer(outside)]
    assert glued == []


def test_no_lazy_plural_in_the_code():
    """Strings in the code (messages, CLI output, templates) never leave "(s)" to the reader either."""
    quoted = re.compile(r"""["'][^"'\n]*[A-Za-z]\((?:s|x|es)\)[^"'\n]*["']""")
    lazy = []
    for path in TEMPLATES.rglob("*"):
        if path.suffix in {".py", ".html", ".txt"} and "locale" not in path.parts:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".html":
                lazy += [f"{path.name}: {m[0]}" for m in LAZY_PLURAL.finditer(text)]
            else:
                lazy += [f"{path.name}: {m[0]}" for m in quoted.finditer(text)]
    assert lazy == []


def test_every_translatable_literal_has_a_french_entry(entries):
    """Strings marked for translation in the code and the templates (single literals) are in the catalogue."""
    known = {e.msgid for e in entries}
    call = re.compile(r"""\b(?:_|_lazy|gettext|gettext_lazy|gettext_noop)\(\s*"((?:[^"\\\n]|\\.)+)"\s*\)""")
    tag = re.compile(r"""\{%\s*translate\s+(?:"([^"]+)"|'([^']+)')""")
    missing = set()
    for path in TEMPLATES.rglob("*"):
        if path.suffix == ".py" and "migrations" not in path.parts:
            found = call.findall(path.read_text(encoding="utf-8"))
        elif path.suffix == ".html":
            found = [a or b for a, b in tag.findall(path.read_text(encoding="utf-8"))]
        else:
            continue
        missing |= {f"{path.name}: {text}" for text in found if text.replace('\\"', '"') not in known}
    assert sorted(missing) == []


# An elision's apostrophe: "l'API" (straight) or "l’API" (typographic); quotes around code are not elisions.
STRAIGHT_ELISION = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")


def test_no_french_sentence_mixes_both_apostrophes(entries):
    mixed = [
        e.msgid
        for e in entries
        for text in (e.msgstr, *e.msgstr_plural.values())
        if STRAIGHT_ELISION.search(text) and "’" in text
    ]
    assert mixed == []


def test_every_french_text_elides_with_the_typographic_apostrophe(entries):
    """ "l'adresse" on one page and "l’adresse" on the next looked careless: the catalogue elides with ’ throughout."""
    straight = [
        e.msgid for e in entries for text in (e.msgstr, *e.msgstr_plural.values()) if STRAIGHT_ELISION.search(text)
    ]
    assert straight == []


def test_the_connectors_french_texts_use_the_typographic_apostrophe():
    """A channel's page shows a network's limitations and setup help together: "l'API" beside "l’API" looked
    careless. Every connector text in French elides with ’."""
    from django.utils import translation

    from federe.connectors import registry

    straight = []
    with translation.override("fr"):
        for connector in registry.available():
            texts = [connector.label, *connector.limitations, *(step.text for step in connector.setup_help)]
            for field in connector.setup_fields:
                texts += [field.label, field.help, *(label for _value, label in field.choices)]
            straight += [f"{connector.key}: {text}" for text in map(str, texts) if STRAIGHT_ELISION.search(text)]
    assert straight == []
