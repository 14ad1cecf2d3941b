"""People at scale on PostgreSQL: the list, a timeline, a full recompute and an incremental update.

    FEDERE_ENV=test .venv/bin/python bench/people.py                           # 100,000 persons, 5,000,000 messages
    FEDERE_ENV=test .venv/bin/python bench/people.py --persons 10000 --messages 500000   # quick

1. Creates a fresh database (``federe_bench_people`` by default: dropped and recreated; the name must contain
   "bench") and migrates it.
2. Generates, with ``COPY ... FROM STDIN`` (psycopg 3): one workspace with 5 channels, N persons, their
   identities (a fifth of the persons have a second identity on another channel, with the same handle; each
   stored with its match keys, as the ingest stores them), 10 %
   of the message count as conversations, the messages (authors drawn with a strong skew, so that a few persons
   write a lot; replies point at an earlier message of the same thread), and human moderation decisions on 1 %
   of the messages. The secondary indexes and constraints of the message and conversation tables are dropped
   during the load and rebuilt after it, as a bulk import would do. Then VACUUM ANALYZE: what autovacuum would
   have done on a live database (statistics, and the visibility map that index-only scans need); the
   development server runs with autovacuum off.
3. Times, through the real code (Django's test client for pages, so templates and middleware count):
   the people list (first page, and a page with several filters), the person page of the most active person
   and of a typical one, a timeline page deep in the most active person's history, the first full recompute
   (which also builds the reply links), a second full recompute, and an incremental update after 1,000 new
   messages (``people.engagement.scoring.update_for_messages``), plus the duplicate search and the signals refresh.
4. Drops the database (unless --keep).

A benchmark, not a test: it prints figures and fails only when something broke.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import throwaway_pg

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/federe_bench_people"
FIRST = ["Camille", "Léa", "Chloé", "Inès", "Zoé", "Hugo", "Théo", "Noé", "Jérôme", "Hélène", "Olivia", "Noah",
         "Ava", "James", "Mia", "Ethan", "Grace", "Leo", "Ruby", "Jack"]  # fmt: skip
LAST = ["Martin", "Petit", "Durand", "Lefèvre", "Roux", "Fournier", "Girard", "Mercier", "Blanc", "Faure",
        "Smith", "Brown", "Taylor", "Wilson", "Evans", "Clarke", "Wright", "Green", "Hall", "Baker"]  # fmt: skip


def out(text: str = "") -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- COPY helpers


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Table:
    """COPY into a model's table: the columns we generate, then every other column at its default."""

    def __init__(self, model: Any, generated: list[str]) -> None:
        from django.db import connection
        from django.db.models import JSONField

        self.table = model._meta.db_table
        concrete = {f.column: f for f in model._meta.concrete_fields}
        missing = [c for c in generated if c not in concrete]
        if missing:
            raise SystemExit(f"{self.table} has no column(s) {missing}: the bench is out of date.")
        self.others = [c for c in concrete if c not in generated]
        tail = []
        for column in self.others:
            field = concrete[column]
            default = field.get_default()
            if default is None or isinstance(field, JSONField):
                tail.append(_text(default))
            else:
                tail.append(_text(field.get_db_prep_save(default, connection)))
        self.columns = generated + self.others
        self.tail = ("\t" + "\t".join(tail)) if tail else ""

    def copy(self, cursor: Any, lines: Any) -> int:
        count = 0
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
            buffer: list[str] = []
            for line in lines:
                buffer.append(line + self.tail + "\n")
                count += 1
                if len(buffer) >= 20000:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
        return count


def drop_secondary(cursor: Any, table: str) -> list[str]:
    """Drop a table's foreign keys, unique constraints and secondary indexes; return the SQL to rebuild them."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
        [table],
    )
    constraints = cursor.fetchall()
    rebuild = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints]
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
        [table],
    )
    indexes = cursor.fetchall()
    for name, definition in indexes:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        rebuild.insert(0, definition)
    return rebuild


# --------------------------------------------------------------------------- generation


def generate(persons: int, messages: int, seed: int = 1) -> dict[str, Any]:
    from django.db import connection

    from federe.accounts.models import Membership, Role, User, Workspace
    from federe.connections.models import Connection
    from federe.inbox.models import Conversation, Message
    from federe.moderation.models import Decision
    from federe.people.identities import keys as match_keys
    from federe.people.models import Identity, Person

    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = now.isoformat()
    user = User.objects.create_user("bench", password="bench")
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    channels = [
        Connection.objects.create(workspace=workspace, network="dummy", name=f"Channel {i}", config={"seed": i})
        for i in range(5)
    ]
    ws = workspace.pk
    info: dict[str, Any] = {"workspace": workspace, "user": user}
    timings: dict[str, float] = {}

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg 3's own cursor, for COPY
        cursor.execute("SET maintenance_work_mem = '512MB'")

        started = time.perf_counter()
        table = Table(Person, ["id", "created_at", "updated_at", "workspace_id", "display_name"])
        table.copy(
            cursor,
            (
                f"{pk}\t{stamp}\t{stamp}\t{ws}\t{_text(rng.choice(FIRST) + ' ' + rng.choice(LAST))}"
                for pk in range(1, persons + 1)
            ),
        )
        # identities: one per person, and a second one (same handle, another channel) for a fifth of them
        identity_rows: list[tuple[int, int, int]] = []  # (identity id, person id, channel)
        for pk in range(1, persons + 1):
            identity_rows.append((len(identity_rows) + 1, pk, channels[pk % 5].pk))
            if pk % 5 == 0:
                identity_rows.append((len(identity_rows) + 1, pk, channels[(pk + 1) % 5].pk))

        def twin(pid: int) -> int:
            """One person in ten has a look-alike: the next person, on another channel, same handle and link."""
            return pid - 1 if pid % 10 == 1 and pid > 1 else pid

        table = Table(
            Identity,
            ["id", "created_at", "updated_at", "workspace_id", "connection_id", "person_id", "external_id",
             "handle", "display_name", "profile_url", "email", *match_keys.KEY_FIELDS],
        )  # fmt: skip

        def identity_line(iid: int, pid: int, conn: int) -> str:
            """The raw fields, then the match keys the ingest would store (people.identities.keys)."""
            email = f"m{twin(pid)}@example.org" if twin(pid) % 50 == 0 else ""
            raw = (f"member{twin(pid)}", f"Member {twin(pid)}", f"https://example.org/u/member{twin(pid)}", email)
            keys = match_keys.keys(email=email, handle=raw[0], display_name=raw[1], profile_url=raw[2])
            fields = (iid, stamp, stamp, ws, conn, pid, f"u{iid}", *raw, *(keys[k] for k in match_keys.KEY_FIELDS))
            return "\t".join(_text(v) for v in fields)

        table.copy(cursor, (identity_line(iid, pid, conn) for iid, pid, conn in identity_rows))
        timings["persons and identities"] = time.perf_counter() - started

        rebuild = drop_secondary(cursor, "inbox_message") + drop_secondary(cursor, "inbox_conversation")
        started = time.perf_counter()
        n_identities = len(identity_rows)
        conversations = max(messages // 10, 1)
        span = 730 * 86400
        base = now.timestamp() - span
        conv_table = Table(
            Conversation,
            ["id", "created_at", "updated_at", "workspace_id", "connection_id", "external_id", "title", "language",
             "status", "last_message_at"],
        )  # fmt: skip
        msg_table = Table(
            Message,
            ["id", "created_at", "updated_at", "workspace_id", "connection_id", "conversation_id", "external_id",
             "parent_external_id", "author_id", "direction", "kind", "body_html", "body_text", "language",
             "network_status", "url", "posted_at", "review"],
        )  # fmt: skip
        per_conv = [1 + int(rng.random() * 19) for _ in range(conversations)]
        total = sum(per_conv)
        scale = messages / total
        per_conv = [max(1, round(k * scale)) for k in per_conv]
        diff = messages - sum(per_conv)
        per_conv[-1] = max(1, per_conv[-1] + diff)
        channel_ids = [c.pk for c in channels]
        conv_lines: list[str] = []
        languages = ["fr"] * 6 + ["en"] * 3 + ["other"]

        def message_lines():
            mid = 0
            random_ = rng.random
            for cid in range(1, conversations + 1):
                start = base + random_() * (span - 3 * 86400)
                channel = channel_ids[cid % 5]
                language = languages[cid % 10]
                t = start
                first_ext = None
                externals: list[int] = []
                for k in range(per_conv[cid - 1]):
                    mid += 1
                    author = 1 + int(n_identities * random_() ** 3)
                    t += random_() * 7200
                    posted = datetime.fromtimestamp(t, UTC).isoformat()
                    if k == 0:
                        parent, kind = "", "post"
                        first_ext = mid
                    else:
                        parent, kind = str(externals[int(random_() * len(externals))]), "reply"
                    externals.append(mid)
                    roll = random_()
                    status = "published" if roll < 0.97 else ("spam" if roll < 0.99 else "held")
                    yield (
                        f"{mid}\t{stamp}\t{stamp}\t{ws}\t{channel}\t{cid}\t{mid}\t{parent}\t{author}\tin\t{kind}\t"
                        f"<p>Message {mid}</p>\tMessage {mid}\t{language}\t{status}\t\t{posted}\t"
                        f"{'pending' if status == 'held' else ''}"
                    )
                last = datetime.fromtimestamp(t, UTC).isoformat()
                conv_lines.append(
                    f"{cid}\t{stamp}\t{stamp}\t{ws}\t{channel}\tt{cid}\tThread {first_ext}\t{language}\tnew\t{last}"
                )

        count = msg_table.copy(cursor, message_lines())
        conv_table.copy(cursor, iter(conv_lines))
        timings["conversations and messages (COPY)"] = time.perf_counter() - started
        started = time.perf_counter()
        for statement in rebuild:
            cursor.execute(statement)
        timings["rebuilding indexes and constraints"] = time.perf_counter() - started

        started = time.perf_counter()
        decisions = max(count // 100, 1)
        table = Table(
            Decision, ["id", "created_at", "updated_at", "workspace_id", "message_id", "action", "actor_id", "reasons"]
        )
        table.copy(
            cursor,
            (
                f"{d}\t{datetime.fromtimestamp(base + rng.random() * span, UTC).isoformat()}\t{stamp}\t{ws}\t"
                f"{1 + int(rng.random() * count)}\t{'approve' if rng.random() < 0.8 else 'remove'}\t{user.pk}\t[]"
                for d in range(1, decisions + 1)
            ),
        )
        for model in (Person, Identity, Conversation, Message, Decision):
            t = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))")
        cursor.execute(
            "UPDATE people_person p SET first_seen_at = s.first, last_seen_at = s.last FROM ("
            " SELECT i.person_id, min(m.posted_at) AS first, max(m.posted_at) AS last"
            " FROM inbox_message m JOIN people_identity i ON i.id = m.author_id GROUP BY i.person_id) s"
            " WHERE p.id = s.person_id"
        )
        timings["decisions, person dates"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        timings["VACUUM ANALYZE"] = time.perf_counter() - started
    info.update(timings=timings, messages=count, conversations=conversations, identities=n_identities)
    return info


# --------------------------------------------------------------------------- timings


def timed(fn: Any, repeat: int = 1) -> tuple[float, Any]:
    """Median wall time in ms over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def measure(info: dict[str, Any]) -> list[tuple[str, float, str]]:
    from django.db import connection
    from django.test import Client

    from federe.inbox.models import Message
    from federe.people import queries, timelines
    from federe.people.engagement import community, scoring
    from federe.people.identities import suggestions
    from federe.people.models import Person

    workspace, user = info["workspace"], info["user"]
    rows: list[tuple[str, float, str]] = []

    ms, result = timed(lambda: scoring.recompute(workspace))
    rows.append(("full recompute, first (builds the reply links)", ms, f"{result.edges_added:,} reply links"))
    ms, result = timed(lambda: scoring.recompute(workspace))
    rows.append(("full recompute, again", ms, f"{result.persons:,} persons"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_replyedge")  # as autovacuum would after the links were built
        cursor.execute("VACUUM ANALYZE people_person")

    client = Client()
    client.force_login(user)
    base = f"/w/{workspace.slug}/people/"

    def page(path: str, params: dict[str, Any] | None = None) -> Any:
        response = client.get(path, params or {})
        assert response.status_code == 200, (path, response.status_code)
        return response

    page(base)  # warm up templates and caches
    ms, _response = timed(lambda: page(base), repeat=5)
    total = queries.persons(workspace, queries.PeopleFilters()).count()
    rows.append(("people list, first page (GET)", ms, f"{total:,} persons"))
    filtered = {"levels": ["regular", "champion"], "language": "fr", "seen_within_days": "365", "score_min": "1"}
    ms, _response = timed(lambda: page(base, filtered), repeat=5)
    matched = queries.persons(workspace, queries.PeopleFilters.from_params(filtered)).count()
    rows.append(("people list, filtered page (GET)", ms, f"{matched:,} match"))
    ms, _response = timed(lambda: page(base, {**filtered, "page": "3"}), repeat=5)
    rows.append(("people list, filtered, page 3 (GET)", ms, ""))

    busiest = Person.objects.filter(workspace=workspace).order_by("-score").first()
    count = Message.objects.filter(author__person=busiest).count()
    ms, _r = timed(lambda: page(f"{base}{busiest.pk}/"), repeat=5)
    rows.append(("person page with timeline, most active person (GET)", ms, f"{count:,} messages"))
    typical = Person.objects.filter(workspace=workspace, score__gt=0).order_by("score")[
        Person.objects.filter(workspace=workspace, score__gt=0).count() // 2
    ]
    count = Message.objects.filter(author__person=typical).count()
    ms, _r = timed(lambda: page(f"{base}{typical.pk}/"), repeat=5)
    rows.append(("person page with timeline, median person (GET)", ms, f"{count:,} messages"))
    cursor_at = ""
    for _ in range(20):  # walk 20 pages deep
        cursor_at = timelines.timeline(workspace, busiest, before=cursor_at).next_cursor
    ms, _r = timed(lambda: timelines.timeline(workspace, busiest, before=cursor_at), repeat=5)
    rows.append(("timeline page 21 of the most active person (query)", ms, "keyset"))

    # incremental: 1,000 new messages replying to existing ones, as a sync page would store them
    last = Message.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(7)
    sample = list(
        Message.objects.filter(pk__in=[rng.randint(1, last) for _ in range(1000)]).values(
            "connection_id", "conversation_id", "external_id", "author_id"
        )
    )
    now = datetime.now(UTC)
    new = Message.objects.bulk_create(
        Message(
            workspace=workspace,
            connection_id=row["connection_id"],
            conversation_id=row["conversation_id"],
            external_id=f"new{i}",
            parent_external_id=row["external_id"],
            author_id=1 + rng.randint(0, info["identities"] - 1),
            body_html="<p>new</p>",
            body_text="new",
            language="fr",
            posted_at=now - timedelta(seconds=i),
        )
        for i, row in enumerate(sample)
    )
    ms, touched = timed(lambda: scoring.update_for_messages(workspace, [m.pk for m in new]))
    rows.append(("incremental update after 1,000 new messages", ms, f"{touched:,} persons updated"))
    ms, touched = timed(lambda: scoring.update_for_messages(workspace, [m.pk for m in new[:50]]))
    rows.append(("incremental update after 50 new messages", ms, f"{touched:,} persons updated"))

    ms, found = timed(lambda: suggestions.refresh_suggestions(workspace, auto_merge=False))
    rows.append(("duplicate search (merge suggestions)", ms, f"{found.created:,} suggestions"))
    ms, found = timed(lambda: suggestions.refresh_suggestions(workspace, auto_merge=False))
    rows.append(("duplicate search again (nothing new)", ms, f"{found.created:,} created, {found.updated:,} changed"))
    ms, marked = timed(lambda: community.refresh(workspace))
    rows.append(("signals refresh (gone quiet, back)", ms, f"{marked['gone_quiet']:,} gone quiet"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=5_000_000)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_PEOPLE_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards (to explore it).")
    parser.add_argument("--generate-only", action="store_true", help="Generate the data, time nothing (with --keep).")
    args = parser.parse_args()

    throwaway_pg.create(args.postgres_url)
    throwaway_pg.start_django(args.postgres_url)
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
            settings = []
            for name in ("shared_buffers", "work_mem", "autovacuum"):
                cursor.execute(f"SHOW {name}")
                settings.append(f"{name}={cursor.fetchone()[0]}")
        started = time.perf_counter()
        info = generate(args.persons, args.messages)
        generation = time.perf_counter() - started
        rows = [] if args.generate_only else measure(info)
    finally:
        if not args.keep:
            throwaway_pg.remove(args.postgres_url)

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    out()
    out(f"Machine: {os.cpu_count()} cores, {cpu}; load average {os.getloadavg()[0]:.2f}; PostgreSQL {server}")
    out(f"         {', '.join(settings)}")
    out(
        f"Data: {args.persons:,} persons, {info['identities']:,} identities, {info['conversations']:,} conversations, "
        f"{info['messages']:,} messages; generated in {generation:.0f} s:"
    )
    for step, seconds in info["timings"].items():
        out(f"  {step:<42} {seconds:7.1f} s")
    out()
    width = max((len(r[0]) for r in rows), default=9)
    out(f"{'operation'.ljust(width)}  {'ms':>9}  note")
    for name, ms, note in rows:
        out(f"{name.ljust(width)}  {ms:9.1f}  {note}")
    out()
    out("Command: FEDERE_ENV=test .venv/bin/python bench/people.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
