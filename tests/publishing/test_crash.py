"""The crash test, small: real `federe worker` processes killed with SIGKILL (from outside at random moments, and
by their own hand between a network's answer and its commit), restarted; nothing is published twice and the
ledger agrees with the network (bench/publish_crash.py prints the counts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_killed_workers_publish_everything_exactly_once(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "publish_crash.py"),
            "-n",
            "30",
            "--kills",
            "5",
            "--self-kill",
            "0.15",
            "--spread",
            "5",
            "--folder",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        cwd=str(REPO),
    )
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    assert lines.get("duplicates") == "0", result.stdout + result.stderr
    assert lines.get("ledger agrees") == "yes", result.stdout
    assert lines.get("sent (ledger)") == "30", result.stdout
    assert lines.get("on the network", "").startswith("30 "), result.stdout
    assert result.returncode == 0, result.stdout
