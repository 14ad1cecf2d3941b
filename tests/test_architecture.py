"""The shape the code keeps (issue 11), checked on its syntax trees: fast, and nothing is imported to read it.

Each rule is a function from one module's source to its problems, so that a synthetic bad snippet proves the rule
catches what it says (a check that cannot fail would pass vacuously). The rules:

- views and API modules change nothing themselves: services write (ARCHITECTURE.md, "views are thin");
- a connector (``federe/connectors/**``) never imports Django models or ``django.db``: it speaks to its network only;
- no code outside ``connectors/<key>/`` names a registered network (no ``if network == "wordpress"``);
- no network call inside a database transaction: netsafe refuses it in tests, and only netsafe opens connections;
- every literal verb given to ``audit.record`` has a label in the activity log, and only ``core.audit`` writes rows;
- modules stay under 400 lines and functions under 60, unless a ``# size:`` comment says why.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "federe"

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
SIZE_NOTE = re.compile(r"#\s*size:\s*\S.{8,}")  # "# size: why a split would hurt" (a reason, not a bare tag)

# Names of a registered network that may appear outside its folder, each with the reason.
NETWORK_NAME_ALLOWED = {
    ("federe/core/demo.py", "dummy"): "the demo's channels are the dummy network by design (no real network offline)",
    ("federe/nlp/datasets.py", "youtube"): "the folder of the YouTube spam data set (shared/datasets), not a branch",
    # X's key is one letter: these are the letter, not the network.
    ("federe/config/settings.py", "x"): "the local-only secret key's padding ('x' * 20), not a branch",
    ("federe/connectors/mastodon/publishing.py", "x"): "a stand-in character when counting a link's length",
    ("federe/connectors/imap/connector.py", "archive"): "the word for IMAP's \\Archive folder, not the importer",
}

Check = Callable[[str, ast.Module, str], list[str]]


# -- reading the tree ------------------------------------------------------------------------------------------------


@cache
def _modules() -> tuple[tuple[str, str], ...]:
    """(path relative to src/, source) of every module of the package, migrations aside."""
    paths = [path for path in sorted(PACKAGE.rglob("*.py")) if "migrations" not in path.parts]
    return tuple((path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8")) for path in paths)


@cache
def _tree(source: str) -> ast.Module:
    return ast.parse(source)


def _problems(check: Check, select: Callable[[str], bool] = lambda _path: True) -> list[str]:
    problems: list[str] = []
    for path, source in _modules():
        if select(path):
            problems += check(path, _tree(source), source)
    return problems


def _chain(node: ast.expr) -> list[str]:
    """The names along a call's receiver: ``Person.objects.filter(x).update`` → [Person, objects, filter, update]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names[::-1]


# -- views and API modules write no model ----------------------------------------------------------------------------

ALWAYS_WRITES = {"save", "delete", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
QUERYSET_STEPS = {"objects", "filter", "exclude", "all", "select_for_update", "select_related", "order_by"}
NOT_A_MODEL = {"cache", "session", "router", "api"}  # cache.delete(key), request.session.save(): no model


def is_view_or_api(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == "views.py" or name.endswith("_views.py") or "/views/" in path or path.startswith("federe/api/")


def model_writes(path: str, tree: ast.Module, _source: str) -> list[str]:
    decorators = {id(d) for node in ast.walk(tree) for d in getattr(node, "decorator_list", [])}
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or id(node) in decorators:
            continue
        method, receiver = node.func.attr, _chain(node.func.value)
        if NOT_A_MODEL & set(receiver):
            continue
        on_queryset = bool(QUERYSET_STEPS & set(receiver))
        if method in ALWAYS_WRITES or method.startswith("bulk_") or (method == "update" and on_queryset):
            problems.append(f"{path}:{node.lineno} {ast.unparse(node.func)}(): a view writes; call a service")
    return problems


def test_views_and_api_modules_write_no_model():
    assert _problems(model_writes, is_view_or_api) == []


# -- connectors import no Django models -------------------------------------------------------------------------------


def _imported(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def orm_imports(path: str, tree: ast.Module, _source: str) -> list[str]:
    problems = []
    for line, name in _imported(tree):
        parts = name.split(".")
        if name == "django.db" or name.startswith("django.db.") or "models" in parts[1:] or name == "django.apps.apps":
            problems.append(f"{path}:{line} imports {name}: a connector talks to its network, services store")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"get_model", "get_user_model"}:
            problems.append(f"{path}:{node.lineno} {node.attr}(): a connector reaches no model")
    return problems


def test_connectors_import_no_django_models():
    assert _problems(orm_imports, lambda path: path.startswith("federe/connectors/")) == []


# -- no branch on a network's name outside its folder ----------------------------------------------------------------


def network_keys() -> set[str]:
    from federe.connectors import registry

    return {cls.key for cls in registry.available()}


def network_names(keys: set[str]) -> Check:
    """Where a registered network's key is written outside ``connectors/<key>/`` (a branch waiting to happen)."""

    def check(path: str, tree: ast.Module, _source: str) -> list[str]:
        problems = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and node.value in keys):
                continue
            if path.startswith(f"federe/connectors/{node.value}/") or (path, node.value) in NETWORK_NAME_ALLOWED:
                continue
            problems.append(f"{path}:{node.lineno} names the network {node.value!r}: ask the connector instead")
        return problems

    return check


def template_network_names(keys: set[str], path: str, text: str) -> list[str]:
    alternatives = "|".join(sorted(map(re.escape, keys)))
    quoted = re.compile(rf"""["']({alternatives})["']""")
    return [
        f"{path}:{text.count(chr(10), 0, match.start()) + 1} names the network {match.group(1)!r} in a template"
        for match in quoted.finditer(text)
        if not path.startswith(f"federe/connectors/{match.group(1)}/")
    ]


def test_there_are_networks_to_look_for():
    assert {"wordpress", "mastodon", "rss"} <= network_keys()


def test_nothing_outside_a_network_folder_branches_on_its_name():
    keys = network_keys()
    problems = _problems(network_names(keys))
    for template in sorted(PACKAGE.rglob("*.html")):
        path = template.relative_to(SRC).as_posix()
        problems += template_network_names(keys, path, template.read_text(encoding="utf-8"))
    assert problems == []


# -- no network call inside a database transaction -------------------------------------------------------------------

HTTP_CLIENTS = ("httpx", "requests", "urllib3", "aiohttp", "http.client", "urllib.request")


def is_netsafe(path: str) -> bool:
    return path in {"federe/core/netsafe.py"} or path.startswith("federe/core/netsafe/")


def http_clients(path: str, tree: ast.Module, _source: str) -> list[str]:
    """Only netsafe opens connections, so its refusal inside a transaction (below) covers every network call."""
    return [
        f"{path}:{line} imports {name}: network calls go through federe.core.netsafe"
        for line, name in _imported(tree)
        if any(name == client or name.startswith(client + ".") for client in HTTP_CLIENTS)
    ]


def test_only_netsafe_opens_network_connections():
    assert _problems(http_clients, lambda path: not is_netsafe(path)) == []


@pytest.mark.django_db
def test_netsafe_refuses_a_network_call_inside_a_transaction():
    from django.db import transaction

    from federe.core import netsafe

    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a database transaction"):
        netsafe.request("GET", "http://127.0.0.1:9/never")


# -- every audit verb has a label -------------------------------------------------------------------------------------


def _literals(node: ast.expr | None) -> Iterator[str]:
    """The verbs a verb argument can be, when they are written out ('a' if x else 'b' gives both)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def _verb_argument(call: ast.Call) -> ast.expr | None:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    receiver = _chain(call.func.value) if isinstance(call.func, ast.Attribute) else []
    keyword = next((k.value for k in call.keywords if k.arg == "verb"), None)
    if name in {"record", "Event"} and receiver in ([], ["audit"]):  # audit.record(verb), audit.Event(verb)
        return call.args[0] if call.args else keyword
    return keyword if name == "AuditEvent" else None


def unlabelled_verbs(labels: set[str]) -> Check:
    def check(path: str, tree: ast.Module, _source: str) -> list[str]:
        return [
            f"{path}:{node.lineno} records {verb!r}, which has no label in VERB_LABELS"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            for verb in _literals(_verb_argument(node))
            if verb not in labels
        ]

    return check


def test_every_literal_audit_verb_has_a_label():
    from federe.core.models import VERB_LABELS  # complete once the apps are ready (each app adds its own)

    assert _problems(unlabelled_verbs(set(VERB_LABELS))) == []


def audit_rows(path: str, tree: ast.Module, _source: str) -> list[str]:
    """Audit rows are written by ``federe.core.audit`` only, which scrubs secrets out of their details."""
    return [
        f"{path}:{node.lineno} {ast.unparse(node.func)}(): write the audit log through federe.core.audit"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (chain := _chain(node.func))
        and chain[0] == "AuditEvent"
        and (len(chain) == 1 or chain[-1] in ALWAYS_WRITES)
    ]


def test_audit_rows_are_written_by_the_audit_module_only():
    assert _problems(audit_rows, lambda path: path != "federe/core/audit.py") == []


# -- each app writes only its own models ----------------------------------------------------------------------------


def _foreign_models(path: str, tree: ast.Module) -> dict[str, str]:
    """Names this module imports from another app's models module, with that app: ``Message`` → ``inbox``."""
    app = path.split("/")[1]
    return {
        alias.asname or alias.name: node.module.split(".")[1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("federe.")
        if node.module.endswith(".models") and node.module.split(".")[1] != app
        for alias in node.names
    }


def foreign_writes(path: str, tree: ast.Module, _source: str) -> list[str]:
    """A write on another app's model class (``Message.objects.filter(...).update``): call that app's service."""
    foreign = _foreign_models(path, tree)
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        chain, method = _chain(node.func.value), node.func.attr
        if not chain or chain[0] not in foreign:
            continue
        if method in ALWAYS_WRITES or method.startswith("bulk_") or (method == "update" and "objects" in chain):
            problems.append(
                f"{path}:{node.lineno} {ast.unparse(node.func)}(): {foreign[chain[0]]}'s model; call its service"
            )
    return problems


def test_each_app_writes_only_its_own_models():
    assert _problems(foreign_writes) == []


# -- modules and functions the size of a room ------------------------------------------------------------------------


def _noted(lines: list[str], first: int, last: int) -> bool:
    """Whether a ``# size:`` reason is written on lines first..last (1-based, inclusive)."""
    return any(SIZE_NOTE.search(line) for line in lines[max(first - 1, 0) : last])


def oversized(path: str, tree: ast.Module, source: str) -> list[str]:
    lines = source.splitlines()
    problems = []
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    header_end = body[0].lineno - 1 if body else len(lines)
    if len(lines) > MAX_MODULE_LINES and not _noted(lines, 1, header_end):
        problems.append(f"{path}: {len(lines)} lines (over {MAX_MODULE_LINES}; split it or say why: '# size: ...')")
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = node.end_lineno - node.lineno + 1 if node.end_lineno else 0
        top = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if length > MAX_FUNCTION_LINES and not _noted(lines, top - 1, node.body[0].lineno):
            problems.append(f"{path}:{node.lineno} {node.name}() has {length} lines (over {MAX_FUNCTION_LINES})")
    return problems


def test_modules_and_functions_stay_small_or_say_why():
    assert _problems(oversized) == []


# -- each rule catches what it says (synthetic snippets) -------------------------------------------------------------


def _run(check: Check, source: str, path: str = "federe/demo/views.py") -> list[str]:
    return check(path, ast.parse(source), source)


WRITING_VIEWS = ["Person.objects.filter(pk=1).update(name='x')", "Person.objects.create(name='x')", "p.save()"]


@pytest.mark.parametrize("snippet", [*WRITING_VIEWS, "p.notes.all().delete()", "Tag.objects.bulk_create([])"])
def test_a_view_that_writes_is_caught(snippet):
    assert len(_run(model_writes, f"def v(request, p):\n    {snippet}\n")) == 1


def test_reading_views_and_route_decorators_pass():
    clean = (
        "@router.delete('/x')\n"
        "def v(request):\n"
        "    context = {}\n    context.update(a=1)\n    cache.delete('k')\n"
        "    return Person.objects.filter(pk=1).first()\n"
    )
    assert _run(model_writes, clean) == []
    assert is_view_or_api("federe/people/views.py") and is_view_or_api("federe/api/v1/people.py")
    assert is_view_or_api("federe/people/views/merge.py") and not is_view_or_api("federe/people/services.py")


ORM_IMPORTS = ["from django.db import transaction", "from django.db.models import Q", "import django.db"]
ORM_IMPORTS += ["from federe.inbox.models import Message", "from federe.people import models", "apps.get_model('x')"]


@pytest.mark.parametrize("snippet", [*ORM_IMPORTS, "from django.apps import apps"])
def test_a_connector_that_reaches_the_orm_is_caught(snippet):
    assert _run(orm_imports, snippet, "federe/connectors/demo/connector.py") != []


def test_a_connector_may_import_its_contract():
    clean = "from federe.connectors.types import Item\nfrom django.utils.translation import gettext as _\n"
    assert _run(orm_imports, clean, "federe/connectors/demo/connector.py") == []


def test_a_branch_on_a_network_name_is_caught():
    check = network_names({"wordpress", "rss"})
    branch = "def f(c):\n    if c.network == 'wordpress':\n        return 1\n"
    assert len(_run(check, branch, "federe/people/services.py")) == 1
    assert len(_run(check, "NETWORK = 'rss'\n", "federe/people/analytics.py")) == 1
    assert _run(check, branch, "federe/connectors/wordpress/connector.py") == []
    assert _run(check, branch, "federe/connectors/rss/connector.py") != []
    template = '{% if connection.network == "wordpress" %}wp-config.php{% endif %}'
    assert template_network_names({"wordpress"}, "federe/connections/templates/detail.html", template) != []
    assert template_network_names({"wordpress"}, "federe/connectors/wordpress/templates/help.html", template) == []


@pytest.mark.parametrize("snippet", ["import httpx\n", "from urllib.request import urlopen\n", "import requests\n"])
def test_a_connection_opened_past_netsafe_is_caught(snippet):
    assert _run(http_clients, snippet, "federe/connectors/demo/client.py") != []
    assert is_netsafe("federe/core/netsafe.py") and not is_netsafe("federe/connectors/demo/client.py")


def test_an_audit_verb_without_a_label_is_caught():
    check = unlabelled_verbs({"rule.saved", "rule.enabled"})
    bad = (
        "def f(x):\n"
        "    audit.record('rule.saved', workspace=None)\n"
        "    audit.record('rule.enabled' if x else 'rule.exploded')\n"
        "    record('made.up')\n"
        "    audit.record_many([audit.Event('rule.saved'), audit.Event(verb='event.made.up')])\n"
        "    threading.Event()\n"
        "    AuditEvent.objects.bulk_create([AuditEvent(verb='also.made.up')])\n"
        "    logger.record('not.audit')\n"
    )
    found = [re.findall(r"'([^']+)'", problem)[0] for problem in _run(check, bad)]
    assert found == ["rule.exploded", "made.up", "event.made.up", "also.made.up"]


def test_an_audit_row_written_past_the_audit_module_is_caught():
    bad = "AuditEvent.objects.bulk_create([AuditEvent(verb='x')])\nAuditEvent.objects.create(verb='y')\n"
    assert len(_run(audit_rows, bad, "federe/moderation/services.py")) == 3
    reading = "AuditEvent.objects.filter(workspace=w).order_by('-id')\n"
    assert _run(audit_rows, reading, "federe/core/views.py") == []


def test_a_long_function_or_module_without_a_reason_is_caught():
    long_body = "".join(f"    x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES))
    function = f"def f():\n{long_body}"
    assert len(_run(oversized, function)) == 1
    assert _run(oversized, f"# size: one table of cases, read top to bottom\n{function}") == []
    assert len(_run(oversized, f"# size:\n{function}")) == 1  # a reason, not a bare tag
    assert _run(oversized, f"@decorated  # size: the steps share twenty locals\n{function}") == []
    module = '"""Doc."""\n' + "X = 1\n" * MAX_MODULE_LINES
    assert len(_run(oversized, module)) == 1
    assert _run(oversized, '"""Doc."""\n# size: generated table of word weights\n' + "X = 1\n" * 400) == []


def test_a_write_on_another_apps_model_is_caught():
    bad = (
        "from federe.inbox.models import Message\n"
        "from federe.people.models import Person\n"
        "Message.objects.filter(pk=1).update(review='x')\n"
        "Message.objects.bulk_create([])\n"
        "Person.objects.create(display_name='x')\n"
    )
    assert len(_run(foreign_writes, bad, "federe/moderation/services.py")) == 3
    assert len(_run(foreign_writes, bad, "federe/people/services.py")) == 2  # Person is people's own model
    reading = "from federe.inbox.models import Message\nMessage.objects.filter(pk=1).count()\n"
    assert _run(foreign_writes, reading, "federe/people/services.py") == []
