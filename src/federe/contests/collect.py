"""Entries collected from stored messages: which messages match the contest's rule, and which are excluded, why.

``collect(contest)`` can run any number of times: it reads the stored messages again, creates the entries it had
not seen, recomputes every automatic reason, and removes entries whose message no longer matches (an edit), except
those the organiser decided on. It runs when the organiser asks (the entries page, ``federe contests entries
--collect``, the API), and once more at the draw, just before the list is frozen. It is not an ingest step: a
contest is a few hundred entries read on demand, and leaving ingest alone keeps every page's transaction short.

Candidates: messages of the contest's channels (or all) from the start on (later ones too: they are entries
"after the deadline"). A hashtag or keyword rule reads their text (``contests/matching.py``); a reply rule (and a
quiz with a message given) takes the messages of that message's thread posted after it. The reasons, in the order
they are tried (the first that applies is the one given):

1. ``staff``: the author is one of the workspace's own accounts (an identity that has posted an outbound message);
2. ``blocked``: the author's person was banned (a ban decision on any of their messages, not undone by an unban);
3. ``unpublished``: the message is held, spam or removed on its channel;
4. ``late``: posted after the end;
5. ``wrong_answer``: a quiz question none of whose accepted answers is in the text;
6. ``too_new``: the person was first seen fewer than N days before the start (where Fédère knows it: the first
   message it stored of theirs; unknown means not excluded);
7. ``duplicate``: the same person (identities merged into one person count as one, across channels) already has
   an earlier entry that is still eligible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from federe.contests import matching, words
from federe.contests.models import Contest, Entry, EntryRule
from federe.inbox.models import Direction, Message
from federe.moderation.models import Decision
from federe.people.models import Person


@dataclass
class Collected:
    created: int = 0
    updated: int = 0
    removed: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


def _candidates(contest: Contest) -> Iterable[Message]:
    messages = Message.objects.filter(workspace=contest.workspace, author__isnull=False)
    if not contest.all_channels:
        messages = messages.filter(connection__in=contest.channels.all())
    target = contest.reply_to
    if contest.rule == EntryRule.REPLY or (contest.rule == EntryRule.QUIZ and target is not None):
        if target is None:
            return []
        messages = messages.filter(conversation_id=target.conversation_id, posted_at__gte=target.posted_at)
        messages = messages.exclude(pk=target.pk)
    else:
        messages = messages.filter(posted_at__gte=contest.starts_at)
    fields = ("pk", "connection_id", "external_id", "body_text", "posted_at", "network_status", "direction")
    rows = (
        messages.select_related("author")
        .only(*fields, "author__person_id", "author__display_name", "author__handle")
        .order_by("posted_at", "pk")
    )
    return rows.iterator(chunk_size=500)


def _matches(contest: Contest, message: Message) -> bool:
    if contest.rule == EntryRule.HASHTAG:
        return matching.hashtag_matches(contest.term, message.body_text)
    if contest.rule == EntryRule.KEYWORD:
        return matching.keyword_matches(contest.term, message.body_text)
    return True


def _staff_identities(contest: Contest) -> set[int]:
    outbound = Message.objects.filter(workspace=contest.workspace, direction=Direction.OUTBOUND)
    return set(outbound.exclude(author__isnull=True).values_list("author_id", flat=True).distinct())


def _banned_persons(workspace: Any, persons: set[int]) -> set[int]:
    decisions = (
        Decision.objects.filter(
            workspace=workspace, action__in=["ban", "unban"], message__author__person_id__in=persons
        )
        .order_by("created_at", "pk")
        .values_list("message__author__person_id", "action")
    )
    last: dict[int, str] = {}
    for person, action in decisions:
        last[person] = action
    return {person for person, action in last.items() if action == "ban"}


@dataclass
class _Facts:
    """What the reasons need, read once per collection."""

    staff: set[int]
    banned: set[int]
    first_seen: dict[int, Any]
    canonical: dict[int, int]  # person → the person it was merged into (itself otherwise)
    names: dict[int, str]
    questions: list[list[str]]


def _facts(contest: Contest, rows: list[Message]) -> _Facts:
    persons = {m.author.person_id for m in rows if m.author is not None}
    found = Person.objects.filter(pk__in=persons).values_list("pk", "merged_into_id", "first_seen_at", "display_name")
    canonical = {pk: merged or pk for pk, merged, _seen, _name in found}
    kept = set(canonical.values())
    facts = Person.objects.filter(pk__in=kept).values_list("pk", "first_seen_at", "display_name")
    return _Facts(
        staff=_staff_identities(contest) if contest.exclude_staff else set(),
        banned=_banned_persons(contest.workspace, kept) if contest.exclude_blocked else set(),
        first_seen={pk: seen for pk, seen, _name in facts},
        canonical=canonical,
        names={pk: name for pk, _seen, name in facts},
        questions=[list(q.answers) for q in contest.questions.all()] if contest.rule == EntryRule.QUIZ else [],
    )


def _reason(contest: Contest, message: Message, person: int | None, facts: _Facts) -> tuple[str, dict[str, Any]]:
    """The first automatic reason that applies (duplicates aside), or ""."""
    if message.author_id in facts.staff or (contest.exclude_staff and message.direction == Direction.OUTBOUND):
        return words.STAFF, {}
    if person in facts.banned:
        return words.BLOCKED, {}
    if message.network_status != "published":
        return words.UNPUBLISHED, {}
    if message.posted_at > contest.ends_at:
        return words.LATE, {}
    if message.posted_at < contest.starts_at:
        return words.EARLY, {}
    if facts.questions:
        wrong = matching.first_wrong_answer(facts.questions, message.body_text)
        if wrong is not None:
            return words.WRONG, {"question": wrong}
    seen = facts.first_seen.get(person) if person else None
    if contest.min_account_days and seen is not None:
        age = contest.starts_at - seen
        if age < timedelta(days=contest.min_account_days):
            return words.TOO_NEW, {"days": max(age.days, 0), "min": contest.min_account_days}
    return "", {}


def _entry_values(contest: Contest, message: Message, facts: _Facts) -> dict[str, Any]:
    raw_person = message.author.person_id if message.author else None
    person = facts.canonical.get(raw_person, raw_person) if raw_person else None
    reason, params = _reason(contest, message, person, facts)
    author = message.author
    fallback = (author.display_name or author.handle) if author else ""
    return {
        "person_id": person,
        "key": f"{message.connection_id}/{message.external_id}",
        "name": (facts.names.get(person, "") if person else "") or fallback or "?",
        "posted_at": message.posted_at,
        "reason": reason,
        "params": params,
    }


def _mark_duplicates(values: dict[int, dict[str, Any]], decided: dict[int, str]) -> None:
    """A person's entries after their first eligible one become duplicates (messages in time order)."""
    first: dict[int, str] = {}
    for message_pk, v in values.items():
        person = v["person_id"]
        eligible = decided.get(message_pk) == "included" or (not decided.get(message_pk) and not v["reason"])
        if person is None or not eligible:
            continue
        if person in first and decided.get(message_pk) != "included":
            v["reason"], v["params"] = words.DUPLICATE, {"name": v["name"]}
        else:
            first.setdefault(person, v["key"])


def collect(contest: Contest) -> Collected:  # size: one read, one pass of reasons, one bulk write; apart it'd hide it
    """Create or refresh the contest's entries (see the module's docstring); nothing changes after the draw."""
    rows = [m for m in _candidates(contest) if _matches(contest, m)]
    facts = _facts(contest, rows)
    values = {m.pk: _entry_values(contest, m, facts) for m in rows}
    result = Collected()
    with transaction.atomic():
        existing = {e.message_id: e for e in Entry.objects.select_for_update().filter(contest=contest)}
        _mark_duplicates(values, {pk: e.decided for pk, e in existing.items()})
        new, changed = [], []
        for message_pk, v in values.items():
            entry = existing.get(message_pk)
            if entry is None:
                new.append(Entry(contest=contest, message_id=message_pk, **v))
                continue
            if any(getattr(entry, name) != value for name, value in v.items()):
                for name, value in v.items():
                    setattr(entry, name, value)
                changed.append(entry)
        gone = [pk for pk, e in existing.items() if pk not in values and not e.decided]
        Entry.objects.bulk_create(new)
        Entry.objects.bulk_update(changed, ["person_id", "key", "name", "posted_at", "reason", "params"])
        result.removed, _detail = Entry.objects.filter(contest=contest, message_id__in=gone).delete()
        Contest.objects.filter(pk=contest.pk).update(collected_at=timezone.now())
    result.created, result.updated = len(new), len(changed)
    for v in values.values():
        result.by_reason[v["reason"]] = result.by_reason.get(v["reason"], 0) + 1
    return result


def eligible_entries(contest: Contest) -> list[Entry]:
    entries = Entry.objects.filter(contest=contest).filter(Q(decided="included") | Q(decided="", reason=""))
    return list(entries.order_by("key"))
