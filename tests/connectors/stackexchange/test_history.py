"""The Stack Exchange connector reads a dump as typed history records, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from federe.connectors import registry
from federe.connectors.errors import Permanent
from federe.connectors.types import (
    Author,
    Checkpoint,
    HistoryImporter,
    Item,
    MalformedItem,
    MemberFacts,
    Skipped,
)
from tests.connectors.stackexchange.dumpwriter import answer, comment, question, user, write_dump


class Bar:
    def advance(self, count: int = 1, note: str | None = None) -> None: ...

    def set(self, done: int, note: str | None = None) -> None: ...

    def close(self, note: str | None = None) -> None: ...


def no_progress(label: str, total: int | None, **kwargs) -> Bar:
    return Bar()


def connector(site: str = "") -> HistoryImporter:
    built = registry.build("stackexchange", config={"site_url": site} if site else {}, credentials={})
    assert isinstance(built, HistoryImporter)
    return built


def test_records_come_members_first_then_threads_in_order_then_facts(tmp_path: Path):
    folder = write_dump(
        tmp_path / "dump",
        users=[user(1, "Alice", reputation=50), {"DisplayName": "no id"}],
        posts=[
            answer(11, 10, 1, "2024-01-02T00:00:00.000", Score="2"),  # before its question in the file
            question(10, 1, "2024-01-01T00:00:00.000"),
            {"Id": "12", "PostTypeId": "5", "CreationDate": "2024-01-01T00:00:00.000"},
        ],
        comments=[comment(100, 11, 1, "2024-01-03T00:00:00.000"), comment(101, 12, 1, "2024-01-03T00:00:00.000")],
        votes=[{"Id": "1", "PostId": "11", "VoteTypeId": "2"}],
        badges=[{"Id": "1", "UserId": "1", "Class": "2"}],
    )
    export = connector().open_history(str(folder), no_progress)
    assert (export.members, export.rows["Posts.xml"], export.default_name) == (2, 3, "Stack Exchange dump")

    records = list(connector("https://fr.example").read_history(export, no_progress))
    shapes = [type(r).__name__ for r in records]
    assert shapes == [
        "Author", "MalformedItem", "Checkpoint",  # Users.xml
        "Item", "Skipped", "Item", "Checkpoint",  # Posts.xml: the question, the tag wiki, then the answer met first
        "Item", "Skipped", "Checkpoint",  # Comments.xml: the comment on the tag wiki is skipped
        "MemberFacts",
    ]  # fmt: skip
    alice = records[0]
    assert isinstance(alice, Author) and alice.profile_url == "https://fr.example/users/1"
    assert isinstance(records[1], MalformedItem) and isinstance(records[2], Checkpoint)
    assert [r.external_id for r in records if isinstance(r, Item)] == ["post:10", "post:11", "comment:100"]
    assert all(isinstance(r, Skipped) and r.reason for r in (records[4], records[8]))
    facts = records[-1]
    assert isinstance(facts, MemberFacts) and facts.external_id == "1"
    assert facts.facts["badges"] == [0, 1, 0] and (facts.facts["score"], facts.facts["up"]) == (2, 1)


def test_a_broken_dump_is_refused_in_plain_words_as_a_connector_error(tmp_path: Path):
    folder = write_dump(tmp_path / "dump")
    (folder / "Posts.xml").write_text("<posts><row Id='1'", encoding="utf-8")
    with pytest.raises(Permanent, match=r"Posts\.xml is not valid XML"):
        connector().open_history(str(folder), no_progress)
