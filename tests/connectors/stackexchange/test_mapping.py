from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from federe.connectors import registry
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.stackexchange.dump import DumpError, check_directory, iter_rows
from federe.connectors.stackexchange.mapping import (
    Member,
    comment_html,
    map_comment,
    map_post,
    map_user,
)
from federe.connectors.types import ItemKind, MalformedItem
from federe.connectors.values import parse_utc as parse_date
from tests.connectors.stackexchange.dumpwriter import answer, comment, question, user, write_dump

SITE = "https://cooking.stackexchange.com"


def test_dates_are_utc_without_offset_in_dumps():
    assert parse_date("2011-08-17T20:18:56.507") == datetime(2011, 8, 17, 20, 18, 56, 507000, tzinfo=UTC)
    assert parse_date("not a date") is None
    assert parse_date(None) is None


def test_user_becomes_identity_with_handle_profile_and_facts():
    member = map_user(
        user(40, "Jean Dupont", reputation=1234, WebsiteUrl="https://jd.example", ProfileImageUrl="javascript:x"),
        SITE,
    )
    assert isinstance(member, Member)
    assert member.author.external_id == "40"
    assert member.author.handle == "JeanDupont"
    assert member.author.display_name == "Jean Dupont"
    assert member.author.profile_url == f"{SITE}/users/40"
    assert member.author.avatar_url == ""  # only http(s) links are kept
    assert (member.reputation, member.website, member.account_id) == (1234, "https://jd.example", "1040")
    assert isinstance(map_user({"DisplayName": "no id"}), MalformedItem)


def test_question_answer_and_comment_are_threaded_on_the_question():
    q = map_post(question(1, 5, "2020-01-01T10:00:00.000", title="Café & tea?"), SITE)
    a = map_post(answer(2, 1, 6, "2020-01-02T10:00:00.000", LastEditDate="2020-01-03T00:00:00.000"), SITE)
    c = map_comment(comment(3, 2, 5, "2020-01-02T11:00:00.000"), question=1, site_url=SITE)
    assert not isinstance(q, MalformedItem) and not isinstance(a, MalformedItem) and not isinstance(c, MalformedItem)
    assert (q.external_id, q.thread_id, q.kind, q.parent_id) == ("post:1", "post:1", ItemKind.POST, "")
    assert q.thread_title == "Café & tea?"
    assert q.url == f"{SITE}/q/1"
    assert (a.external_id, a.thread_id, a.parent_id, a.kind) == ("post:2", "post:1", "post:1", ItemKind.REPLY)
    assert a.edited_at == datetime(2020, 1, 3, tzinfo=UTC)
    assert (c.external_id, c.thread_id, c.parent_id, c.kind) == ("comment:3", "post:1", "post:2", ItemKind.COMMENT)
    assert c.url == f"{SITE}/posts/comments/3"


def test_deleted_accounts_keep_their_name_as_identity():
    item = map_post(question(9, None, "2020-01-01T10:00:00.000", OwnerDisplayName="user3177"))
    assert not isinstance(item, MalformedItem)
    assert item.author.external_id == "deleted:user3177"
    assert item.author.display_name == "user3177"


def test_rows_that_cannot_be_messages_are_malformed_not_errors():
    assert isinstance(map_post({"PostTypeId": "1", "CreationDate": "2020-01-01T00:00:00"}), MalformedItem)
    assert isinstance(map_post({"Id": "3", "PostTypeId": "1", "CreationDate": "yesterday"}), MalformedItem)
    assert isinstance(map_post({"Id": "3", "PostTypeId": "2", "CreationDate": "2020-01-01T00:00:00"}), MalformedItem)
    assert isinstance(map_post({"Id": "3", "PostTypeId": "5", "CreationDate": "2020-01-01T00:00:00"}), MalformedItem)
    assert isinstance(map_comment({"Id": "4", "CreationDate": "2020-01-01T00:00:00"}, question=1), MalformedItem)


def test_comment_text_keeps_links_and_code_and_escapes_the_rest():
    out = comment_html("See [the FAQ](https://x.example/faq?a=1&b=2) and `<b>` <script>alert(1)</script>")
    assert '<a href="https://x.example/faq?a=1&amp;b=2">the FAQ</a>' in out
    assert "<code>&lt;b&gt;</code>" in out
    assert "<script>" not in out
    assert comment_html("one\n\ntwo") == "<p>one</p><p>two</p>"


def test_reading_a_dump_streams_rows_and_names_what_is_wrong(tmp_path: Path):
    folder = write_dump(tmp_path / "dump", users=[user(1, "A"), user(2, "B")])
    paths = check_directory(folder)
    assert [row["DisplayName"] for row in iter_rows(paths["Users.xml"])] == ["A", "B"]

    with pytest.raises(DumpError, match="does not exist"):
        check_directory(tmp_path / "nowhere")
    (folder / "Votes.xml").unlink()
    with pytest.raises(DumpError, match=r"Votes\.xml missing"):
        check_directory(folder)

    broken = tmp_path / "Posts.xml"
    broken.write_text('<?xml version="1.0"?>\n<posts>\n  <row Id="1" Body="unclosed />\n', encoding="utf-8")
    with pytest.raises(DumpError, match=r"Posts\.xml is not valid XML"):
        list(iter_rows(broken))

    swapped = tmp_path / "Users.xml"
    swapped.write_text("<posts><row Id='1'/></posts>", encoding="utf-8")
    with pytest.raises(DumpError, match="not <users>"):
        list(iter_rows(swapped))

    bomb = tmp_path / "Comments.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]><comments/>', encoding="utf-8")
    with pytest.raises(DumpError, match="DTD"):
        list(iter_rows(bomb))


def test_connector_is_registered_import_only():
    cls = registry.connector_class("stackexchange")
    assert cls.capabilities == frozenset({Capability.READ, Capability.IMPORT})
    connector = cls(config={}, credentials={})
    with pytest.raises(Permanent, match="federe import stackexchange"):
        connector.check()
    batch = connector.fetch({"anything": 1})
    assert batch.items == [] and not batch.has_more and batch.cursor == {"anything": 1}


def test_the_channels_page_cannot_create_a_stackexchange_channel(workspace, owner):
    from django.core.exceptions import ValidationError

    from federe.connections.models import Connection
    from federe.connections.services import create_connection

    with pytest.raises(ValidationError, match="federe import stackexchange"):
        create_connection(workspace=workspace, network="stackexchange", name="SE", config={}, credentials={}, by=owner)
    assert not Connection.objects.filter(network="stackexchange").exists()
