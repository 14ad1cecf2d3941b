"""Reading the audit log: who, what and the details of each event in the reader's language, never raw codes.

Services record details as data (``{"kind": "brand", "changed": ["min_volume"]}``); this module names each key
and turns each value into words: choices become their label, lists are joined, ids and internals are left out.
A key missing from ``DETAIL_LABELS`` and ``HIDDEN_KEYS`` is not shown (tests/core/test_activity_labels.py makes
sure every key the code records is in one of them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DETAIL_LABELS: dict[str, Any] = {
    "action": gettext_lazy("action"),
    "active": gettext_lazy("switched on"),
    "recipients": gettext_lazy("recipients"),
    "revoked": gettext_lazy("share link withdrawn"),
    "anyway": gettext_lazy("switched on anyway"),
    "examined": gettext_lazy("recent messages examined"),
    "matched": gettext_lazy("of which matched"),
    "too_broad": gettext_lazy("too broad"),
    "assignee": gettext_lazy("assigned to"),
    "targets": gettext_lazy("places followed"),
    "before": gettext_lazy("before"),
    "auto_merged": gettext_lazy("merged automatically"),
    "brand": gettext_lazy("brand"),
    "changed": gettext_lazy("changed"),
    "created": gettext_lazy("created"),
    "email": gettext_lazy("e-mail address"),
    "error": gettext_lazy("error"),
    "failures": gettext_lazy("failed sendings in a row"),
    "field": gettext_lazy("field"),
    "from": gettext_lazy("from"),
    "identities": gettext_lazy("identities"),
    "kind": gettext_lazy("kind"),
    "labels": gettext_lazy("labels"),
    "malformed": gettext_lazy("unreadable items"),
    "match": gettext_lazy("conditions to meet"),
    "messages": gettext_lazy("messages"),
    "name": gettext_lazy("name"),
    "network": gettext_lazy("network"),
    "note": gettext_lazy("note"),
    "notes": gettext_lazy("notes"),
    "persons": gettext_lazy("persons"),
    "position": gettext_lazy("position"),
    "query": gettext_lazy("query"),
    "reasons": gettext_lazy("why"),
    "removed": gettext_lazy("removed"),
    "retry": gettext_lazy("retried"),
    "role": gettext_lazy("role"),
    "seconds": gettext_lazy("seconds"),
    "sent": gettext_lazy("sent to"),
    "signals": gettext_lazy("evidence"),
    "stored": gettext_lazy("stored"),
    "tag": gettext_lazy("tag"),
    "task": gettext_lazy("classifier"),
    "threads": gettext_lazy("threads"),
    "to": gettext_lazy("to"),
    "total": gettext_lazy("points"),
    "updated": gettext_lazy("updated"),
    "user": gettext_lazy("user"),
    "version": gettext_lazy("version"),
    "count": gettext_lazy("how many"),
    "final": gettext_lazy("for good"),
    "published": gettext_lazy("published"),
    "comment": gettext_lazy("comment"),
    "days": gettext_lazy("valid for (days)"),
    "required": gettext_lazy("approval required"),
    "self_approval": gettext_lazy("authors may approve their own posts"),
    "steps": gettext_lazy("approval steps"),
    "shorten_by_default": gettext_lazy("links shortened in new posts"),
    "parameters": gettext_lazy("UTM parameters"),
    "enabled": gettext_lazy("enabled"),
    "commitment": gettext_lazy("commitment"),
    "sha256": gettext_lazy("SHA-256 of the rules document"),
    "entry": gettext_lazy("entry"),
    "entries": gettext_lazy("eligible entries"),
    "winners": gettext_lazy("winners"),
    "category": gettext_lazy("budget category"),
    "deleted": gettext_lazy("deleted"),
    "rows": gettext_lazy("rows imported"),
    "registrations": gettext_lazy("event registrations moved"),
    "registrations_folded": gettext_lazy("events both were registered to (one registration kept)"),
}
# Ids, internals and raw definitions: the "On" column names the object; the details would only add codes.
HIDDEN_KEYS = {
    "absorbed",
    "registration",  # an event registration's id
    "backfill_reason",  # a deep-tier backfill's cause, as a code: the models page says it in words
    "deep_model",  # the deep tier's model version, as stored with each refined message
    "actions",
    "conditions",
    "channel",
    "channels",
    "credential_fields",
    "decision",
    "delivery",
    "event",  # a webhook event's id
    "events",  # webhook event types, as codes: the webhooks page names them
    "external_id",
    "filters",
    "kept",
    "merge",
    "order",  # SLA policies' ids in their new order
    "message",
    "person",
    "reply",
    "restored",
    "rule",
    "slot",  # queue times as weekday numbers: the count says how many, the "On" column which channel
    "slots",
    "source",
    "suggestion",
}
SIGNAL_NAMES = {
    "same_email": gettext_lazy("same e-mail address"),
    "same_link": gettext_lazy("same profile or website link"),
    "same_handle": gettext_lazy("same handle on two channels"),
    "similar_name": gettext_lazy("similar name"),
    "replied_to_each": gettext_lazy("they replied to each other"),
}
# Whose fields a "changed" list names, by verb.
CHANGED_MODELS = {
    "people.settings_changed": "people.ScoringSettings",
    "listening.alerts_configured": "listening.AlertSettings",
    "user.profile_changed": "accounts.User",
    "post.updated": "publishing.Post",
    "post.rescheduled": "publishing.Post",
    "workspace.settings_changed": "accounts.Workspace",
}


def _choices(*dotted: str) -> dict[str, Any]:
    """Value → label of some TextChoices (app_label.module.Class), merged."""
    from importlib import import_module

    merged: dict[str, Any] = {}
    for path in dotted:
        module, name = path.rsplit(".", 1)
        merged.update(dict(getattr(import_module(f"federe.{module}"), name).choices))
    return merged


def _network(value: Any) -> str:
    from federe.connectors.registry import connector_class

    try:
        return str(connector_class(str(value)).label)
    except LookupError:
        return str(value)


def _reasons(value: Any) -> str:
    from federe.moderation.conditions import describe

    return "; ".join(describe(r) for r in value) if isinstance(value, list) else str(value)


def _task(value: Any) -> str:
    from federe.nlp.explain import TASK_NAMES

    return str(TASK_NAMES.get(value, value))


def _state(value: Any) -> str:
    """A conversation status, a tone, a role (member.role_changed) or a name (who a mention was passed to)."""
    from federe.nlp.explain import SENTIMENT_NAMES

    names = {**_choices("inbox.models.ConversationStatus", "accounts.models.Role"), **SENTIMENT_NAMES}
    return str(names.get(value, value))


def _action(value: Any) -> str:
    return str(_choices("moderation.models.Verdict", "moderation.models.SideAction").get(value, value))


def _kind(value: Any) -> str:
    return str(_choices("listening.models.QueryKind").get(value, value))


def _role(value: Any) -> str:
    return str(_choices("accounts.models.Role").get(value, value))


def _version(value: Any) -> str:
    return _("shipped model") if value == "shipped" else _plain(value)


def _signals(value: Any) -> str:
    return ", ".join(str(SIGNAL_NAMES.get(code, code)) for code in value) if isinstance(value, list) else str(value)


def _match(value: Any) -> str:
    return {"all": _("all"), "any": _("any")}.get(str(value), str(value))


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "action": _action,
    "from": _state,
    "kind": _kind,
    "match": _match,
    "network": _network,
    "reasons": _reasons,
    "role": _role,
    "signals": _signals,
    "task": _task,
    "to": _state,
    "version": _version,
}


def _plain(value: Any) -> str:
    if value == "[hidden]":
        return _("hidden")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(_plain(k) for k in value)  # the names of what changed, not the values
    return str(value)


def _field_names(verb: str, names: Iterable[Any]) -> str:
    label = CHANGED_MODELS.get(verb)
    if label is None:
        return _plain(list(names))
    model = apps.get_model(label)
    known = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    return ", ".join(str(known[n].verbose_name) if n in known else str(n) for n in names)


def detail_items(verb: str, details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's details, in the active language."""
    items = []
    for key, value in details.items():
        if key in HIDDEN_KEYS or key not in DETAIL_LABELS or value in (None, "", [], {}):
            continue
        if key == "note" and isinstance(value, int):  # a note's id (person.note_added), not an escalation's note
            continue
        if key == "changed":
            text = _field_names(verb, value)
        elif key in FORMATTERS:
            text = FORMATTERS[key](value)
        else:
            text = _plain(value)
        items.append((str(DETAIL_LABELS[key]), text))
    return items


def actor_label(label: str, rule_names: dict[int, str] | None = None) -> str:
    """The "who" of an event: a username, or Fédère itself in words ("rule:12@v3" → the rule's name)."""
    rule = re.match(r"^rule(?::(\d+)@v(\d+))?$", label)
    if rule:
        if rule[1] is None:
            return _("a moderation rule")
        name = (rule_names or {}).get(int(rule[1]))
        if name:
            return _("rule “%(name)s”, version %(v)s") % {"name": name, "v": rule[2]}
        return _("a moderation rule, version %(v)s") % {"v": rule[2]}
    if label in {"system", "worker"} or label.startswith("worker:"):
        return _("Fédère")
    if label.startswith("cli:") or label == "cli":
        return _("Fédère (command line)")
    if label.startswith("api-token:"):
        return _("API token %(prefix)s") % {"prefix": label.split(":", 1)[1]}
    return label


def rule_ids(labels: Iterable[str]) -> set[int]:
    return {int(m[1]) for m in (re.match(r"^rule:(\d+)@v\d+$", x) for x in labels) if m}
