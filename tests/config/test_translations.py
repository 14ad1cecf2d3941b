"""The French catalogue: complete, faithful to its placeholders, in step with the code, and used.

These tests read the committed ``django.po`` and never write to it: the catalogue
is regenerated and compiled in temporary directories only.
"""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import federe

PACKAGE_DIR = Path(federe.__file__).resolve().parent
CATALOGUE = PACKAGE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")

# %(name)s, %(max)d, %(ratio).1f ...; positional %s / %d only count in python-format entries.
NAMED = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TEMPLATE_VAR = re.compile(r"\{\{\s*[\w.]+\s*\}\}")
BRACE = re.compile(r"\{\w*(?:![rsa])?(?::[^{}]*)?\}")
ENTITY = re.compile(r"&(?:\w+|#\d+|#x[0-9a-fA-F]+);")
TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")


def load(path: Path = CATALOGUE) -> polib.POFile:
    assert path.is_file(), f"{path} is missing: run `make messages` and translate it"
    return polib.pofile(str(path))


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def label(entry: polib.POEntry) -> str:
    return (f"[{entry.msgctxt}] " if entry.msgctxt else "") + repr(entry.msgid)


def placeholders(text: str, entry: polib.POEntry) -> list[str]:
    """Everything in ``text`` that the code fills in or the browser reads as markup, sorted."""
    found = NAMED.findall(text) + TEMPLATE_VAR.findall(text) + ENTITY.findall(text) + TAG.findall(text)
    if "python-format" in entry.flags:
        found += POSITIONAL.findall(NAMED.sub("", text.replace("%%", "")))
    if "python-brace-format" in entry.flags:
        found += BRACE.findall(text)
    return sorted(found)


def translations(entry: polib.POEntry) -> list[tuple[str, str, str]]:
    """(which msgstr, its text, the msgid it must match) for every msgstr of the entry."""
    if entry.msgid_plural:
        return [
            (f"msgstr[{index}]", text, entry.msgid if index == 0 else entry.msgid_plural)
            for index, text in sorted(entry.msgstr_plural.items())
        ]
    return [("msgstr", entry.msgstr, entry.msgid)]


# (a) The committed catalogue ----------------------------------------------------------------


def test_catalogue_header_is_french_utf8_with_french_plurals():
    po = load()
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert po.metadata.get("Language") == "fr"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    plural = po.metadata.get("Plural-Forms", "").replace(" ", "")
    assert plural == "nplurals=2;plural=(n>1);", plural


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = load()
    entries = live(po)
    assert entries, "the catalogue has no entry at all"
    fuzzy = [label(e) for e in entries if "fuzzy" in e.flags]
    untranslated = [label(e) for e in entries if not e.translated() and "fuzzy" not in e.flags]
    # polib's translated() is satisfied by any non-empty plural form: check each one.
    empty_forms = [f"{label(e)} {which}" for e in entries for which, text, _ in translations(e) if not text.strip()]
    plural_count = [label(e) for e in entries if e.msgid_plural and sorted(e.msgstr_plural) != [0, 1]]
    problems = {
        "fuzzy": fuzzy,
        "untranslated": untranslated,
        "with an empty translation": empty_forms,
        "without exactly msgstr[0] and msgstr[1]": plural_count,
    }
    report = [f"{len(found)} entries {what}: {found}" for what, found in problems.items() if found]
    assert not report, "\n".join(report)


def test_translations_keep_every_placeholder_and_add_none():
    po = load()
    problems = []
    for entry in live(po):
        allowed = set(placeholders(entry.msgid, entry)) | set(placeholders(entry.msgid_plural or "", entry))
        for which, text, source in translations(entry):
            if not text:
                continue  # reported by the completeness test
            wanted, got = placeholders(source, entry), placeholders(text, entry)
            lost = sorted(set(wanted) - set(got))
            extra = sorted(set(got) - allowed)
            if lost or extra:
                problems.append(f"{label(entry)} {which}: lost {lost}, unknown {extra} in {text!r}")
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_placeholder_check_catches_a_lost_or_renamed_placeholder():
    """The check above must be able to fail: feed it broken entries."""
    entry = polib.POEntry(
        msgid="Reply sent on %(channel)s.",
        msgstr="Réponse envoyée sur %(canal)s.",
        flags=["python-format"],
    )
    assert placeholders(entry.msgid, entry) != placeholders(entry.msgstr, entry)
    block = polib.POEntry(msgid="Page {{ n }} of {{ total }}", msgstr="Page {{ n }}")
    assert set(placeholders(block.msgid, block)) - set(placeholders(block.msgstr, block)) == {"{{ total }}"}
    markup = polib.POEntry(msgid="Matched <strong>%(n)s</strong>.", msgstr="Trouvé %(n)s.")
    lost = set(placeholders(markup.msgid, markup)) - set(placeholders(markup.msgstr, markup))
    assert lost == {"<strong>", "</strong>"}


# (b) The catalogue is in step with the code ------------------------------------------------


@pytest.fixture
def extracted(tmp_path, settings, monkeypatch) -> polib.POFile:
    """What ``makemessages`` finds in the code today, extracted from a copy of the source tree."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(f"GNU gettext is not installed (no {', '.join(missing_tools)}): cannot extract messages")
    tree = tmp_path / "federe"
    shutil.copytree(PACKAGE_DIR, tree, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"))
    (tree / "locale").mkdir()
    # makemessages writes into LOCALE_PATHS[0] when it has no better idea: point it at the copy.
    settings.LOCALE_PATHS = [str(tree / "locale")]
    monkeypatch.chdir(tree)
    before = CATALOGUE.read_bytes()
    call_command(
        "makemessages",
        locale=["fr"],
        no_location=True,
        no_obsolete=True,
        verbosity=0,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert CATALOGUE.read_bytes() == before, "makemessages wrote to the real catalogue"
    generated = tree / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    assert generated.is_file(), f"makemessages produced no catalogue in {generated.parent}"
    return polib.pofile(str(generated))


def test_every_message_in_the_code_is_in_the_catalogue(extracted):
    def key(entry: polib.POEntry) -> tuple[str | None, str, str | None]:
        return entry.msgctxt, entry.msgid, entry.msgid_plural or None

    code = {key(e): e for e in live(extracted) if e.msgid}
    assert code, "makemessages found no message at all in the code"
    committed = {key(e) for e in live(load())}
    missing = sorted((e for k, e in code.items() if k not in committed), key=lambda e: e.msgid)
    assert not missing, (
        f"{len(missing)} message(s) in the code are not in {CATALOGUE}; "
        "run `make messages` and translate them:\n"
        + "\n".join(f"  {label(e)}" + (f" / plural {e.msgid_plural!r}" if e.msgid_plural else "") for e in missing)
    )


# (c) The catalogue is used -----------------------------------------------------------------


@pytest.fixture
def compiled(tmp_path, settings) -> Path:
    """The committed catalogue, compiled by ``federe compiletranslations`` into a temp dir.

    Compiling here means the test checks the .po as committed, not a stale or missing .mo.
    """
    locale = tmp_path / "locale"
    target = locale / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    settings.LOCALE_PATHS = [str(locale)]  # also clears Django's translation caches
    out = StringIO()
    call_command("compiletranslations", stdout=out)
    # Completeness is checked above; here only that the command compiled the French catalogue.
    assert re.search(r"^fr: \d+% translated$", out.getvalue(), re.M), out.getvalue()
    assert (target / "django.mo").is_file()
    return locale


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_login_page_is_rendered_in_french(compiled, client, settings, how):
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        response = client.get("/login/")
    else:
        response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Connexion à Fédère" in page
    assert "Mot de passe" in page
    assert "Log in to Fédère" not in page


@pytest.mark.django_db
def test_login_page_stays_english_for_english_readers(compiled, client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert "Log in to Fédère" in page
    assert "Connexion à Fédère" not in page
