"""Ingest benchmark: Fédère's real ingest path against the database's raw bulk load.

    FEDERE_ENV=test .venv/bin/python bench/ingest.py                 # N=100,000, both backends
    FEDERE_ENV=test .venv/bin/python bench/ingest.py -n 20000 --profile --backend postgres

For each backend the script runs itself in a subprocess (the database is chosen
through DATABASE_URL before Django starts), which:

1. creates a fresh database (PostgreSQL: DROP/CREATE ``federe_bench``; SQLite: a
   new WAL file under var/) and migrates it;
2. pre-generates N dummy-network items (untimed), served page by page by a tiny
   in-memory connector registered as network "bench";
3. times ``sync_connection`` end to end (claim, fetch, the ingest pipeline and
   the cursor in one transaction per page, finish): the *real ingest*;
4. reads back every row the sync wrote (persons, identities, conversations,
   messages, decisions, the sync's audit events), empties those tables, and times loading the same rows again in one
   transaction: PostgreSQL ``COPY ... FROM STDIN`` (psycopg 3), SQLite
   ``executemany`` INSERT (SQLite has no COPY): the *raw baseline*;
5. with --profile, empties the tables and re-runs the real ingest twice more:
   with wall-clock timers around each step of the ingest pipeline
   (``inbox.ingest.SYNC_STEPS``, by name, in the order they run: "where the time
   goes"), then under cProfile (top 25 functions by cumulative time).

This is a benchmark, not a test: it prints figures and asserts only that the
ingest stored everything.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import throwaway_pg

REPO = Path(__file__).resolve().parent.parent
RESULT_TAG = "@@bench-result "
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/federe_bench"
BACKENDS = ("postgres", "sqlite")


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor() or "unknown CPU",
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


# --------------------------------------------------------------------------- child


def _out(text: str = "") -> None:
    print(text, flush=True)


def _setup_django(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Create the database, point DATABASE_URL at it, start Django and migrate."""
    os.environ["FEDERE_ENV"] = "test"
    os.environ["DEBUG"] = "false"  # no query log
    os.environ["DJANGO_SETTINGS_MODULE"] = "federe.config.settings"
    # Production's default (tests turn the ingest worker processes off); FEDERE_INGEST_PROCESSES=0 measures without.
    os.environ.setdefault("FEDERE_INGEST_PROCESSES", "-1")
    info: dict[str, Any] = {}
    if backend == "postgres":
        import psycopg

        url = args.postgres_url
        throwaway_pg.create(url)
        os.environ["DATABASE_URL"] = url
        info["database"] = url
        info["psycopg"] = psycopg.__version__
    else:
        directory = Path(args.sqlite_dir).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"federe-bench-{os.getpid()}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        info["database"] = str(path)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    info["django"] = django.get_version()
    with connection.cursor() as cursor:
        if backend == "postgres":
            cursor.execute("SHOW server_version")
            info["server"] = f"PostgreSQL {cursor.fetchone()[0]}"
            shown = []
            for name in ("synchronous_commit", "autovacuum", "shared_buffers"):
                cursor.execute(f"SHOW {name}")
                shown.append(f"{name}={cursor.fetchone()[0]}")
            info["settings"] = ", ".join(shown)
        else:
            import sqlite3

            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
            info["server"] = f"SQLite {sqlite3.sqlite_version}"
            info["settings"] = f"journal_mode={journal}, synchronous={sync}"
    return info


def _teardown(backend: str, args: argparse.Namespace, info: dict[str, Any]) -> None:
    from django.db import connections

    connections.close_all()
    if backend == "postgres":
        throwaway_pg.drop(args.postgres_url)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{info['database']}{suffix}").unlink(missing_ok=True)


def _generate_items(count: int) -> list[Any]:
    from datetime import UTC, datetime

    from federe.connectors.dummy.mapping import map_item
    from federe.connectors.dummy.network import DummyNetwork
    from federe.connectors.types import Item

    network = DummyNetwork(
        seed=1,
        start=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        interval_seconds=60,
        brand="Café Lumière",
        french_share=0.5,
        total=count,
    )
    items = [map_item(network.item(index)) for index in range(count)]
    bad = [item for item in items if not isinstance(item, Item)]
    if bad:
        raise SystemExit(f"The dummy network produced {len(bad)} malformed items: {bad[:3]}")
    return items


def _bench_connector(items: list[Any]) -> None:
    """Register network "bench": serves the pre-built items, page_size at a time, no work."""
    from federe.connectors.base import Connector
    from federe.connectors.capabilities import Capability
    from federe.connectors.registry import register
    from federe.connectors.types import Batch

    class BenchConnector(Connector):
        key = "bench"
        label = "Benchmark (pre-generated dummy items)"
        capabilities = frozenset({Capability.READ})

        def fetch(self, cursor: dict[str, Any] | None) -> Batch:
            start = int((cursor or {}).get("position", 0))
            end = min(start + int(self.config["page_size"]), len(items))
            return Batch(items=items[start:end], cursor={"position": end}, has_more=end < len(items))

    register(BenchConnector)


# The moderation rules the demo sets up on day one (federe/core/demo.py), so that sync runs them.
DEMO_RULES: list[dict[str, Any]] = [
    {
        "name": "Spam : gains faciles",
        "match": "any",
        "conditions": [{"type": "words", "words": ["gagn*", "free followers", "crypto*", "$5000*"]}],
        "actions": [{"type": "spam"}],
    },
    {
        "name": "Insultes",
        "match": "any",
        "conditions": [{"type": "words", "words": ["idiot*", "incapable*", "arnaque", "nul"]}],
        "actions": [{"type": "hold"}],
    },
    {
        "name": "Coordonnées personnelles",
        "match": "any",
        "conditions": [{"type": "contact"}],
        "actions": [{"type": "label", "label": "coordonnées"}],
    },
]


# Audit events with a larger id than this were written by the sync (the set-up writes a few before).
_AUDIT_MARK = 0


def _mark_audit_log() -> None:
    global _AUDIT_MARK
    from django.db.models import Max

    from federe.core.models import AuditEvent

    _AUDIT_MARK = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def _content_models() -> list[Any]:
    """The tables a sync writes per item, parents first."""
    from federe.core.models import AuditEvent
    from federe.inbox.models import Conversation, Message
    from federe.listening.models import Mention
    from federe.moderation.models import Decision
    from federe.nlp.models import Wave, WaveSignature
    from federe.people.models import Identity, Person, ReplyEdge
    from federe.search.models import SearchDocument

    return [
        Person, Identity, Conversation, Wave, Message, SearchDocument, Decision, AuditEvent, WaveSignature, Mention,
        ReplyEdge,
    ]  # fmt: skip


def _where(model: Any) -> str:
    """SQL restricting a content table to the sync's rows (all of them, but for the audit log)."""
    return f"WHERE id > {int(_AUDIT_MARK)}" if model._meta.db_table == "core_auditevent" else ""


def _counts() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for model in _content_models():
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table} {_where(model)}")
            counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


def _empty_content_tables(backend: str) -> None:
    from django.db import connection, transaction

    from federe.inbox.models import Reply

    models = [Reply, *reversed(_content_models())]
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            if _where(model):
                cursor.execute(f"DELETE FROM {model._meta.db_table} {_where(model)}")
        tables = [m._meta.db_table for m in models if not _where(m)]
        if backend == "postgres":
            # CASCADE: any other table pointing at these is empty in the bench database.
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            # Rows that point at the content (waves, mentions, labels, people's derived tables) go first.
            from django.apps import apps

            content = {m._meta.db_table for m in models}
            for model in apps.get_models():
                label = model._meta.app_label
                if label in ("nlp", "listening", "people") and model._meta.db_table not in content:
                    cursor.execute(f"DELETE FROM {model._meta.db_table}")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


#: (messages stored so far, seconds since the sync started, each step's seconds so far) after each page of the
#: last real ingest.
PAGE_ENDS: list[tuple[int, float, dict[str, float]]] = []
#: How busy each core of the machine was during the last real ingest (share of its time, every process counted).
CORES_BUSY: list[float] = []


def _core_times() -> list[tuple[int, int]]:
    """(busy, total) jiffies of each core since boot, from /proc/stat (empty where there is none)."""
    out = []
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            numbers = [int(v) for v in values]
            idle = numbers[3] + (numbers[4] if len(numbers) > 4 else 0)  # idle + iowait
            out.append((sum(numbers) - idle, sum(numbers)))
    return out


#: ANALYZEs run by the benchmark in place of autovacuum, and their seconds (counted in the real ingest's time).
ANALYSED: dict[str, float] = {}


def _autovacuum_off() -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "off"


def _analyse_as_autovacuum_would() -> None:
    """A production server runs autovacuum, which analyses a table once more than 50 rows plus 10 % of it changed
    since its last analysis (``autovacuum_analyze_threshold``, ``autovacuum_analyze_scale_factor``). With
    autovacuum off (the local test server), the same rule is applied here after each page, in this process: the
    planner then sees the tables' sizes as a live server's would, and the time it takes counts in the ingest."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
            " WHERE s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0)"
        )
        for (table,) in cursor.fetchall():
            started = time.perf_counter()
            cursor.execute(f'ANALYZE "{table}"')
            ANALYSED[table] = ANALYSED.get(table, 0.0) + time.perf_counter() - started


def _real_ingest(connection_id: int, pages: int) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of this (Python) process, and the sync's outcome; each page's end in PAGE_ENDS."""
    from django.test import override_settings

    from federe.connections import services
    from federe.connections.services import sync_connection

    store_page = services._store_page
    PAGE_ENDS.clear()
    steps = _Timers()  # a clock read before and after each step: no measurable cost
    _time_steps(steps)

    analyse = _autovacuum_off()

    def noted(*args: Any, **kwargs: Any) -> Any:
        stats = store_page(*args, **kwargs)
        if analyse:
            _analyse_as_autovacuum_would()
        stored = (PAGE_ENDS[-1][0] if PAGE_ENDS else 0) + stats.stored
        PAGE_ENDS.append((stored, time.perf_counter() - started, dict(steps.seconds)))
        return stats

    services._store_page = noted  # type: ignore[assignment]
    try:
        with override_settings(FEDERE_SYNC_MAX_PAGES=pages + 1):
            cores = _core_times()
            cpu = time.process_time()
            started = time.perf_counter()
            outcome = sync_connection(connection_id, worker_id="bench")
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            CORES_BUSY[:] = [
                (busy - b0) / max(1, total - t0) for (b0, t0), (busy, total) in zip(cores, _core_times(), strict=False)
            ]
    finally:
        services._store_page = store_page  # type: ignore[assignment]
        steps.restore()
    return elapsed, cpu, outcome


def _growth(backend: str, count: int, directory: Path) -> list[tuple[int, float]]:
    """msg/s in each tenth of the run, by messages stored at its end; printed, and drawn as an SVG."""
    if not PAGE_ENDS:
        return []
    tenths: list[tuple[int, float]] = []
    per_step: list[dict[str, float]] = []  # each step's µs per message, in each tenth
    done, since, before = 0, 0.0, {}
    for stored, at, seconds in PAGE_ENDS:
        if stored >= (len(tenths) + 1) * count / 10 or stored == PAGE_ENDS[-1][0]:
            tenths.append((stored, (stored - done) / max(at - since, 1e-9)))
            per_step.append({k: (v - before.get(k, 0.0)) * 1e6 / max(stored - done, 1) for k, v in seconds.items()})
            done, since, before = stored, at, seconds
    _out(f"[{backend}] msg/s by messages stored: " + ", ".join(f"{n:,}: {rate:,.0f}" for n, rate in tenths))
    # The first tenth pays for loading the classifiers: the second is the reference.
    second = 1 if len(tenths) > 2 else 0
    _out(f"[{backend}] msg/s of the last tenth / of the second: {tenths[-1][1] / tenths[second][1]:.2f}")
    growing = sorted(per_step[-1], key=lambda k: per_step[second].get(k, 0.0) - per_step[-1][k])
    _out(
        f"[{backend}] µs per message, second tenth → last tenth: "
        + ", ".join(
            f"{k.removeprefix('step:')} {per_step[second].get(k, 0):,.0f} → {per_step[-1][k]:,.0f}" for k in growing
        )
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"ingest-growth-{backend}-{count}.svg"
    path.write_text(_svg(tenths, f"{backend}: msg/s by messages stored ({count:,})"))
    _out(f"[{backend}] plot: {path}")
    return tenths


def _svg(points: list[tuple[int, float]], title: str) -> str:
    """A plain line chart: x messages stored, y msg/s from 0."""
    width, height, left, bottom = 640, 320, 60, 40
    top = max(rate for _n, rate in points) * 1.1
    right = points[-1][0]

    def x(n: float) -> float:
        return left + (width - left - 20) * n / right

    def y(rate: float) -> float:
        return height - bottom - (height - bottom - 30) * rate / top

    line = " ".join(f"{x(n):.1f},{y(rate):.1f}" for n, rate in points)
    ticks = "".join(
        f'<text x="{left - 6}" y="{y(top * k / 4):.1f}" text-anchor="end" font-size="11">{top * k / 4:,.0f}</text>'
        for k in range(5)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif">'
        f'<text x="{left}" y="18" font-size="13">{title}</text>{ticks}'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 20}" y2="{height - bottom}" stroke="#555"/>'
        f'<line x1="{left}" y1="30" x2="{left}" y2="{height - bottom}" stroke="#555"/>'
        f'<text x="{width - 20}" y="{height - 12}" text-anchor="end" font-size="11">{right:,} messages</text>'
        f'<polyline points="{line}" fill="none" stroke="#2563eb" stroke-width="2"/></svg>'
    )


def _check_outcome(outcome: Any, count: int) -> None:
    if outcome is None:
        raise SystemExit("sync_connection did not claim the connection.")
    if outcome.run.error or outcome.run.stored != count:
        raise SystemExit(f"Ingest stored {outcome.run.stored}/{count} (error: {outcome.run.error!r}).")


def _raw_load(backend: str) -> dict[str, Any]:
    """Read back what ingest wrote, empty the tables, and time loading the same rows again."""
    from django.db import connection, transaction
    from django.db.models import JSONField

    qn = connection.ops.quote_name
    data = []
    with connection.cursor() as cursor:
        for model in _content_models():
            fields = model._meta.concrete_fields
            column_sql = ", ".join(qn(f.column) for f in fields)
            cursor.execute(f"SELECT {column_sql} FROM {qn(model._meta.db_table)} {_where(model)} ORDER BY 1")
            rows = cursor.fetchall()
            json_columns = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
            if backend == "postgres" and json_columns:
                from psycopg.types.json import Jsonb

                rows = [tuple(Jsonb(v) if i in json_columns else v for i, v in enumerate(row)) for row in rows]
            data.append((model._meta.db_table, column_sql, len(fields), rows))
    _empty_content_tables(backend)

    per_table: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, column_sql, width, rows in data:
            table_started = time.perf_counter()
            if backend == "postgres":
                with cursor.cursor.copy(f"COPY {qn(table)} ({column_sql}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * width)
                cursor.executemany(f"INSERT INTO {qn(table)} ({column_sql}) VALUES ({placeholders})", rows)
            per_table[table] = time.perf_counter() - table_started
        before_commit = time.perf_counter()
    elapsed = time.perf_counter() - started
    per_table["commit (deferred FK checks, WAL flush)"] = elapsed - (before_commit - started)
    return {"seconds": elapsed, "per_table": per_table, "rows": {t: len(r) for t, _c, _w, r in data}}


class _Timers:
    """Wall-clock time spent in chosen functions, measured by wrapping them (no cProfile overhead)."""

    def __init__(self) -> None:
        from collections import Counter, defaultdict

        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._active: set[str] = set()
        self._patches: list[tuple[Any, str, Any, bool]] = []

    def wrap(self, owner: Any, attr: str, name: Any) -> None:
        """``name`` is a label, or a function of the call's arguments that returns one."""
        if not hasattr(owner, attr):  # the code moved on: time what still exists
            return
        self.replace(owner, attr, self.timed(getattr(owner, attr), name))

    def replace(self, owner: Any, attr: str, value: Any) -> None:
        """Set ``owner.attr`` until restore()."""
        self._patches.append((owner, attr, getattr(owner, attr), attr in vars(owner)))
        setattr(owner, attr, value)

    def timed(self, original: Any, name: Any) -> Any:
        """``original`` with its time added under ``name`` (a label, or a function of the call's arguments)."""
        timers = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            label = name(*args) if callable(name) else name
            if label in timers._active:  # recursion: count the outer call only
                return original(*args, **kwargs)
            timers._active.add(label)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers.seconds[label] += time.perf_counter() - started
                timers.calls[label] += 1
                timers._active.discard(label)

        return timed

    def sql(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """A django execute_wrapper: time every statement, by verb and table."""
        import re

        verb = sql.lstrip().split(None, 1)[0].upper()
        table = re.search(r'(?:INTO|UPDATE|FROM)\s+"?(\w+)"?', sql, re.IGNORECASE)
        label = f"SQL {verb} {table.group(1) if table else '?'}"
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[label] += time.perf_counter() - started
            self.calls[label] += 1

    def restore(self) -> None:
        for owner, attr, original, own in reversed(self._patches):
            if own:
                setattr(owner, attr, original)
            else:
                delattr(owner, attr)
        self._patches.clear()


# Lines shown under a pipeline step, (label, timer key): the parts of a step worth seeing on their own.
STEP_DETAILS: dict[str, list[tuple[str, str]]] = {
    "store_messages": [
        ("Conversation rows.create (new threads)", "Conversation rows.create"),
        ("Message rows.create", "Message rows.create"),
    ],
    "move_clocks": [("Conversation bulk_update", "Conversation.bulk_update")],
    "moderate": [
        ("active_versions (rules)", "active_versions"),
        ("rules.facts_for (incl. first-message query)", "facts_for"),
        ("rules.first_verdict_and_sides (evaluate rules)", "first_verdict_and_sides"),
        ("Decision bulk_create", "Decision.bulk_create"),
        ("_audit_rule_decisions (an audit event per decision)", "_audit_rule_decisions"),
    ],
}


def _pipeline_steps() -> list[str]:
    from federe.inbox import ingest

    return [step.__name__ for step in ingest.SYNC_STEPS]


def _time_steps(timers: _Timers) -> None:
    """Each step of the ingest pipeline timed under its own name (the pipeline reads SYNC_STEPS at each page)."""
    from federe.inbox import ingest

    timers.replace(ingest, "SYNC_STEPS", tuple(timers.timed(s, f"step:{s.__name__}") for s in ingest.SYNC_STEPS))


def _instrumented_ingest(connection_id: int, pages: int) -> tuple[float, Any, _Timers]:
    from django.db import connections
    from django.db.models.query import QuerySet

    import federe.connections.services as services
    import federe.core.rows as rows
    import federe.moderation.rules as rules
    import federe.moderation.services as moderation

    timers = _Timers()
    _time_steps(timers)
    timers.wrap(services, "_store_page", "_store_page")
    timers.wrap(moderation, "active_versions", "active_versions")
    timers.wrap(moderation, "_audit_rule_decisions", "_audit_rule_decisions")
    timers.wrap(rules, "facts_for", "facts_for")
    timers.wrap(rules, "first_verdict_and_sides", "first_verdict_and_sides")
    timers.wrap(QuerySet, "bulk_create", lambda qs, *a: f"{qs.model.__name__}.bulk_create")
    timers.wrap(rows, "create", lambda objs, *a: f"{type(objs[0]).__name__ if objs else ''} rows.create")
    timers.wrap(QuerySet, "bulk_update", lambda qs, *a: f"{qs.model.__name__}.bulk_update")
    database = connections["default"]
    timers.wrap(database, "commit", "commit")
    try:
        with database.execute_wrapper(timers.sql):
            seconds, _cpu, outcome = _real_ingest(connection_id, pages)
    finally:
        timers.restore()
    timers.seconds["total"] = seconds
    return seconds, outcome, timers


def _breakdown_rows(timers: _Timers) -> list[tuple[str, str]]:
    """(label, timer key) in report order: indentation shows what is part of what."""
    rows = [("sync_connection, whole run", "total"), ("  _store_page: the pipeline + cursor, per page", "_store_page")]
    for name in _pipeline_steps():
        rows.append((f"    {name}", f"step:{name}"))
        rows.extend((f"      {label}", key) for label, key in STEP_DETAILS.get(name, []))
    rows.append(("  page commits", "commit"))
    return rows


def _breakdown_text(timers: _Timers, count: int) -> tuple[str, list[list[Any]]]:
    total = timers.seconds["total"]
    rows: list[list[Any]] = []
    for label, key in _breakdown_rows(timers):
        rows.append([label, timers.seconds.get(key, 0.0), timers.calls.get(key, 1 if key == "total" else 0)])
    sql = sorted(((k, v) for k, v in timers.seconds.items() if k.startswith("SQL ")), key=lambda kv: -kv[1])
    sql_total = sum(v for _k, v in sql)
    commit = timers.seconds.get("commit", 0.0)
    rows.append(["database: all SQL statements (driver + server)", sql_total, sum(timers.calls[k] for k, _v in sql)])
    rows.extend([f"  {key[4:]}", seconds, timers.calls[key]] for key, seconds in sql[:8])
    rows.append(["database: commits", commit, timers.calls.get("commit", 0)])
    rows.append(["Python outside the database (ORM, Fédère, nh3, ...)", total - sql_total - commit, 0])
    lines = [
        f"  {label:<56} {seconds:8.2f} s {seconds / total:6.1%} {seconds / count * 1e6:9.1f} µs/msg {calls:>8,} calls"
        for label, seconds, calls in rows
    ]
    header = (
        f"  (wall clock for {count:,} messages, no profiler; indented lines are parts of the line above; "
        "µs/msg = time / messages)"
    )
    return "\n".join([header, *lines]), rows


def _profile_text(profile: Any) -> str:
    import io
    import pstats

    stream = io.StringIO()
    pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(
        int(os.environ.get("BENCH_PROFILE_LINES", "25"))
    )
    text = stream.getvalue()
    for prefix in sorted({p for p in sys.path if p}, key=len, reverse=True):
        text = text.replace(prefix.rstrip("/") + "/", "")
    return text.strip("\n")


def _reset_for_rerun(backend: str, connection_id: int) -> None:
    from federe.connections.models import Connection

    _empty_content_tables(backend)
    Connection.objects.filter(pk=connection_id).update(cursor={})


def run_child(backend: str, args: argparse.Namespace) -> int:
    count, page_size = args.count, args.page_size
    pages = math.ceil(count / page_size)
    info = _setup_django(backend, args)
    try:
        _out(f"[{backend}] database {info['database']} ({info['server']}, {info['settings']})")
        started = time.perf_counter()
        items = _generate_items(count)
        _out(f"[{backend}] generated {count:,} dummy items in {time.perf_counter() - started:.1f} s (untimed)")
        _bench_connector(items)

        from federe.accounts.services import create_user, create_workspace
        from federe.connections.services import create_connection

        owner = create_user("bench-owner", "bench-password-not-secret")
        workspace = create_workspace(name="Bench", owner=owner)
        connection = create_connection(
            workspace=workspace,
            network="bench",
            name="Bench channel",
            config={"page_size": page_size},
            credentials={},
            by=owner,
        )
        if args.rules == "demo":
            from federe.moderation.services import save_rule

            for rule in DEMO_RULES:
                save_rule(workspace=workspace, by=owner, **rule)
        info["rules"] = f"{len(DEMO_RULES)} demo moderation rules" if args.rules == "demo" else "no moderation rules"

        _mark_audit_log()
        real_seconds, real_cpu, outcome = _real_ingest(connection.pk, pages)
        _check_outcome(outcome, count)
        counts = _counts()
        _out(
            f"[{backend}] real ingest: {count:,} messages in {real_seconds:.2f} s "
            f"= {count / real_seconds:,.0f} msg/s ({outcome.run.pages} pages; {real_cpu:.2f} s CPU in Python); "
            f"rows: {counts}"
        )
        from federe.inbox.prepare import processes

        _out(
            f"[{backend}] ingest worker processes (inbox.prepare): {processes()}; cores busy during the real ingest: "
            + ", ".join(f"{b:.0%}" for b in CORES_BUSY)
        )
        if ANALYSED:
            _out(
                f"[{backend}] autovacuum is off on this server: the bench analysed the tables as it would, "
                f"{sum(ANALYSED.values()):.2f} s in all ({len(ANALYSED)} tables), counted in the real ingest"
            )
        growth = _growth(backend, count, Path(args.sqlite_dir))

        raw = _raw_load(backend)
        if _counts() != counts:
            raise SystemExit(f"Raw load wrote {_counts()}, expected {counts}.")
        method = "COPY FROM STDIN" if backend == "postgres" else "executemany INSERT (no COPY in SQLite)"
        detail = ", ".join(f"{table} {seconds:.2f} s" for table, seconds in raw["per_table"].items())
        _out(
            f"[{backend}] raw {method}: same rows in {raw['seconds']:.2f} s "
            f"= {count / raw['seconds']:,.0f} msg/s ({detail})"
        )

        result: dict[str, Any] = {
            "backend": backend,
            "count": count,
            "page_size": page_size,
            "pages": outcome.run.pages,
            "real_seconds": real_seconds,
            "real_cpu_seconds": real_cpu,
            "cores_busy": list(CORES_BUSY),
            "raw_method": method,
            "raw_seconds": raw["seconds"],
            "raw_per_table": raw["per_table"],
            "rows": counts,
            "growth": growth,
            **info,
        }

        if args.profile:
            import cProfile

            _reset_for_rerun(backend, connection.pk)
            seconds, outcome, timers = _instrumented_ingest(connection.pk, pages)
            _check_outcome(outcome, count)
            text, rows = _breakdown_text(timers, count)
            _out(
                f"[{backend}] where the time goes (instrumented re-run: {seconds:.2f} s "
                f"= {count / seconds:,.0f} msg/s):"
            )
            _out(text)
            result["breakdown"] = rows

            _reset_for_rerun(backend, connection.pk)
            profile = cProfile.Profile()
            profile.enable()
            seconds, _cpu, outcome = _real_ingest(connection.pk, pages)
            profile.disable()
            _check_outcome(outcome, count)
            _out(
                f"[{backend}] cProfile of the real ingest ({seconds:.2f} s with profiler overhead), "
                "top 25 by cumulative time:"
            )
            _out(_profile_text(profile))
        _out(RESULT_TAG + json.dumps(result))
    finally:
        _teardown(backend, args, info)
    return 0


# --------------------------------------------------------------------------- parent


def reproduce_command(args: argparse.Namespace) -> str:
    parts = [
        "FEDERE_ENV=test",
        ".venv/bin/python",
        "bench/ingest.py",
        "-n",
        str(args.count),
        "--page-size",
        str(args.page_size),
        "--backend",
        args.backend,
    ]
    if args.rules != "demo":
        parts += ["--rules", args.rules]
    if args.profile:
        parts.append("--profile")
    if args.postgres_url != DEFAULT_POSTGRES_URL:
        parts += ["--postgres-url", args.postgres_url]
    return f"cd {shlex.quote(str(REPO))} && " + " ".join(shlex.quote(p) for p in parts)


def run_parent(args: argparse.Namespace) -> int:
    args.load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    backends = BACKENDS if args.backend == "all" else (args.backend,)
    results: dict[str, dict[str, Any]] = {}
    failed = []
    for backend in backends:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            backend,
            "-n",
            str(args.count),
            "--page-size",
            str(args.page_size),
            "--postgres-url",
            args.postgres_url,
            "--sqlite-dir",
            args.sqlite_dir,
        ]
        command += ["--rules", args.rules]
        if args.profile:
            command.append("--profile")
        env = {**os.environ, "FEDERE_ENV": "test", "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(RESULT_TAG):
                results[backend] = json.loads(line[len(RESULT_TAG) :])
            else:
                print(line, end="", flush=True)
        if process.wait() != 0 or backend not in results:
            failed.append(backend)
    print_summary(args, results, failed)
    return 1 if failed else 0


def print_summary(args: argparse.Namespace, results: dict[str, dict[str, Any]], failed: list[str]) -> None:
    m = machine()
    any_result = next(iter(results.values()), {})
    pages = math.ceil(args.count / args.page_size)
    versions = [f"Python {m['python']}", f"Django {any_result.get('django', '?')}"]
    if "postgres" in results:
        versions += [f"psycopg {results['postgres'].get('psycopg', '?')}", results["postgres"]["server"]]
    if "sqlite" in results:
        versions.append(results["sqlite"]["server"])
    print()
    print("=" * 100)
    print("Fédère ingest benchmark")
    print(f"Machine: {m['cores']} cores (os.cpu_count), {m['cpu']}, {m['memory']}, {m['platform']}")
    if args.load_at_start is not None:
        now = os.getloadavg()[0]
        print(
            f"Load average (1 min): {args.load_at_start:.2f} at start, {now:.2f} at end "
            "(anything else running shares the cores with Python and the database)"
        )
    print("Versions: " + ", ".join(versions))
    print(f"N = {args.count:,} dummy messages, page size {args.page_size:,} ({pages:,} pages, one transaction each)")
    print(
        "Real ingest = sync_connection() end to end: sanitise, text, language, persons/identities, "
        f"conversations, messages, moderation ({any_result.get('rules', '?')}), cursor; one transaction a page."
    )
    print(
        "Raw baseline = the very rows the sync wrote (persons, identities, conversations, messages, "
        "decisions, audit events; with ids), reloaded into the same emptied tables (same indexes, FKs) in one "
        "transaction."
    )
    print()
    print(f"{'backend':<9} {'real ingest':>14} {'raw baseline':>14} {'ratio':>7}  raw method")
    for backend in BACKENDS:
        if backend not in results:
            continue
        r = results[backend]
        real = r["count"] / r["real_seconds"]
        raw = r["count"] / r["raw_seconds"]
        print(f"{backend:<9} {real:>8,.0f} msg/s {raw:>8,.0f} msg/s {real / raw:>7.3f}  {r['raw_method']}")
    for backend in failed:
        print(f"{backend:<9} FAILED (see its output above)")
    print("ratio = real / raw; the goal is >= 0.5.")
    for backend in BACKENDS:
        if backend in results:
            r = results[backend]
            tables = ", ".join(f"{t} {s:.2f} s" for t, s in r["raw_per_table"].items())
            print(
                f"{backend}: real {r['real_seconds']:.2f} s ({r['real_cpu_seconds']:.2f} s CPU in the Python process), "
                f"raw {r['raw_seconds']:.2f} s ({tables}); "
                f"rows {r['rows']}; {r['settings']}"
            )
    print(f"Reproduce: {reproduce_command(args)}")
    print("=" * 100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--count", type=int, default=100_000, help="messages to ingest (100000)")
    parser.add_argument("--page-size", type=int, default=1000, help="items per fetched page (1000)")
    parser.add_argument("--backend", choices=("all", *BACKENDS), default="all")
    parser.add_argument(
        "--profile", action="store_true", help="also run the real ingest under cProfile and print where time goes"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="database to DROP and recreate (its name must contain 'bench'); env BENCH_POSTGRES_URL",
    )
    parser.add_argument(
        "--sqlite-dir", default=str(REPO / "var" / "bench"), help="where the throw-away SQLite file goes (var/bench)"
    )
    parser.add_argument(
        "--rules",
        choices=("demo", "none"),
        default="demo",
        help="moderation rules in the workspace: the demo's three (default) or none",
    )
    parser.add_argument("--child", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count < 1 or args.page_size < 1:
        parser.error("-n and --page-size must be positive")
    if args.child:
        return run_child(args.child, args)
    code = run_parent(args)
    sqlite_dir = Path(args.sqlite_dir)
    if sqlite_dir.is_dir() and not any(sqlite_dir.iterdir()):
        sqlite_dir.rmdir()  # created by this run, left empty by the child's clean-up
    return code


if __name__ == "__main__":
    sys.exit(main())
