"""The archive importer: the documented column mapping, read through Fédère's import path from the CLI."""

from __future__ import annotations

import io
import tracemalloc
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.archive.columns import map_row
from federe.connectors.errors import Permanent
from federe.connectors.types import Item, ItemKind, MalformedItem
from federe.inbox.models import Message
from tests.connectors.archive.kit import FIXTURES, no_progress


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import", "archive", *args, "--no-scores", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_a_forum_export_is_imported_with_its_threads_and_its_bad_rows_reported(workspace):
    out = run_import(str(FIXTURES / "forum.csv"), "--workspace", workspace.slug, "--name", "Old forum")
    channel = Connection.objects.get(workspace=workspace, name="Old forum")
    assert channel.network == "archive" and channel.next_sync_at is None
    stored = {m.external_id: m for m in Message.objects.filter(connection=channel)}
    assert set(stored) == {"1", "2", "3", "7"}
    assert stored["2"].parent_external_id == "1" and stored["3"].parent_external_id == "2"
    assert stored["3"].conversation_id == stored["1"].conversation_id  # threaded through its parent
    assert stored["1"].body_html == "<p>My starter smells of acetone.<br>What now?</p>"
    assert stored["3"].posted_at == datetime(2014, 3, 2, 12, 0, tzinfo=UTC)  # Unix seconds
    # Lines of the file (the first message spans lines 2 and 3).
    assert "line 6: no author." in out and "line 7: no readable date." in out and "line 8: no text." in out
    again = run_import(str(FIXTURES / "forum.csv"), "--workspace", workspace.slug, "--name", "Old forum")
    assert "new 0, updated 0" in again


@pytest.mark.django_db
def test_a_chat_log_in_json_lines_is_imported(workspace):
    out = run_import(str(FIXTURES / "chat.jsonl"), "--workspace", workspace.slug, "--name", "Chat 2009")
    stored = {m.external_id: m for m in Message.objects.filter(connection__name="Chat 2009")}
    assert set(stored) == {"m1", "m2", "m3"} and stored["m2"].parent_external_id == "m1"
    assert "line 3: not a JSON object." in out


@pytest.mark.django_db
def test_a_file_without_an_author_column_changes_nothing(workspace):
    with pytest.raises(CommandError, match="lacks a column for: author"):
        run_import(str(FIXTURES / "no_author.csv"), "--workspace", workspace.slug, "--name", "Broken")
    assert not Connection.objects.filter(name="Broken").exists()


@pytest.mark.django_db
def test_a_missing_file_or_another_format_is_refused_in_plain_words(workspace, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        run_import(str(tmp_path / "nothing.csv"), "--workspace", workspace.slug)
    (tmp_path / "export.xml").write_text("<x/>")
    with pytest.raises(CommandError, match=r"give a \.csv, \.jsonl or \.json file"):
        run_import(str(tmp_path / "export.xml"), "--workspace", workspace.slug)
    (tmp_path / "latin1.csv").write_bytes("author,date,text\nL\xe9a,2014-01-01,caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run_import(str(tmp_path / "latin1.csv"), "--workspace", workspace.slug)


def test_rows_map_to_posts_comments_and_replies():
    threads: dict[str, str] = {}
    first = map_row({"ID": "a", "User": "Zoé", "Date": "2020-01-01", "Body": "Hi", "Subject": "T"}, 2, threads)
    comment = map_row({"id": "b", "author": "Max", "date": "2020-01-02", "text": "Yo", "thread": "a"}, 3, threads)
    reply = map_row({"id": "c", "author": "Zoé", "date": "2020-01-03", "text": "Hey", "parent": "b"}, 4, threads)
    assert isinstance(first, Item) and isinstance(comment, Item) and isinstance(reply, Item)
    assert (first.kind, first.thread_title, first.author.external_id) == (ItemKind.POST, "T", "name:zoé")
    assert (comment.kind, comment.thread_id) == (ItemKind.COMMENT, "a")
    assert (reply.kind, reply.thread_id, reply.parent_id) == (ItemKind.REPLY, "a", "b")
    bad = map_row({"author": "Max", "date": "2020-01-02", "text": "<script>x</script>"}, 5, threads)
    assert isinstance(bad, Item) and "<script>" not in bad.body_html and bad.external_id.startswith("sha1:")
    assert isinstance(map_row({"author": "Max", "text": "x"}, 6, threads), MalformedItem)


def test_a_big_csv_is_streamed_not_held_in_memory(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,author,date,text\n")
        for n in range(50_000):
            handle.write(f"{n},member{n % 500},2020-01-01T00:00:00Z,{'a long message ' * 5}{n}\n")
    connector = registry.build("archive", config={}, credentials={})
    tracemalloc.start()
    export = connector.open_history(str(path), no_progress)
    count = sum(1 for record in connector.read_history(export, no_progress) if isinstance(record, Item))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 50_000 and export.members == 500
    assert peak < path.stat().st_size / 10  # the file is read row by row


def test_the_channels_page_cannot_create_an_archive_channel():
    with pytest.raises(Permanent, match="federe import archive"):
        registry.build("archive", config={}, credentials={}).check()
