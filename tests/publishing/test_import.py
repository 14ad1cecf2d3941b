"""Importing posts from CSV (publishing/csvread.py, importing.py, import_views.py, `federe posts import`): any bytes
read or refused in words, every row checked as compose checks it, nothing created before the confirmation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from federe.publishing import approvals, importing, queueing
from federe.publishing.csvread import MAX_ROWS, Unreadable, read
from federe.publishing.models import Approval, Post

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NEXT_YEAR = timezone.now().year + 1


def csv_bytes(rows, sep=",", encoding="utf-8", bom=False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sep).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)


# --------------------------------------------------------------------------- reading any bytes


def test_french_excel_semicolons_with_a_bom_and_comma_files_read_the_same():
    rows = [["Texte", "Canaux", "Date"], ["Café crème", "Channel 1|Channel 2", "24/12/2027 09:30"]]
    semicolons = read(csv_bytes(rows, sep=";", bom=True))
    commas = read(csv_bytes(rows))
    assert (
        semicolons.rows[0].cells
        == commas.rows[0].cells
        == {
            "text": "Café crème",
            "channels": "Channel 1|Channel 2",
            "scheduled_at": "24/12/2027 09:30",
        }
    )
    assert semicolons.rows[0].number == 2 and not semicolons.notes


def test_windows_1252_is_read_and_said():
    sheet = read(csv_bytes([["text", "channels"], ["Crème brûlée", "Channel 1"]], sep=";", encoding="cp1252"))
    assert sheet.rows[0].cells["text"] == "Crème brûlée"
    assert "Windows-1252" in sheet.notes[0]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (bytes(range(256)) * 40, "not a text file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "not a text file"),
        (b"text,channels\n", "no row"),
        (b"hello,world\nx,y\n", "channels"),
        (b"text,channels\n" + b'"' + b"x" * 200_000 + b'",a\n', "near line"),
        (b"text,channels\n" + b"y" * 110_000 + b",a\n", "longer than"),
        (b"text,channels\n" + b"x,a\n" * (MAX_ROWS + 1), "more than"),
        (b"text,channels\n" + b"x" * 1_100_000, "larger than"),
    ],
)
def test_bad_files_are_refused_in_words(data, words):
    with pytest.raises(Unreadable, match=words):
        read(data)


def test_unknown_columns_are_named_and_blank_rows_skipped():
    sheet = read(b"text,channels,colour\nhi,a,red\n,,\nho,b,blue\n")
    assert [r.number for r in sheet.rows] == [2, 4]
    assert "colour" in sheet.notes[0]


# --------------------------------------------------------------------------- the report


def test_the_report_takes_names_ids_local_times_and_the_queue(workspace, owner, channels):
    one, two = channels
    queueing.add_slots(one, [(d, time(9)) for d in range(7)])
    free = queueing.next_free([one], count=2)
    data = csv_bytes(
        [
            ["text", "channels", "scheduled_at", "title"],
            ["Hiver", "channel 1", f"{NEXT_YEAR}-01-15 09:30", "Titre"],
            ["Été", f"{two.pk}|Channel 1", f"15/07/{NEXT_YEAR} 09:30", ""],
            ["File 1", "Channel 1", "queue", ""],
            ["File 2", "Channel 1", "file", ""],
            ["Brouillon", "Channel 2", "", ""],
        ]
    )
    report = importing.check_file(workspace, owner, data)
    assert [r.accepted for r in report.rows] == [True] * 5, [r.problems for r in report.rows]
    winter, summer, q1, q2, draft = report.rows
    assert winter.when == datetime(NEXT_YEAR, 1, 15, 8, 30, tzinfo=UTC)  # +01:00
    assert summer.when == datetime(NEXT_YEAR, 7, 15, 7, 30, tzinfo=UTC)  # +02:00
    assert summer.channels == ["Channel 2", "Channel 1"]
    assert [q1.when, q2.when] == free and q1.queued  # two queued rows take two times, not the same one
    assert draft.when is None
    assert not Post.objects.exists()  # the report creates nothing


def test_each_refused_row_says_what_is_wrong(workspace, owner, channels):
    past = (timezone.now() - timedelta(days=2)).astimezone(PARIS)
    data = csv_bytes(
        [
            ["text", "channels", "scheduled_at", "image_url"],
            ["ok", "Channel 1", f"{NEXT_YEAR}-02-01 10:00", "https://example.org/a.png"],
            ["x", "Nowhere", f"{NEXT_YEAR}-02-01 10:00", ""],
            ["x", "Channel 1", "tomorrow", ""],
            ["x", "Channel 1", f"{past:%d/%m/%Y %H:%M}", ""],
            ["x" * 505, "Channel 1", f"{NEXT_YEAR}-02-01 10:00", ""],
            ["", "Channel 1", f"{NEXT_YEAR}-02-01 10:00", ""],
            ["x", "", f"{NEXT_YEAR}-02-01 10:00", ""],
            ["x", "Channel 1", "29/03/2026 02:30", ""],
            ["x", "Channel 1", "queue", ""],
            ["x", "Channel 1", f"{NEXT_YEAR}-02-01", ""],
        ]
    )
    report = importing.check_file(workspace, owner, data)
    problems = {r.number: " ".join(r.problems) for r in report.rows}
    assert report.rows[0].accepted and "not fetched" in report.rows[0].notes[0]
    assert "no channel “Nowhere”" in problems[3]
    assert "is not a date and time" in problems[4]
    assert "in the past" in problems[5]
    assert "characters over this network's limit of 500" in problems[6]
    assert "Write something to post" in problems[7]
    assert "at least one channel" in problems[8]
    assert "does not exist" in problems[9]  # the hour skipped in March, refused as compose refuses it
    assert "no free time" in problems[10]
    assert "is not a date and time" in problems[11]
    assert importing.summary(report) == "1 row accepted. 9 rows refused."


def test_another_workspace_s_channel_is_unknown_here(workspace, owner, channels, other_workspace):
    _ws, _owner, theirs = other_workspace
    data = csv_bytes([["text", "channels"], ["x", str(theirs.pk)], ["x", theirs.name]])
    assert all("There is no channel" in " ".join(r.problems) for r in importing.check_file(workspace, owner, data).rows)


# --------------------------------------------------------------------------- creating


def test_import_creates_the_accepted_rows_in_order_and_approval_applies(workspace, owner, channels):
    approvals.save_workflow(workspace, by=owner, required=True, allow_self_approval=True, link_days=7, steps=[])
    queueing.add_slots(channels[0], [(d, time(9)) for d in range(7)])
    data = csv_bytes(
        [
            ["text", "channels", "scheduled_at"],
            ["Un", "Channel 1", f"{NEXT_YEAR}-03-01 10:00"],
            ["Refusé", "Nowhere", ""],
            ["Deux", "Channel 1", "queue"],
        ]
    )
    shown = importing.check_file(workspace, owner, data)
    report = importing.import_posts(workspace, owner, data, expected=2)
    assert [p.body for p in report.created] == ["Un", "Deux"]
    assert report.created[1].scheduled_at == shown.rows[2].when
    assert {p.approval for p in Post.objects.all()} == {Approval.PENDING}
    assert all(approvals.open_round(p) is not None for p in Post.objects.all())


def test_nothing_is_created_when_the_accepted_rows_changed_since_the_report(workspace, owner, channels):
    data = csv_bytes([["text", "channels", "scheduled_at"], ["Un", "Channel 1", f"{NEXT_YEAR}-03-01 10:00"]])
    report = importing.import_posts(workspace, owner, data, expected=2)
    assert report.problems and not report.created and not Post.objects.exists()


# --------------------------------------------------------------------------- the page and the command


def test_upload_report_then_confirm(client, owner, workspace, channels):
    client.force_login(owner)
    url = reverse("publishing:import", args=[workspace.slug])
    data = csv_bytes(
        [["texte", "canaux", "date"], ["Bonjour", "Channel 1", f"24/12/{NEXT_YEAR} 09:30"], ["x", "Nowhere", ""]],
        sep=";",
        bom=True,
    )
    upload = io.BytesIO(data)
    upload.name = "posts.csv"
    page = client.post(url, {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200 and "Row 3" in html and "There is no channel “Nowhere”" in html
    assert "1 row accepted." in html and not Post.objects.exists()
    confirm = client.post(url, {"confirm": "yes", "content": page.context["content"], "expected": "1"})
    assert confirm.status_code == 302
    post = Post.objects.get()
    assert post.body == "Bonjour" and post.scheduled_at == datetime(NEXT_YEAR, 12, 24, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("junk", [b"", b"\xff\xfe\x00\x01" * 500, b"\x81\x8d\x8f" * 10, "é;à\n".encode("utf-16")])
def test_any_bytes_give_a_page_with_words_never_a_500(client, owner, workspace, channels, junk):
    client.force_login(owner)
    url = reverse("publishing:import", args=[workspace.slug])
    upload = io.BytesIO(junk)
    upload.name = "junk.csv"
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert b'role="alert"' in response.content or b"field-error" in response.content
    for content in ("%%%", "aGVsbG8=", "é"):
        tampered = client.post(url, {"confirm": "yes", "content": content, "expected": "x"})
        assert tampered.status_code in (200, 302)
    assert not Post.objects.exists()


def test_the_sample_file_downloads_and_imports_cleanly(client, owner, workspace, channels):
    queueing.add_slots(channels[0], [(d, time(9)) for d in range(7)])
    client.force_login(owner)
    response = client.get(reverse("publishing:import-sample", args=[workspace.slug]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    data = b"".join(response.streaming_content)
    report = importing.check_file(workspace, owner, data)
    assert len(report.rows) == 4 and report.refused == [], [r.problems for r in report.rows]


def test_the_command_prints_the_report_and_creates_only_without_dry_run(tmp_path, workspace, channels):
    path = tmp_path / "posts.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["text", "channels", "scheduled_at"],
                ["Un", "Channel 1", f"{NEXT_YEAR}-03-01 10:00"],
                ["x", "Nowhere", ""],
            ]
        )
    )
    out = StringIO()
    call_command("posts", "import", str(path), "--workspace", workspace.slug, "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Row 2" in text and "Row 3" in text and "Nowhere" in text and "1 row accepted." in text
    assert not Post.objects.exists()
    call_command("posts", "import", str(path), "--workspace", workspace.slug, stdout=StringIO())
    assert Post.objects.get().body == "Un"
    with pytest.raises(CommandError):
        call_command("posts", "import", str(tmp_path / "missing.csv"), "--workspace", workspace.slug, stdout=out)
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)))
    with pytest.raises(CommandError, match="not a text file"):
        call_command("posts", "import", str(tmp_path / "junk.csv"), "--workspace", workspace.slug, stdout=out)


# --------------------------------------------------------------------------- API


@pytest.fixture
def api(client, owner, workspace):
    from federe.accounts.services import create_api_token

    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")

    def send(body: object):
        return client.post(
            "/api/v1/posts/import", body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
        )

    return send


def test_the_api_reports_then_creates(api, channels):
    text = f"text;channels;scheduled_at\nUn;Channel 1;{NEXT_YEAR}-03-01 10:00\nx;Nowhere;\n"
    dry = api({"csv": text, "dry_run": True})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["accepted"], body["refused"], body["created"]) == (1, 1, [])
    assert body["rows"][1]["row"] == 3 and "Nowhere" in body["rows"][1]["problems"][0]
    assert not Post.objects.exists()
    done = api({"csv": text}).json()
    assert done["created"] == [Post.objects.get().pk]
    unreadable = api({"csv": "hello\x01world"})
    assert unreadable.status_code == 422 and "channels" in unreadable.content.decode()


def test_the_api_takes_any_text_without_a_500(api, channels):
    for text in ("", "\ud800", "text,channels\n\x00,x\n", "a" * 5000):
        assert api({"csv": text, "dry_run": True}).status_code in (200, 422)


def test_the_api_import_is_safe_to_repeat_with_an_idempotency_key(client, owner, workspace, channels):
    from federe.accounts.services import create_api_token

    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")

    def send(text: str, key: str):
        return client.post(
            "/api/v1/posts/import",
            {"csv": text},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": key},
        )

    text = f"text;channels;scheduled_at\nUn;Channel 1;{NEXT_YEAR}-03-01 10:00\nDeux;Channel 1;{NEXT_YEAR}-03-02 10:00\n"
    first = send(text, "import-1")
    assert first.status_code == 200, first.content
    again = send(text, "import-1")
    assert again.status_code == 200, again.content
    assert again.json()["created"] == first.json()["created"]
    assert Post.objects.count() == 2
    other = send(text.replace("Un;", "Autre;"), "import-1")
    assert other.status_code == 422 and "Idempotency-Key" in other.content.decode()
    assert Post.objects.count() == 2
    assert send(text, "import-2").status_code == 200 and Post.objects.count() == 4
