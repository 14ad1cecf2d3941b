"""federe saved-replies list and import (CSV): every row checked, all or nothing, refusals in words."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from federe.replies.models import SavedReply
from tests.replies.conftest import make

pytestmark = pytest.mark.django_db


def _import(workspace, path, *extra):
    out = StringIO()
    call_command("saved_replies", "import", str(path), "--workspace", workspace.slug, *extra, stdout=out)
    return out.getvalue()


def test_import_creates_every_row_with_folder_and_channel(workspace, owner, connection, tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text(
        "title,language,body,folder,channel\n"
        'Merci,fr,"Bonjour {{author.first_name}}, merci !",Accueil,\n'
        f"Hours,EN,We open at 8.,Welcome,{connection.name.upper()}\n",
        encoding="utf-8",
    )
    assert "2 saved replies would be imported" in _import(workspace, path, "--dry-run")
    assert not SavedReply.objects.exists()
    assert "2 saved replies imported" in _import(workspace, path, "--as", owner.username)
    rows = {r.title: r for r in SavedReply.objects.all()}
    assert rows["Merci"].folder == "Accueil" and rows["Merci"].connection is None
    assert rows["Hours"].connection == connection and rows["Hours"].language == "en"
    assert rows["Hours"].created_by == owner


def test_one_wrong_row_imports_nothing_and_says_which_line(workspace, owner, tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text(
        "title,language,body,channel\nGood,en,Hi,\nBad,en,Hi {{author.email}},\nLost,de,Hallo,\nX,en,Hi,Nowhere\n",
        encoding="utf-8",
    )
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("saved_replies", "import", str(path), "--workspace", workspace.slug, stdout=out)
    text = out.getvalue()
    assert "Line 3:" in text and "author.email" in text
    assert "Line 4:" in text and "Line 5:" in text and "Nowhere" in text and "Line 2" not in text
    assert not SavedReply.objects.exists()


def test_a_file_without_the_columns_is_refused(workspace, tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text("name,text\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="body, language, title"):
        _import(workspace, path)


def test_a_member_without_the_right_imports_nothing(workspace, member_factory, tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text("title,language,body\nHi,en,Hi\n", encoding="utf-8")
    analyst = member_factory("analyst")
    with pytest.raises(CommandError):
        _import(workspace, path, "--as", analyst.username)
    assert not SavedReply.objects.exists()


def test_list_shows_each_reply_with_its_uses(workspace, owner, connection):
    make(workspace, owner, "Thanks", folder="Welcome")
    make(workspace, owner, "Merci", language="fr", connection=connection)
    out = StringIO()
    call_command("saved_replies", "list", "--workspace", workspace.slug, "--language", "fr", stdout=out)
    assert "Merci" in out.getvalue() and connection.name in out.getvalue() and "0 uses" in out.getvalue()
    assert "Thanks" not in out.getvalue()


def test_the_refusals_are_in_french(workspace, tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text("title,language,body\n,en,Hi\n", encoding="utf-8")
    out = StringIO()
    with translation.override("fr"), pytest.raises(CommandError, match="Rien n’a été importé"):
        call_command("saved_replies", "import", str(path), "--workspace", workspace.slug, stdout=out)
    assert "Ligne 2 : Donnez un titre à la réponse enregistrée." in out.getvalue()
