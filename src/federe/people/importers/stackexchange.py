"""Importing a Stack Exchange data dump as a channel of a workspace.

What goes where:

- The channel is a ``Connection`` of network ``stackexchange`` (import only: ``next_sync_at`` stays empty, so the
  dispatcher never picks it). It is found again by its name, so a second run updates the same channel.
- Every row of Users.xml becomes an ``Identity`` (external id = the site's user id) with its ``Person``.
- Questions, answers and comments become messages through ``inbox.ingest.ingest_items``: the same sanitising,
  threading, idempotence and revisions as a sync. One conversation per question. Moderation rules are not run
  on imported history. Other post types (tag wikis, …) and comments on them are skipped and counted.
- What Fédère has no column for is kept, per user id, in the channel's ``config["members"]``:
  ``reputation``, ``badges`` ([gold, silver, bronze]), ``account_id`` (the network-wide Stack Exchange
  account), ``website``, and from Votes.xml and Posts.xml ``score`` (sum of the scores of their questions and
  answers), ``up``/``down`` (votes received) and ``accepted`` (answers accepted). ``people.analytics`` reads it.

Every file is read once to check that it is well-formed XML before anything is written, so a broken dump
changes nothing. Then each batch is stored in its own transaction: an import stopped halfway (Ctrl-C, a crash)
leaves a consistent database, and running it again completes it without duplicates (the database enforces
uniqueness on (connection, external_id)).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.connections.models import Connection, SyncRun, SyncState
from federe.connectors.stackexchange.connector import StackExchangeConnector
from federe.connectors.stackexchange.dump import DumpError, check_directory, iter_rows
from federe.connectors.stackexchange.mapping import (
    ANSWER,
    QUESTION,
    Member,
    map_comment,
    map_post,
    map_user,
    parse_int,
)
from federe.connectors.types import Item, MalformedItem
from federe.core import audit
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.people.importers.progress import Progress
from federe.people.models import Identity, Person

NETWORK = StackExchangeConnector.key
BATCH = 1000
CHUNK = 500
ProgressFactory = Callable[..., Progress]


class ImportFailed(Exception):
    """The import cannot go on; the message is in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    connection: Connection
    created_channel: bool = False
    rows: dict[str, int] = field(default_factory=dict)  # rows per file
    members_created: int = 0
    members_updated: int = 0
    questions: int = 0
    answers: int = 0
    comments: int = 0
    stored: int = 0  # new messages
    updated: int = 0  # messages whose text or status changed since the last run
    skipped: Counter[str] = field(default_factory=Counter)  # expected: tag wikis, comments on them…
    malformed: list[MalformedItem] = field(default_factory=list)
    seconds: float = 0.0


def _no_progress(label: str, total: int | None, **kwargs: Any) -> Progress:
    return Progress(label, total, enabled=False, **kwargs)


def import_dump(
    workspace: Workspace,
    directory: str | Path,
    *,
    name: str = "",
    site_url: str = "",
    batch_size: int = BATCH,
    progress: ProgressFactory = _no_progress,
) -> ImportReport:
    """Import (or import again) the dump in ``directory`` into a Stack Exchange channel of ``workspace``.

    ``site_url`` (e.g. https://french.meta.stackexchange.com) gives profile and message links; it is
    remembered by the channel. Raises DumpError or ImportFailed, in plain words.
    """
    started = time.monotonic()
    directory = Path(directory).expanduser().resolve()
    paths = check_directory(directory)
    rows = {fname: _check_file(path, progress) for fname, path in paths.items()}

    connection, created = _channel(workspace, directory, name.strip(), site_url.strip().rstrip("/"))
    site = str(connection.config.get("site_url", ""))
    report = ImportReport(connection=connection, created_channel=created, rows=rows)
    run = SyncRun.objects.create(workspace=workspace, connection=connection, worker_id="import")
    try:
        badges = _read_badges(paths["Badges.xml"], rows["Badges.xml"], progress)
        votes = _read_votes(paths["Votes.xml"], rows["Votes.xml"], progress)
        members = _import_users(
            connection, paths["Users.xml"], rows["Users.xml"], badges, site, batch_size, progress, report
        )
        threads = _import_posts(
            connection, paths["Posts.xml"], rows["Posts.xml"], votes, members, site, batch_size, progress, report, run
        )
        _import_comments(
            connection, paths["Comments.xml"], rows["Comments.xml"], threads, site, batch_size, progress, report, run
        )
        _update_person_clocks(connection)
    except BaseException as exc:  # Ctrl-C too: the run is recorded as stopped, the batches stored stay
        if isinstance(exc, DumpError | ImportFailed):
            message = exc.message
        elif isinstance(exc, KeyboardInterrupt):
            message = _("The import was interrupted; run it again to complete it.")
        else:
            message = _("The import stopped on an unexpected error (%(error)s); run it again to complete it.") % {
                "error": type(exc).__name__
            }
        _finish(connection, run, report, error=message)
        raise
    report.seconds = time.monotonic() - started
    connection.config = {
        **connection.config,
        "members": members,
        "import": {
            "finished_at": timezone.now().isoformat(),
            "rows": rows,
            "skipped": dict(report.skipped),
            "malformed": len(report.malformed),
        },
    }
    Connection.objects.filter(pk=connection.pk).update(config=connection.config)
    _finish(connection, run, report, error="")
    return report


def _check_file(path: Path, progress: ProgressFactory) -> int:
    """Read the whole file once: it must be well-formed XML with the right root. Returns its number of rows."""
    bar = progress(_("Checking %(file)s") % {"file": path.name}, path.stat().st_size, counts=False)
    count = [0]

    def rows() -> str:
        return ngettext("%(n)s row", "%(n)s rows", count[0]) % {"n": f"{count[0]:,}"}

    for _row in iter_rows(path, on_bytes=lambda done: bar.set(done, note=rows())):
        count[0] += 1
    bar.close(note=rows())
    return count[0]


def _find_channel(workspace: Workspace, directory: Path, name: str, site_url: str) -> Connection | None:
    """The channel an earlier run made: by name when given, else by site address, else by dump folder."""
    channels = Connection.objects.filter(workspace=workspace)
    if name:
        return channels.filter(name=name).first()
    mine = list(channels.filter(network=NETWORK).order_by("-pk"))
    for channel in mine:
        if site_url and channel.config.get("site_url") == site_url:
            return channel
    for channel in mine:
        if channel.config.get("directory") == str(directory) and (not site_url or not channel.config.get("site_url")):
            return channel
    return None


def _channel(workspace: Workspace, directory: Path, name: str, site_url: str) -> tuple[Connection, bool]:
    if site_url and urlparse(site_url).scheme not in ("http", "https"):
        raise ImportFailed(
            _("The site address must start with https:// (for example https://cooking.stackexchange.com).")
        )
    connection = _find_channel(workspace, directory, name, site_url)
    name = name or (urlparse(site_url).netloc if site_url else f"Stack Exchange {directory.name}")
    if connection is None and Connection.objects.filter(workspace=workspace, name=name).exists():
        connection = Connection.objects.get(workspace=workspace, name=name)
    if connection is not None:
        if connection.network != NETWORK:
            raise ImportFailed(
                _("The channel %(name)s already exists and is not a Stack Exchange channel: choose another --name.")
                % {"name": name}
            )
        config = {**connection.config, "directory": str(directory)}
        if site_url:
            config["site_url"] = site_url
        connection.config = config
        Connection.objects.filter(pk=connection.pk).update(config=config, next_sync_at=None)
        return connection, False
    config = {"directory": str(directory)}
    if site_url:
        config["site_url"] = site_url
    connection = Connection.objects.create(
        workspace=workspace,
        network=NETWORK,
        name=name[:120],
        config=config,
        next_sync_at=None,  # import only: the dispatcher never schedules it
    )
    audit.record(
        "connection.created",
        workspace=workspace,
        actor_label="cli:import",
        target=connection,
        details={"network": NETWORK, "source": "data dump"},
    )
    return connection, True


def _read_badges(path: Path, total: int, progress: ProgressFactory) -> dict[str, list[int]]:
    """[gold, silver, bronze] badges per user id (Class 1, 2, 3)."""
    bar = progress("Badges.xml", total, unit=_("rows"))
    badges: dict[str, list[int]] = {}
    for row in iter_rows(path):
        bar.advance()
        klass = parse_int(row.get("Class"))
        user = row.get("UserId")
        if user and klass in (1, 2, 3):
            badges.setdefault(user, [0, 0, 0])[klass - 1] += 1  # type: ignore[operator]
    bar.close()
    return badges


def _read_votes(path: Path, total: int, progress: ProgressFactory) -> dict[int, list[int]]:
    """[up, down, accepted] per post id (VoteTypeId 2, 3 and 1); other vote types are not kept."""
    bar = progress("Votes.xml", total, unit=_("rows"))
    votes: dict[int, list[int]] = {}
    slot = {"2": 0, "3": 1, "1": 2}
    for row in iter_rows(path):
        bar.advance()
        index = slot.get(row.get("VoteTypeId", ""))
        post = parse_int(row.get("PostId"))
        if index is not None and post is not None:
            votes.setdefault(post, [0, 0, 0])[index] += 1
    bar.close()
    return votes


def _import_users(
    connection: Connection,
    path: Path,
    total: int,
    badges: dict[str, list[int]],
    site: str,
    batch_size: int,
    progress: ProgressFactory,
    report: ImportReport,
) -> dict[str, dict[str, Any]]:
    bar = progress("Users.xml", total, unit=_("members"))
    members: dict[str, dict[str, Any]] = {}
    batch: dict[str, Member] = {}

    def flush() -> None:
        with transaction.atomic():
            created, updated = _upsert_identities(connection, list(batch.values()))
        report.members_created += created
        report.members_updated += updated
        batch.clear()

    for row in iter_rows(path):
        bar.advance()
        member = map_user(row, site)
        if isinstance(member, MalformedItem):
            report.malformed.append(member)
            continue
        key = member.author.external_id
        batch[key] = member
        members[key] = {
            "reputation": member.reputation,
            "badges": badges.get(key, [0, 0, 0]),
            "account_id": member.account_id,
            "website": member.website,
            "score": 0,
            "up": 0,
            "down": 0,
            "accepted": 0,
        }
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    bar.close(
        note=_("%(new)s new, %(changed)s updated")
        % {"new": f"{report.members_created:,}", "changed": f"{report.members_updated:,}"}
    )
    return members


def _upsert_identities(connection: Connection, members: list[Member]) -> tuple[int, int]:
    """Create the identities (and persons) not seen yet, update the ones whose name or links changed."""
    fields = ("handle", "display_name", "profile_url", "avatar_url")
    keys = [m.author.external_id for m in members]
    existing: dict[str, Identity] = {}
    for start in range(0, len(keys), CHUNK):
        for identity in Identity.objects.filter(connection=connection, external_id__in=keys[start : start + CHUNK]):
            existing[identity.external_id] = identity
    new = [m for m in members if m.author.external_id not in existing]
    if new:
        persons = Person.objects.bulk_create(
            [Person(workspace_id=connection.workspace_id, display_name=m.author.display_name[:200]) for m in new],
            batch_size=CHUNK,
        )
        Identity.objects.bulk_create(
            [
                Identity(
                    workspace_id=connection.workspace_id,
                    connection=connection,
                    person=person,
                    external_id=m.author.external_id,
                    handle=m.author.handle[:255],
                    display_name=m.author.display_name[:255],
                    profile_url=m.author.profile_url[:500],
                    avatar_url=m.author.avatar_url[:500],
                )
                for m, person in zip(new, persons, strict=True)
            ],
            batch_size=CHUNK,
        )
    changed: list[Identity] = []
    renamed: dict[int, str] = {}
    for m in members:
        found = existing.get(m.author.external_id)
        if found is None:
            continue
        identity = found
        values = {
            "handle": m.author.handle[:255],
            "display_name": m.author.display_name[:255],
            # Without a site address this run, keep the links an earlier run made.
            "profile_url": m.author.profile_url[:500] or identity.profile_url,
            "avatar_url": m.author.avatar_url[:500],
        }
        if all(getattr(identity, key) == value for key, value in values.items()):
            continue
        if values["display_name"] != identity.display_name:
            renamed[identity.person_id] = identity.display_name
        for key, value in values.items():
            setattr(identity, key, value)
        changed.append(identity)
    Identity.objects.bulk_update(changed, fields, batch_size=CHUNK)
    if renamed:
        # A person keeps a name someone chose in Fédère; only the name that came from the network follows it.
        names = {i.person_id: i.display_name for i in changed if i.person_id in renamed}
        persons = [p for p in Person.objects.filter(pk__in=list(renamed)) if p.display_name == renamed[p.pk][:200]]
        for person in persons:
            person.display_name = names[person.pk][:200]
        Person.objects.bulk_update(persons, ["display_name"], batch_size=CHUNK)
    return len(new), len(changed)


def _store(connection: Connection, items: list[Item], report: ImportReport, run: SyncRun) -> None:
    with transaction.atomic():
        stats = ingest_items(connection, items)
    report.stored += stats.stored
    report.updated += stats.updated
    run.pages += 1
    run.fetched += len(items)
    run.stored += stats.stored
    run.updated += stats.updated


def _import_posts(
    connection: Connection,
    path: Path,
    total: int,
    votes: dict[int, list[int]],
    members: dict[str, dict[str, Any]],
    site: str,
    batch_size: int,
    progress: ProgressFactory,
    report: ImportReport,
    run: SyncRun,
) -> dict[int, int]:
    """Store questions and answers; returns the question id of every post stored (to thread the comments)."""
    bar = progress("Posts.xml", total, unit=_("posts"))
    threads: dict[int, int] = {}
    batch: list[Item] = []
    waiting: list[tuple[int, int, Item, dict[str, str]]] = []  # answers met before their question

    def keep(pid: int, question: int, item: Item, row: dict[str, str]) -> None:
        threads[pid] = question
        batch.append(item)
        if item.kind == "post":
            report.questions += 1
        else:
            report.answers += 1
        facts = members.get(item.author.external_id)
        if facts is not None:
            facts["score"] += parse_int(row.get("Score")) or 0
            up, down, accepted = votes.get(pid, (0, 0, 0))
            facts["up"] += up
            facts["down"] += down
            facts["accepted"] += accepted
        if len(batch) >= batch_size:
            _store(connection, batch, report, run)
            batch.clear()

    for row in iter_rows(path):
        bar.advance()
        kind = row.get("PostTypeId")
        if kind not in (QUESTION, ANSWER):
            report.skipped[_("posts that are not questions or answers (tag wikis…)")] += 1
            continue
        item = map_post(row, site)
        if isinstance(item, MalformedItem):
            report.malformed.append(item)
            continue
        pid = int(row["Id"])
        if kind == QUESTION:
            keep(pid, pid, item, row)
            continue
        question = int(item.parent_id.removeprefix("post:"))
        if threads.get(question) == question:
            keep(pid, question, item, row)
        else:
            waiting.append((pid, question, item, row))
    for pid, question, item, row in waiting:
        if threads.get(question) == question:
            keep(pid, question, item, row)
        else:
            report.skipped[_("answers to a question that is not in the dump")] += 1
    if batch:
        _store(connection, batch, report, run)
    bar.close()
    return threads


def _import_comments(
    connection: Connection,
    path: Path,
    total: int,
    threads: dict[int, int],
    site: str,
    batch_size: int,
    progress: ProgressFactory,
    report: ImportReport,
    run: SyncRun,
) -> None:
    bar = progress("Comments.xml", total, unit=_("comments"))
    batch: list[Item] = []
    for row in iter_rows(path):
        bar.advance()
        on_post = parse_int(row.get("PostId"))
        if on_post is not None and on_post not in threads:
            report.skipped[_("comments on a post that was not imported")] += 1
            continue
        item = map_comment(row, threads.get(on_post or 0, 0), site)
        if isinstance(item, MalformedItem):
            report.malformed.append(item)
            continue
        report.comments += 1
        batch.append(item)
        if len(batch) >= batch_size:
            _store(connection, batch, report, run)
            batch.clear()
    if batch:
        _store(connection, batch, report, run)
    bar.close()


def _update_person_clocks(connection: Connection) -> None:
    """First and last message of each person who wrote in this channel (they may also write elsewhere)."""
    spans = {
        row["author__person_id"]: (row["first"], row["last"])
        for row in Message.objects.filter(connection=connection, author__isnull=False)
        .values("author__person_id")
        .annotate(first=Min("posted_at"), last=Max("posted_at"))
    }
    ids = list(spans)
    for start in range(0, len(ids), CHUNK):
        stale = []
        for person in Person.objects.filter(pk__in=ids[start : start + CHUNK]).only("first_seen_at", "last_seen_at"):
            first, last = spans[person.pk]
            new_first = first if person.first_seen_at is None else min(first, person.first_seen_at)
            new_last = last if person.last_seen_at is None else max(last, person.last_seen_at)
            if (new_first, new_last) != (person.first_seen_at, person.last_seen_at):
                person.first_seen_at, person.last_seen_at = new_first, new_last
                stale.append(person)
        Person.objects.bulk_update(stale, ["first_seen_at", "last_seen_at"])


def _malformed_summary(malformed: list[MalformedItem]) -> str:
    reasons = Counter(m.reason for m in malformed)
    return "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common(5))


def _finish(connection: Connection, run: SyncRun, report: ImportReport, *, error: str) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"sync_state": SyncState.IDLE, "lease_expires_at": None, "next_sync_at": None}
    if error:
        fields.update(
            last_error=error[:2000], last_error_at=now, consecutive_failures=connection.consecutive_failures + 1
        )
    else:
        fields.update(last_success_at=now, last_error="", consecutive_failures=0)
    if report.malformed:
        fields.update(last_warning=_malformed_summary(report.malformed)[:2000], last_warning_at=now)
    Connection.objects.filter(pk=connection.pk).update(**fields)
    run.finished_at = now
    run.malformed = len(report.malformed)
    run.outcome = SyncRun.Outcome.FAILED if error else SyncRun.Outcome.OK
    run.error = error
    run.save()
    audit.record(
        "connection.sync_failed" if error else "connection.synced",
        workspace=connection.workspace,
        actor_label="cli:import",
        target=connection,
        details={
            "source": "stackexchange data dump",
            "stored": report.stored,
            "updated": report.updated,
            "malformed": len(report.malformed),
            "error": error,
        },
    )
