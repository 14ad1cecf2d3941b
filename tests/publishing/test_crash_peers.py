"""Publishing on the real servers of ../shared/peers that run (bench/publish_crash.py --peers, which reads each
SERVER back, not the ledger): one post with a variant per server reaches each exactly once; and the crash test,
small: real `federe worker` processes killed with SIGKILL (from outside, and between a network's answer and its
commit), restarted; nothing is published twice, nothing is missing, the ledger agrees with every server.

    ../shared/peers/run-all.sh …  or  ../shared/peers/<name>/<name>-ci.sh start   # whichever servers run
    FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/publishing/test_crash_peers.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.peers


def crash_bench(folder: Path, *options: str) -> tuple[dict[str, str], list[str], str]:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "publish_crash.py"), "--peers", "--folder", str(folder), *options],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=str(REPO),
    )
    if result.returncode == 2 and "no real server answers" in result.stdout:
        pytest.skip("no real server of ../shared/peers runs")
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    table = result.stdout.split("ledger agrees\n", 1)[-1].split("deliveries:", 1)[0].strip().splitlines()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return lines, table, result.stdout


def test_one_post_with_a_variant_per_running_server_is_on_each_server_exactly_once(tmp_path):
    lines, table, output = crash_bench(tmp_path, "--one-post")
    assert len(table) >= 1, output
    for row in table:  # network, deliveries, sent, on the server, duplicates, missing, agrees
        assert row.split()[-6:] == ["1", "1", "1", "0", "0", "yes"], output
    assert lines["duplicates"] == "0" and lines["ledger agrees"] == "yes", output


def test_killed_workers_publish_everything_exactly_once_on_every_running_server(tmp_path):
    lines, _table, output = crash_bench(tmp_path, "-n", "30", "--kills", "5", "--self-kill", "0.15", "--spread", "5")
    assert lines["deliveries"] == lines["sent (ledger)"] == lines["on the servers"] == "30", output
    assert lines["duplicates"] == "0" and lines["missing"] == "0" and lines["ledger agrees"] == "yes", output
    kills = lines["worker starts"].split("SIGKILL: ", 1)[1]
    assert int(kills.split()[0]) + int(kills.split(", ")[1].split()[0]) >= 5, output
