"""What bench/publish.py and bench/publish_crash.py share: a throw-away SQLite database, a workspace with dummy
channels, deliveries due when asked (written in bulk: the setup is not what is measured), `federe worker`
processes, and reading the ledger back. Not a benchmark itself."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FEDERE = str(REPO / ".venv" / "bin" / "federe")


def configure(folder: str | None = None, **env: str) -> dict[str, str]:
    """Point this process (and the workers it starts) at a fresh SQLite file; returns the workers' environment."""
    base = Path(folder or tempfile.mkdtemp(prefix="federe-publish-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "FEDERE_ENV": "test",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "federe.config.settings",
            "DATABASE_URL": f"sqlite:///{base / 'publish.sqlite3'}",
            "FEDERE_DATA_DIR": str(base),
            "FEDERE_PUBLISH_POLL_SECONDS": "0.2",
            **env,
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return dict(os.environ)


def make_deliveries(
    count: int, channels: int, lead_seconds: float, spread_seconds: float, config: dict[str, Any]
) -> datetime:
    """``count`` deliveries over ``channels`` dummy channels (one post per ``channels`` deliveries), due evenly over
    ``spread_seconds`` from ``lead_seconds`` after they are all written (written in bulk, not claimable until one
    last UPDATE gives them their times, as the services would have left them). Returns the first due time."""
    from federe.accounts.models import Workspace
    from federe.connections.models import Connection

    workspace = Workspace.objects.create(slug="bench", name="Bench")
    Connection.objects.bulk_create(
        [
            Connection(workspace=workspace, network="dummy", name=f"Channel {n}", config={"total": 0, **config})
            for n in range(channels)
        ]
    )
    links = list(Connection.objects.filter(workspace=workspace).order_by("id"))
    return deliveries_on(links, count, lead_seconds, spread_seconds)


def deliveries_on(
    links: list[Any], count: int, lead_seconds: float, spread_seconds: float, text: Any = None
) -> datetime:
    """``count`` deliveries over the channels ``links`` (one post per ``len(links)`` deliveries), due evenly as
    make_deliveries says. ``text(index)`` gives a delivery's variant text and title (default: its post's)."""
    from django.db.models import F
    from django.utils import timezone

    from federe.publishing.models import Delivery, Post, PostStatus, Variant

    workspace = links[0].workspace
    channels = len(links)
    step = spread_seconds / max(count - 1, 1)
    base = datetime(2000, 1, 1, tzinfo=UTC)
    posts = Post.objects.bulk_create(
        [
            Post(
                workspace=workspace,
                body=f"Post {n}",
                title=f"Post {n}",
                status=PostStatus.SCHEDULED,
                scheduled_at=base + timedelta(seconds=n * channels * step),
            )
            for n in range(-(-count // channels))
        ],
        batch_size=500,
    )
    variants = Variant.objects.bulk_create(
        [
            Variant(
                workspace=workspace,
                post=posts[index // channels],
                connection=links[index % channels],
                body_text=text(index) if text else posts[index // channels].body,
                title=text(index) if text else posts[index // channels].title,
            )
            for index in range(count)
        ],
        batch_size=500,
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                workspace=workspace,
                post=v.post,
                variant=v,
                connection=v.connection,
                due_at=base + timedelta(seconds=index * step),
                next_attempt_at=None,  # not claimable yet
            )
            for index, v in enumerate(variants)
        ],
        batch_size=500,
    )
    first_due = timezone.now() + timedelta(seconds=lead_seconds)
    shift = first_due - base
    Post.objects.filter(workspace=workspace).update(scheduled_at=F("scheduled_at") + shift)
    Delivery.objects.filter(workspace=workspace).update(due_at=F("due_at") + shift, next_attempt_at=F("due_at") + shift)
    return first_due


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen[bytes]:
    """A real `federe worker` process (its own Python, its own database connection), its output in ``log``."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            [FEDERE, "worker", "--worker-id", name, "--interval", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=str(REPO),
        )


def wait_started(worker: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> bool:
    """Wait until the worker's log says it started; False if it died first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and b" started" in log.read_bytes():
            return True
        if worker.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def cpu_seconds(pid: int) -> float | None:
    """A running process's CPU time so far (user + system), from /proc; None where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ledger() -> list[dict[str, Any]]:
    from federe.publishing.models import Delivery

    return list(Delivery.objects.values("id", "state", "due_at", "sent_at", "key", "external_id", "attempts"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
