"""federe import stackexchange: the real french.meta dump, and small dumps written here for the edge cases."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from federe.connections.models import Connection, SyncRun
from federe.connections.services import dispatch_due_syncs
from federe.core.models import AuditEvent
from federe.inbox.models import Conversation, Message, MessageRevision
from federe.people.models import Identity, Person
from tests.connectors.stackexchange.dumpwriter import answer, comment, import_dump, question, user, write_dump

REAL_DUMP = (
    Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "community" / "french_meta_stackexchange"
)
needs_real_dump = pytest.mark.skipif(
    not (REAL_DUMP / "Posts.xml").is_file(),
    reason=f"the real Stack Exchange dump is not at {REAL_DUMP} (../shared/datasets, outside the repository)",
)


def run_import(directory: Path, *extra: str, workspace: str = "acme") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "stackexchange", str(directory), "--workspace", workspace, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def small_dump(directory: Path, **overrides) -> Path:
    """Two members, one deleted account; a question with an answer and comments; a tag wiki; votes, badges."""
    files = {
        "users": [
            user(1, "Alice Martin", reputation=120),
            user(2, "Bob", reputation=15, WebsiteUrl="https://bob.example"),
        ],
        "posts": [
            question(10, 1, "2024-01-05T09:00:00.000", title="Tu or vous?", body='<p>Hi <b onclick="x()">all</b></p>'),
            answer(11, 10, 2, "2024-01-06T09:00:00.000", Score="3"),
            answer(12, 10, None, "2024-01-07T09:00:00.000", OwnerDisplayName="user77"),
            {"Id": "13", "PostTypeId": "5", "CreationDate": "2024-01-01T00:00:00.000", "Body": "<p>tag wiki</p>"},
        ],
        "comments": [
            comment(100, 10, 2, "2024-01-05T10:00:00.000", text="Good <question>"),
            comment(101, 11, 1, "2024-01-06T10:00:00.000"),
            comment(102, 13, 1, "2024-01-02T10:00:00.000"),  # on the tag wiki: skipped
        ],
        "votes": [
            {"Id": "1", "PostId": "11", "VoteTypeId": "2", "CreationDate": "2024-01-06T00:00:00.000"},
            {"Id": "2", "PostId": "11", "VoteTypeId": "2", "CreationDate": "2024-01-06T00:00:00.000"},
            {"Id": "3", "PostId": "11", "VoteTypeId": "3", "CreationDate": "2024-01-06T00:00:00.000"},
            {"Id": "4", "PostId": "11", "VoteTypeId": "1", "CreationDate": "2024-01-06T00:00:00.000"},
        ],
        "badges": [
            {"Id": "1", "UserId": "2", "Name": "Teacher", "Date": "2024-01-06T00:00:00.000", "Class": "3"},
            {"Id": "2", "UserId": "2", "Name": "Nice Answer", "Date": "2024-01-06T00:00:00.000", "Class": "3"},
            {"Id": "3", "UserId": "2", "Name": "Famous", "Date": "2024-01-06T00:00:00.000", "Class": "1"},
        ],
    }
    files.update(overrides)
    return write_dump(directory, **files)


def test_small_dump_threads_dates_identities_and_aggregates(workspace, tmp_path):
    out, err = run_import(small_dump(tmp_path / "dump"), "--site-url", "https://french.stackexchange.com/")

    connection = Connection.objects.get(workspace=workspace, network="stackexchange")
    assert connection.name == "french.stackexchange.com"
    assert connection.next_sync_at is None and connection.last_success_at is not None
    conversation = Conversation.objects.get(connection=connection)
    assert (conversation.external_id, conversation.title) == ("post:10", "Tu or vous?")
    assert conversation.last_message_at == datetime(2024, 1, 7, 9, tzinfo=UTC)
    rows = {
        m.external_id: (m.kind, m.parent_external_id, m.conversation_id, m.posted_at, m.author.external_id)
        for m in Message.objects.filter(connection=connection).select_related("author")
    }
    assert rows == {
        "post:10": ("post", "", conversation.pk, datetime(2024, 1, 5, 9, tzinfo=UTC), "1"),
        "post:11": ("reply", "post:10", conversation.pk, datetime(2024, 1, 6, 9, tzinfo=UTC), "2"),
        "post:12": ("reply", "post:10", conversation.pk, datetime(2024, 1, 7, 9, tzinfo=UTC), "deleted:user77"),
        "comment:100": ("comment", "post:10", conversation.pk, datetime(2024, 1, 5, 10, tzinfo=UTC), "2"),
        "comment:101": ("comment", "post:11", conversation.pk, datetime(2024, 1, 6, 10, tzinfo=UTC), "1"),
    }
    question_html = Message.objects.get(external_id="post:10").body_html
    assert "onclick" not in question_html and "<b>all</b>" in question_html
    assert Message.objects.get(external_id="comment:100").body_html == "<p>Good &lt;question&gt;</p>"
    assert Message.objects.get(external_id="post:11").url == "https://french.stackexchange.com/a/11"

    alice = Identity.objects.get(connection=connection, external_id="1")
    assert (alice.handle, alice.display_name) == ("AliceMartin", "Alice Martin")
    assert alice.profile_url == "https://french.stackexchange.com/users/1"
    assert alice.person.display_name == "Alice Martin"
    assert alice.person.first_seen_at == datetime(2024, 1, 5, 9, tzinfo=UTC)
    assert alice.person.last_seen_at == datetime(2024, 1, 6, 10, tzinfo=UTC)
    assert Identity.objects.filter(connection=connection).count() == 3  # Alice, Bob, the deleted user77

    bob = connection.config["members"]["2"]
    assert bob["reputation"] == 15 and bob["website"] == "https://bob.example"
    assert bob["badges"] == [1, 0, 2]
    assert (bob["score"], bob["up"], bob["down"], bob["accepted"]) == (3, 2, 1, 1)
    assert connection.config["members"]["1"]["badges"] == [0, 0, 0]

    assert "questions 1, answers 2, comments 2; new 5, updated 0" in out
    assert "Skipped: 1 posts that are not questions or answers" in out
    assert "Skipped: 1 comments on a post that was not imported" in out
    assert "Posts.xml" in err and "4/4 posts" in err  # the progress bar's last line
    assert SyncRun.objects.get(connection=connection).stored == 5
    # The workspace's engagement scores are recomputed once, after the import.
    assert "Engagement scores recomputed for 3 persons" in out
    assert not Person.objects.filter(workspace=workspace, computed_at__isnull=True).exists()
    assert AuditEvent.objects.filter(verb="connection.synced", object_id=str(connection.pk)).exists()


def test_second_run_creates_nothing_and_applies_edits(workspace, tmp_path):
    directory = small_dump(tmp_path / "dump")
    run_import(directory, "--batch-size", "1", "--no-scores")
    assert not Person.objects.filter(computed_at__isnull=False).exists()
    counts = (Identity.objects.count(), Person.objects.count(), Conversation.objects.count(), Message.objects.count())

    out, _err = run_import(directory, "--batch-size", "2")
    assert (
        Identity.objects.count(),
        Person.objects.count(),
        Conversation.objects.count(),
        Message.objects.count(),
    ) == counts
    assert "0 new, 0 updated" in out
    assert Connection.objects.filter(network="stackexchange").count() == 1

    # The network renamed Bob and edited the question: the same rows change, the old text is kept.
    small_dump(
        directory,
        users=[user(1, "Alice Martin", reputation=130), user(2, "Robert", reputation=15)],
        posts=[
            question(10, 1, "2024-01-05T09:00:00.000", title="Tu or vous?", body="<p>Edited</p>"),
            answer(11, 10, 2, "2024-01-06T09:00:00.000"),
            answer(12, 10, None, "2024-01-07T09:00:00.000", OwnerDisplayName="user77"),
        ],
    )
    out, _err = run_import(directory)
    assert (
        Identity.objects.count(),
        Person.objects.count(),
        Conversation.objects.count(),
        Message.objects.count(),
    ) == counts
    assert Message.objects.get(external_id="post:10").body_html == "<p>Edited</p>"
    assert MessageRevision.objects.filter(message__external_id="post:10").count() == 1
    bob = Identity.objects.get(external_id="2")
    assert (bob.display_name, bob.person.display_name) == ("Robert", "Robert")
    connection = Connection.objects.get(network="stackexchange")
    assert connection.config["members"]["1"]["reputation"] == 130
    assert "1 updated" in out


def test_answer_before_its_question_is_threaded_and_orphans_are_skipped(workspace, tmp_path):
    directory = small_dump(
        tmp_path / "dump",
        posts=[
            answer(21, 20, 1, "2024-02-02T00:00:00.000"),  # its question comes later in the file
            question(20, 2, "2024-02-01T00:00:00.000"),
            answer(31, 30, 1, "2024-02-03T00:00:00.000"),  # question 30 is not in the dump
        ],
        comments=[comment(200, 21, 2, "2024-02-02T01:00:00.000"), comment(201, 31, 2, "2024-02-03T01:00:00.000")],
    )
    report = import_dump(workspace, directory)
    assert (report.questions, report.answers, report.comments, report.stored) == (1, 1, 1, 3)
    assert sum(report.skipped.values()) == 2
    thread = Message.objects.get(external_id="post:21").conversation
    assert thread.external_id == "post:20"
    assert Message.objects.get(external_id="comment:200").conversation == thread


def test_malformed_rows_are_skipped_and_reported(workspace, tmp_path):
    directory = small_dump(
        tmp_path / "dump",
        posts=[
            question(10, 1, "2024-01-05T09:00:00.000"),
            {"Id": "11", "PostTypeId": "2", "ParentId": "10", "CreationDate": "someday", "Body": "x"},
        ],
        comments=[],
    )
    out, _err = run_import(directory)
    assert Message.objects.count() == 1
    assert "could not be read, skipped: 1" in out and "post:11" in out
    connection = Connection.objects.get(network="stackexchange")
    assert "CreationDate" in connection.last_warning
    assert SyncRun.objects.get(connection=connection).malformed == 1


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("missing-folder", "does not exist"),
        ("missing-file", "Badges.xml missing"),
        ("truncated", "Comments.xml is not valid XML"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(workspace, tmp_path, breakage, message):
    directory = small_dump(tmp_path / "dump")
    run_import(directory)
    before = (Identity.objects.count(), Message.objects.count(), SyncRun.objects.count())
    # The next dump renames Alice and adds a member and a question: had the import gone ahead, they would show.
    small_dump(
        directory,
        users=[user(1, "Alice Renamed"), user(2, "Bob"), user(3, "Chloé")],
        posts=[question(10, 1, "2024-01-05T09:00:00.000"), question(40, 3, "2024-03-01T00:00:00.000")],
    )
    if breakage == "missing-folder":
        directory = tmp_path / "elsewhere"
    elif breakage == "missing-file":
        (directory / "Badges.xml").unlink()
    else:
        text = (directory / "Comments.xml").read_text(encoding="utf-8")
        (directory / "Comments.xml").write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run_import(directory)
    assert (Identity.objects.count(), Message.objects.count(), SyncRun.objects.count()) == before
    assert Identity.objects.get(external_id="1").display_name == "Alice Martin"


def test_broken_file_in_a_first_import_creates_no_channel(workspace, tmp_path):
    directory = small_dump(tmp_path / "dump")
    (directory / "Users.xml").write_text("<users><row Id='1'", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Users\.xml is not valid XML"):
        run_import(directory)
    assert not Connection.objects.filter(network="stackexchange").exists()
    assert not Identity.objects.exists()


def test_unknown_workspace_and_name_clash_are_clear_errors(workspace, connection, tmp_path):
    directory = small_dump(tmp_path / "dump")
    with pytest.raises(CommandError, match="No workspace named nope"):
        run_import(directory, workspace="nope")
    with pytest.raises(CommandError, match="not a Stack Exchange channel"):
        run_import(directory, "--name", connection.name)


def test_the_dispatcher_never_schedules_an_imported_channel(workspace, tmp_path):
    run_import(small_dump(tmp_path / "dump"))
    channel = Connection.objects.get(network="stackexchange")
    assert channel.next_sync_at is None
    assert channel.pk not in dispatch_due_syncs(now=datetime(2100, 1, 1, tzinfo=UTC))


def _rows(path: Path) -> list[dict[str, str]]:
    return [element.attrib for element in ET.parse(path).getroot().iter("row")]  # noqa: S314 - a known file


@needs_real_dump
def test_real_dump_counts_threads_and_a_second_run(workspace):
    posts = _rows(REAL_DUMP / "Posts.xml")
    users = _rows(REAL_DUMP / "Users.xml")
    comments = _rows(REAL_DUMP / "Comments.xml")
    # The datasets README: 791 posts, 1,744 users, 1,320 comments.
    assert (len(posts), len(users), len(comments)) == (791, 1744, 1320)
    questions = sum(p["PostTypeId"] == "1" for p in posts)
    answers = sum(p["PostTypeId"] == "2" for p in posts)
    deleted = {p["OwnerDisplayName"] for p in posts if "OwnerUserId" not in p} | {
        c["UserDisplayName"] for c in comments if "UserId" not in c
    }

    out, err = run_import(REAL_DUMP, "--site-url", "https://french.meta.stackexchange.com")

    connection = Connection.objects.get(network="stackexchange")
    assert Conversation.objects.filter(connection=connection).count() == questions
    assert Message.objects.filter(connection=connection, kind="post").count() == questions
    assert Message.objects.filter(connection=connection, kind="reply").count() == answers
    # Every comment of this dump is on a question or an answer.
    assert Message.objects.filter(connection=connection, kind="comment").count() == len(comments)
    assert Identity.objects.filter(connection=connection).exclude(external_id__startswith="deleted:").count() == len(
        users
    )
    assert Identity.objects.filter(connection=connection, external_id__startswith="deleted:").count() == len(deleted)
    assert "Comments.xml" in err and f"{len(comments):,}/{len(comments):,} comments" in err

    # Threads and dates as in the files: answer 7 answers question 1; comment 1 is on answer 7.
    answer7 = next(p for p in posts if p["Id"] == "7")
    message = Message.objects.get(connection=connection, external_id="post:7")
    assert message.parent_external_id == f"post:{answer7['ParentId']}"
    assert message.conversation.external_id == f"post:{answer7['ParentId']}"
    first_comment = next(c for c in comments if c["Id"] == "1")
    stored = Message.objects.get(connection=connection, external_id="comment:1")
    assert stored.parent_external_id == f"post:{first_comment['PostId']}"
    assert stored.conversation.external_id == f"post:{answer7['ParentId']}"
    assert stored.posted_at == datetime.fromisoformat(first_comment["CreationDate"]).replace(tzinfo=UTC)

    reputation = {u["Id"]: int(u["Reputation"]) for u in users}
    members = connection.config["members"]
    assert len(members) == len(users)
    assert all(members[uid]["reputation"] == rep for uid, rep in reputation.items())

    counts = (Identity.objects.count(), Person.objects.count(), Message.objects.count(), Conversation.objects.count())
    out, _err = run_import(REAL_DUMP)  # the channel is found again by its folder
    assert (
        Identity.objects.count(),
        Person.objects.count(),
        Message.objects.count(),
        Conversation.objects.count(),
    ) == (counts)
    assert "0 new, 0 updated" in out


def test_a_crash_midway_keeps_the_stored_batches_and_a_second_run_completes(workspace, tmp_path, monkeypatch):
    from federe.people.importers import history as importer

    directory = small_dump(tmp_path / "dump")
    real_ingest = importer.ingest_items
    calls = []

    def ingest_then_crash(connection, items):
        calls.append(len(items))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_ingest(connection, items)

    monkeypatch.setattr(importer, "ingest_items", ingest_then_crash)
    with pytest.raises(RuntimeError):
        import_dump(workspace, directory, batch_size=1)
    connection = Connection.objects.get(network="stackexchange")
    assert Message.objects.filter(connection=connection).count() == 2  # the two batches before the crash
    assert "RuntimeError" in connection.last_error
    assert SyncRun.objects.get(connection=connection).outcome == SyncRun.Outcome.FAILED

    monkeypatch.setattr(importer, "ingest_items", real_ingest)
    report = import_dump(workspace, directory, batch_size=1)
    assert report.stored == 3
    assert Message.objects.filter(connection=connection).count() == 5
    connection.refresh_from_db()
    assert connection.last_error == ""
