"""A Stack Exchange data dump as history records, file by file, for Fédère's import to store.

``open_dump`` reads every file once (well-formed XML, the right root) before anything is stored, so a broken
dump changes nothing. ``read_dump`` then yields, in the order they are stored:

1. every member of Users.xml (an ``Author``: the identity, external id = the site's user id);
2. questions and answers (``Item``), a question before its answers even when the file has an answer first;
   other post types (tag wikis…) and answers to a question missing from the dump are ``Skipped``;
3. comments on the posts yielded in 2 (the others are ``Skipped``);
4. the facts Fédère has no column for (``MemberFacts``), per member: ``reputation``, ``badges`` ([gold,
   silver, bronze]), ``account_id`` (the network-wide Stack Exchange account), ``website``, and from
   Votes.xml and Posts.xml ``score`` (sum of the scores of their questions and answers), ``up``/``down``
   (votes received) and ``accepted`` (answers accepted).

A ``Checkpoint`` ends each part, so that each part is stored in its own batches.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.stackexchange.dump import check_directory, iter_rows
from federe.connectors.stackexchange.mapping import ANSWER, QUESTION, map_comment, map_post, map_user, parse_int
from federe.connectors.types import (
    Checkpoint,
    HistoryExport,
    HistoryRecord,
    Item,
    ItemKind,
    MalformedItem,
    MemberFacts,
    ProgressFactory,
    Skipped,
)

Facts = dict[str, dict[str, Any]]  # per user id


def open_dump(location: str, progress: ProgressFactory) -> HistoryExport:
    """The dump in the folder ``location``, every file read once; raises DumpError naming what is wrong."""
    directory = Path(location).expanduser().resolve()
    paths = check_directory(directory)
    rows = {name: _count_rows(path, progress) for name, path in paths.items()}
    note = _("Votes read: %(votes)s; badges read: %(badges)s (kept per member in the channel's settings).") % {
        "votes": f"{rows['Votes.xml']:,}",
        "badges": f"{rows['Badges.xml']:,}",
    }
    return HistoryExport(
        location=str(directory),
        default_name=f"Stack Exchange {directory.name}",
        members=rows["Users.xml"],
        rows=rows,
        files=paths,
        notes=(note,),
    )


def _count_rows(path: Path, progress: ProgressFactory) -> int:
    """Read the whole file once: it must be well-formed XML with the right root. Returns its number of rows."""
    bar = progress(_("Checking %(file)s") % {"file": path.name}, path.stat().st_size, counts=False)
    count = [0]

    def rows() -> str:
        return ngettext("%(n)s row", "%(n)s rows", count[0]) % {"n": f"{count[0]:,}"}

    for _row in iter_rows(path, on_bytes=lambda done: bar.set(done, note=rows())):
        count[0] += 1
    bar.close(note=rows())
    return count[0]


def read_dump(export: HistoryExport, site: str, progress: ProgressFactory) -> Iterator[HistoryRecord]:
    """The dump's records in the order they are stored (see the module's docstring)."""
    files, rows = export.files, export.rows
    badges = _read_badges(files["Badges.xml"], rows["Badges.xml"], progress)
    votes = _read_votes(files["Votes.xml"], rows["Votes.xml"], progress)
    facts: Facts = {}
    yield from _users(files["Users.xml"], rows["Users.xml"], badges, site, facts, progress)
    threads = yield from _posts(files["Posts.xml"], rows["Posts.xml"], votes, facts, site, progress)
    yield from _comments(files["Comments.xml"], rows["Comments.xml"], threads, site, progress)
    for key, member in facts.items():
        yield MemberFacts(external_id=key, facts=member)


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


def _users(
    path: Path, total: int, badges: dict[str, list[int]], site: str, facts: Facts, progress: ProgressFactory
) -> Iterator[HistoryRecord]:
    """Each member, with their facts started in ``facts`` (the posts add their scores and votes)."""
    bar = progress("Users.xml", total, unit=_("members"))
    for row in iter_rows(path):
        bar.advance()
        member = map_user(row, site)
        if isinstance(member, MalformedItem):
            yield member
            continue
        key = member.author.external_id
        facts[key] = {
            "reputation": member.reputation,
            "badges": badges.get(key, [0, 0, 0]),
            "account_id": member.account_id,
            "website": member.website,
            "score": 0,
            "up": 0,
            "down": 0,
            "accepted": 0,
        }
        yield member.author
    yield Checkpoint()  # the import notes on the bar what it stored before it closes
    bar.close()


class _Posts:
    """Questions and answers kept so far: the question of every post (to thread the comments), the facts."""

    def __init__(self, votes: dict[int, list[int]], facts: Facts) -> None:
        self.votes = votes
        self.facts = facts
        self.threads: dict[int, int] = {}
        self.waiting: list[tuple[int, int, Item, dict[str, str]]] = []  # answers met before their question

    def keep(self, pid: int, question: int, item: Item, row: dict[str, str]) -> Item:
        self.threads[pid] = question
        member = self.facts.get(item.author.external_id)
        if member is not None:
            member["score"] += parse_int(row.get("Score")) or 0
            up, down, accepted = self.votes.get(pid, (0, 0, 0))
            member["up"] += up
            member["down"] += down
            member["accepted"] += accepted
        return item

    def has_question(self, question: int) -> bool:
        return self.threads.get(question) == question


def _posts(
    path: Path, total: int, votes: dict[int, list[int]], facts: Facts, site: str, progress: ProgressFactory
) -> Generator[HistoryRecord, None, dict[int, int]]:
    """Questions and answers; returns the question id of every post yielded (to thread the comments)."""
    bar = progress("Posts.xml", total, unit=_("posts"))
    posts = _Posts(votes, facts)
    for row in iter_rows(path):
        bar.advance()
        if row.get("PostTypeId") not in (QUESTION, ANSWER):
            yield Skipped(_("posts that are not questions or answers (tag wikis…)"))
            continue
        item = map_post(row, site)
        if isinstance(item, MalformedItem):
            yield item
            continue
        pid = int(row["Id"])
        question = pid if item.kind == ItemKind.POST else int(item.parent_id.removeprefix("post:"))
        if item.kind == ItemKind.POST or posts.has_question(question):
            yield posts.keep(pid, question, item, row)
        else:
            posts.waiting.append((pid, question, item, row))
    for pid, question, item, row in posts.waiting:
        if posts.has_question(question):
            yield posts.keep(pid, question, item, row)
        else:
            yield Skipped(_("answers to a question that is not in the dump"))
    yield Checkpoint()
    bar.close()
    return posts.threads


def _comments(
    path: Path, total: int, threads: dict[int, int], site: str, progress: ProgressFactory
) -> Iterator[HistoryRecord]:
    """Comments on the questions and answers yielded; the others are skipped."""
    bar = progress("Comments.xml", total, unit=_("comments"))
    for row in iter_rows(path):
        bar.advance()
        on_post = parse_int(row.get("PostId"))
        if on_post is not None and on_post not in threads:
            yield Skipped(_("comments on a post that was not imported"))
            continue
        yield map_comment(row, threads.get(on_post or 0, 0), site)
    yield Checkpoint()
    bar.close()
