"""The draw's properties (issue 16): the same published data always gives the same winners, the one-file script
agrees with the product on 1,000 random draws, and changing one entry changes the published hash."""

from __future__ import annotations

import copy
import json
import secrets
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from federe.contests import draw, verify_draw

SCRIPT = Path(verify_draw.__file__)

keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
ballot_lists = st.lists(st.tuples(keys, names), max_size=40, unique_by=lambda t: t[0]).map(
    lambda pairs: [draw.Ballot(k, n) for k, n in pairs]
)
seeds = st.binary(min_size=draw.SEED_BYTES, max_size=draw.SEED_BYTES)
public_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)
rules = st.fixed_dictionaries(
    {"name": names, "winners": st.integers(min_value=1, max_value=10), "channels": st.just("all")}
)


def publish(ballots: list[draw.Ballot], seed: bytes, public: str, rule: dict) -> dict:
    """The published JSON, built the way services.published_data builds it."""
    ordered = draw.sorted_ballots(ballots)
    chosen = draw.winners(ordered, seed, public, rule["winners"])
    return json.loads(
        json.dumps(
            {
                "rules": rule,
                "commitment": draw.commitment(rule, seed),
                "entries": [b.as_data() for b in ordered],
                "entries_sha256": draw.entries_hash(ordered),
                "seed": seed.hex(),
                "public_value": public,
                "winners": [b.as_data() for b in chosen],
            }
        )
    )


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists, seed=seeds, public=public_values, count=st.integers(min_value=0, max_value=50))
def test_the_same_published_data_always_gives_the_same_winners(ballots, seed, public, count):
    first = draw.winners(ballots, seed, public, count)
    assert draw.winners(list(reversed(ballots)), seed, public, count) == first  # the order given does not matter
    assert draw.winners(copy.deepcopy(ballots), seed, public, count) == first
    assert len(first) == min(count, len(ballots)) and len({b.key for b in first}) == len(first)


@settings(max_examples=1000, deadline=None)
@given(ballots=ballot_lists, seed=seeds, public=public_values, rule=rules)
def test_the_script_agrees_with_the_product_on_random_draws(ballots, seed, public, rule):
    published = publish(ballots, seed, public, rule)
    assert all(passed for _label, passed in verify_draw.verify(published))
    assert verify_draw.derive_winners(published) == [w["key"] for w in published["winners"]]


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists.filter(bool), which=st.integers(min_value=0), change=st.sampled_from(["key", "name"]))
def test_changing_one_entry_changes_the_published_hash(ballots, which, change):
    before = draw.entries_hash(ballots)
    changed = list(ballots)
    i = which % len(changed)
    old = changed[i]
    if change == "key":
        new_key = old.key + "x"
        if new_key in {b.key for b in changed}:
            return
        changed[i] = draw.Ballot(new_key, old.name)
    else:
        changed[i] = draw.Ballot(old.key, old.name + "x")
    assert draw.entries_hash(changed) != before
    assert draw.entries_hash(changed[:i] + changed[i + 1 :]) != before  # one entry left out, too


def test_the_script_refuses_a_changed_seed_a_changed_rule_and_a_changed_winner():
    ballots = [draw.Ballot(f"1/{n}", f"Person {n}") for n in range(20)]
    good = publish(ballots, secrets.token_bytes(32), "drand 123: abc", {"name": "X", "winners": 2, "channels": "all"})
    assert [passed for _l, passed in verify_draw.verify(good)] == [True, True, True]
    other_seed = dict(good, seed=secrets.token_bytes(32).hex())
    assert verify_draw.verify(other_seed)[0][1] is False
    other_rules = dict(good, rules={**good["rules"], "winners": 3})
    assert verify_draw.verify(other_rules)[0][1] is False
    swapped = dict(good, winners=[good["entries"][0], good["entries"][1]])
    if [w["key"] for w in swapped["winners"]] != [w["key"] for w in good["winners"]]:
        assert verify_draw.verify(swapped)[2][1] is False
    fewer = dict(good, entries=good["entries"][1:])
    assert verify_draw.verify(fewer)[1][1] is False


def test_the_script_runs_alone_with_the_standard_library(tmp_path):
    ballots = [draw.Ballot(f"1/{n}", f"Personne {n} é") for n in range(5)]
    data = publish(
        ballots, bytes(range(32)), "lottery 2026-12-06: 4 8 15", {"name": "Q", "winners": 1, "channels": "all"}
    )
    (tmp_path / "draw.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    copy_of = tmp_path / "verify_draw.py"
    copy_of.write_bytes(SCRIPT.read_bytes())
    run = subprocess.run(
        [sys.executable, "-I", "-S", str(copy_of), str(tmp_path / "draw.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("OK ") == 3 and data["winners"][0]["key"] in run.stdout
    data["public_value"] = "lottery 2026-12-06: 4 8 16"  # the winners as published, another public value
    (tmp_path / "draw.json").write_text(json.dumps(data), encoding="utf-8")
    again = subprocess.run(
        [sys.executable, "-I", "-S", str(copy_of), str(tmp_path / "draw.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    same = draw.winners(ballots, bytes(range(32)), data["public_value"], 1)[0].key == data["winners"][0]["key"]
    assert again.returncode == (0 if same else 1) and ("FAIL" in again.stdout) == (not same)


def test_the_script_imports_nothing_but_the_standard_library():
    source = SCRIPT.read_text(encoding="utf-8")
    imported = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imported <= set(sys.stdlib_module_names)
