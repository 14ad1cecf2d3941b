"""The README says what exists: the demo's real channel count, the docs that exist, how to choose another port."""

from __future__ import annotations

import re
from pathlib import Path

from federe.core.demo import WORKSPACES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def test_the_demo_channel_count_is_the_real_one():
    channels = sum(len(channels) for _slug, _name, channels in WORKSPACES)
    assert f"with {NUMBERS[channels]} channels on the built-in *dummy* network" in README


def test_every_doc_named_exists_and_every_doc_is_named():
    named = set(re.findall(r"docs/[\w.-]+\.md", README))
    existing = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert named <= existing, named - existing
    assert existing <= named, existing - named


def test_it_says_how_to_choose_another_port_and_the_makefile_takes_it():
    assert "make demo PORT=8011" in README
    assert "127.0.0.1:$(PORT)" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_what_exists_today_is_there():
    for feature in ("**Listening**", "**People**", "**Classifiers**", "Mastodon", "RSS/Atom", "Stack Exchange"):
        assert feature in README
