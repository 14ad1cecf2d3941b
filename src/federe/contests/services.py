"""What an organiser does with a contest: write the rules, commit to them, review the entries, draw, announce.

Services decide and check permissions (``Perm.PUBLISH`` for every change); views and the API translate. The
draw's cryptography is ``contests/draw.py``; collecting entries is ``contests/collect.py``. Every change is in the
activity log (``core.audit``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.contests import draw
from federe.contests.collect import collect, eligible_entries
from federe.contests.models import Contest, Entry, EntryRule, Question, Stage
from federe.core import audit
from federe.core.secrets import decrypt_json, encrypt_json
from federe.inbox.models import Message

MAX_WINNERS = 1000
MAX_QUESTIONS = 20
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


@dataclass
class Fields:
    """A contest's rules as the form, the API and the CLI give them."""

    name: str
    starts_at: datetime
    ends_at: datetime
    rule: str = EntryRule.HASHTAG
    term: str = ""
    reply_to_id: int | None = None
    channel_ids: list[int] = field(default_factory=list)  # none: every channel
    winners_count: int = 1
    exclude_staff: bool = True
    exclude_blocked: bool = True
    min_account_days: int | None = None
    public_source: str = ""
    questions: list[tuple[str, list[str]]] = field(default_factory=list)  # (question, accepted answers)


def _check(workspace: Any, f: Fields) -> tuple[list[Connection], Message | None]:  # size: one rule per line
    errors: dict[str, str] = {}
    if not f.name.strip():
        errors["name"] = _("Give the contest a name.")
    if f.ends_at <= f.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    if f.rule not in EntryRule.values:
        errors["rule"] = _("Choose how people enter.")
    if f.rule in (EntryRule.HASHTAG, EntryRule.KEYWORD) and not f.term.strip().lstrip("#").strip():
        errors["term"] = _("Give the hashtag or the keyword that makes a message an entry.")
    message = None
    if f.reply_to_id is not None:
        message = Message.objects.filter(workspace=workspace, pk=f.reply_to_id).first()
        if message is None:
            errors["reply_to_id"] = _("No such message in this workspace.")
    elif f.rule == EntryRule.REPLY:
        errors["reply_to_id"] = _("Give the message people reply to.")
    if f.rule == EntryRule.QUIZ:
        if not f.questions or len(f.questions) > MAX_QUESTIONS:
            errors["questions"] = _("A quiz has between 1 and 20 questions.")
        elif any(not q.strip() or not [a for a in answers if a.strip()] for q, answers in f.questions):
            errors["questions"] = _("Each question needs its text and at least one accepted answer.")
    if not 1 <= f.winners_count <= MAX_WINNERS:
        errors["winners_count"] = _("Between 1 and 1,000 winners.")
    channels = list(Connection.objects.filter(workspace=workspace, pk__in=f.channel_ids))
    if len(channels) != len(set(f.channel_ids)):
        errors["channel_ids"] = _("Choose channels of this workspace.")
    if errors:
        raise ValidationError(errors)
    return channels, message


def _apply(contest: Contest, f: Fields, channels: list[Connection], message: Message | None) -> None:
    contest.name, contest.starts_at, contest.ends_at = f.name.strip(), f.starts_at, f.ends_at
    contest.rule, contest.term = f.rule, f.term.strip() if f.rule in (EntryRule.HASHTAG, EntryRule.KEYWORD) else ""
    contest.reply_to = message
    contest.winners_count, contest.all_channels = f.winners_count, not channels
    contest.exclude_staff, contest.exclude_blocked = f.exclude_staff, f.exclude_blocked
    contest.min_account_days, contest.public_source = f.min_account_days or None, f.public_source.strip()
    contest.save()
    contest.channels.set(channels)
    contest.questions.all().delete()
    if f.rule == EntryRule.QUIZ:
        Question.objects.bulk_create(
            Question(contest=contest, position=i, text=q.strip(), answers=[a.strip() for a in answers if a.strip()])
            for i, (q, answers) in enumerate(f.questions)
        )


def add(*, workspace: Any, fields: Fields, by: Any, client_key: str = "") -> Contest:
    require(by, workspace, Perm.PUBLISH)
    if client_key:
        earlier = Contest.objects.filter(workspace=workspace, client_key=client_key[:255]).first()
        if earlier is not None:
            return earlier
    channels, message = _check(workspace, fields)
    with transaction.atomic():
        contest = Contest(workspace=workspace, public_id=secrets.token_urlsafe(32), client_key=client_key[:255])
        _apply(contest, fields, channels, message)
        audit.record("contest.created", workspace=workspace, actor=by, target=contest)
    return contest


def change(*, contest: Contest, fields: Fields, by: Any) -> Contest:
    require(by, contest.workspace, Perm.PUBLISH)
    if contest.stage != Stage.DRAFT:
        raise ValidationError(_("The rules are committed: they can no longer change."))
    channels, message = _check(contest.workspace, fields)
    with transaction.atomic():
        _apply(contest, fields, channels, message)
        audit.record("contest.changed", workspace=contest.workspace, actor=by, target=contest)
    return contest


def attach_rules_document(*, contest: Contest, data: bytes, by: Any) -> Contest:
    """The rules as a PDF: its SHA-256 becomes part of the committed rules (so only before the commitment)."""
    require(by, contest.workspace, Perm.PUBLISH)
    if contest.stage != Stage.DRAFT:
        raise ValidationError(_("The rules are committed: they can no longer change."))
    if not data.startswith(b"%PDF-") or len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": _("Attach the rules as a PDF file of at most 10 MB.")})
    digest = hashlib.sha256(data).hexdigest()
    contest.rules_document.save(f"{contest.public_id[:16]}.pdf", ContentFile(data), save=False)
    contest.rules_document_sha256 = digest
    contest.save(update_fields=["rules_document", "rules_document_sha256", "updated_at"])
    audit.record(
        "contest.document_attached", workspace=contest.workspace, actor=by, target=contest, details={"sha256": digest}
    )
    return contest


def rules_data(contest: Contest) -> dict[str, Any]:
    """The rules as the commitment covers them (draw.py's RULES)."""
    channels = "all" if contest.all_channels else sorted(c.name for c in contest.channels.all())
    reply = contest.reply_to
    return {
        "name": contest.name,
        "starts_at": contest.starts_at.astimezone(UTC).isoformat(),
        "ends_at": contest.ends_at.astimezone(UTC).isoformat(),
        "channels": channels,
        "entry_rule": contest.rule,
        "term": contest.term,
        "reply_to": f"{reply.connection_id}/{reply.external_id}" if reply else "",
        "questions": [{"text": q.text, "answers": list(q.answers)} for q in contest.questions.all()],
        "winners": contest.winners_count,
        "eligibility": {
            "exclude_staff": contest.exclude_staff,
            "exclude_blocked": contest.exclude_blocked,
            "min_account_days": contest.min_account_days or 0,
            "late_entries": "excluded",
            "one_entry_per_person": True,
        },
        "rules_document_sha256": contest.rules_document_sha256,
        "public_value_source": contest.public_source,
    }


def commit(*, contest: Contest, by: Any, now: datetime | None = None) -> Contest:
    """Draw the secret seed and publish the commitment; the rules are frozen from now on."""
    require(by, contest.workspace, Perm.PUBLISH)
    now = now or timezone.now()
    if contest.stage != Stage.DRAFT:
        raise ValidationError(_("The commitment is already published."))
    if now >= contest.ends_at:
        raise ValidationError(_("The commitment must be published before the end of the contest."))
    seed = secrets.token_bytes(draw.SEED_BYTES)
    rules = rules_data(contest)
    contest.rules_data, contest.commitment, contest.committed_at = rules, draw.commitment(rules, seed), now
    contest.seed_encrypted, contest.stage = encrypt_json({"seed": seed.hex()}), Stage.COMMITTED
    with transaction.atomic():
        contest.save()
        audit.record(
            "contest.committed",
            workspace=contest.workspace,
            actor=by,
            target=contest,
            details={"commitment": contest.commitment},
        )
    return contest


def decide_entry(*, entry: Entry, exclude: bool, note: str, by: Any) -> Entry:
    """The organiser excludes or reinstates an entry, with a reason in their words (before the draw)."""
    contest = entry.contest
    require(by, contest.workspace, Perm.PUBLISH)
    if contest.stage == Stage.DRAWN:
        raise ValidationError(_("The draw is done: the entries are frozen."))
    note = note.strip()
    if not note or len(note) > 300:
        raise ValidationError({"note": _("Say why, in at most 300 characters.")})
    entry.decided, entry.decided_note = ("excluded" if exclude else "included"), note
    with transaction.atomic():
        entry.save(update_fields=["decided", "decided_note"])
        verb = "contest.entry_excluded" if exclude else "contest.entry_reinstated"
        audit.record(
            verb, workspace=contest.workspace, actor=by, target=contest, details={"entry": entry.key, "note": note}
        )
    return entry


def collect_entries(*, contest: Contest, by: Any) -> Any:
    require(by, contest.workspace, Perm.PUBLISH)
    if contest.stage == Stage.DRAWN:
        raise ValidationError(_("The draw is done: the entries are frozen."))
    return collect(contest)


def run_draw(*, contest: Contest, public_value: str, source: str, by: Any, now: datetime | None = None) -> Contest:
    """Freeze the eligible entries, reveal the seed, mix in the public value, rank the winners (draw.py)."""
    require(by, contest.workspace, Perm.PUBLISH)
    now = now or timezone.now()
    if contest.stage != Stage.COMMITTED:
        raise ValidationError(_("Publish the commitment before the draw."))
    if now < contest.ends_at:
        raise ValidationError(_("The draw comes after the end of the contest."))
    public_value, source = public_value.strip(), source.strip()
    if not public_value or len(public_value) > 500 or len(source) > 500:
        raise ValidationError({"public_value": _("Give the public random value (at most 500 characters).")})
    collect(contest)
    seed = bytes.fromhex(decrypt_json(contest.seed_encrypted)["seed"])
    if draw.commitment(contest.rules_data, seed) != contest.commitment:
        raise ValidationError(_("The stored seed does not match the commitment: the draw is refused."))
    entries = eligible_entries(contest)
    ballots = draw.sorted_ballots(draw.Ballot(e.key, e.name) for e in entries)
    chosen = draw.winners(ballots, seed, public_value, contest.winners_count)
    ranks = {b.key: rank for rank, b in enumerate(chosen, start=1)}
    contest.entries_sha256, contest.seed_hex = draw.entries_hash(ballots), seed.hex()
    contest.public_value, contest.public_value_source, contest.drawn_at = public_value, source, now
    contest.stage = Stage.DRAWN
    contest.published = published_data(contest, ballots, chosen)
    with transaction.atomic():
        for e in entries:
            e.rank = ranks.get(e.key)
        Entry.objects.bulk_update(entries, ["rank"])
        contest.save()
        audit.record(
            "contest.drawn",
            workspace=contest.workspace,
            actor=by,
            target=contest,
            details={"entries": len(ballots), "winners": len(chosen)},
        )
    return contest


def published_data(contest: Contest, ballots: list[draw.Ballot], chosen: list[draw.Ballot]) -> dict[str, Any]:
    """The certificate's JSON: everything ``verify_draw.py`` needs, and no private data (display names only)."""
    return {
        "format": "federe-contest-draw/1",
        "rules": contest.rules_data,
        "commitment": contest.commitment,
        "committed_at": contest.committed_at.isoformat() if contest.committed_at else "",
        "entries": [b.as_data() for b in ballots],
        "entries_sha256": contest.entries_sha256,
        "seed": contest.seed_hex,
        "public_value": contest.public_value,
        "public_value_source": contest.public_value_source,
        "winners": [b.as_data() for b in chosen],
        "drawn_at": contest.drawn_at.isoformat() if contest.drawn_at else "",
    }
