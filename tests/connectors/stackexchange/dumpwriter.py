"""Writing small Stack Exchange dumps for tests: five XML files shaped like the real ones."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOTS = {
    "Users.xml": "users",
    "Posts.xml": "posts",
    "Comments.xml": "comments",
    "Votes.xml": "votes",
    "Badges.xml": "badges",
}


def write_file(path: Path, root: str, rows: list[dict[str, Any]]) -> None:
    element = ET.Element(root)
    for row in rows:
        ET.SubElement(element, "row", {key: str(value) for key, value in row.items()})
    body = ET.tostring(element, encoding="unicode")
    path.write_text('\ufeff<?xml version="1.0" encoding="utf-8"?>\n' + body, encoding="utf-8")


def write_dump(directory: Path, **files: list[dict[str, Any]]) -> Path:
    """``write_dump(tmp_path, users=[...], posts=[...], comments=[...], votes=[...], badges=[...])``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, root in ROOTS.items():
        write_file(directory / name, root, files.get(root, []))
    return directory


def _text(row: dict[str, Any]) -> dict[str, str]:
    """Attribute values are strings, as ``iterparse`` gives them."""
    return {key: str(value) for key, value in row.items()}


def user(uid: int, name: str, reputation: int = 1, **extra: Any) -> dict[str, Any]:
    return _text(
        {
            "Id": uid,
            "Reputation": reputation,
            "CreationDate": "2024-01-01T00:00:00.000",
            "DisplayName": name,
            "AccountId": 1000 + uid,
            **extra,
        }
    )


def question(
    pid: int, owner: int | None, date: str, title: str = "A question", body: str = "<p>Why?</p>", **extra: Any
) -> dict[str, Any]:
    row = {"Id": pid, "PostTypeId": 1, "CreationDate": date, "Score": 0, "Body": body, "Title": title, **extra}
    if owner is not None:
        row["OwnerUserId"] = owner
    return _text(row)


def answer(
    pid: int, parent: int, owner: int | None, date: str, body: str = "<p>Because.</p>", **extra: Any
) -> dict[str, Any]:
    row = {"Id": pid, "PostTypeId": 2, "ParentId": parent, "CreationDate": date, "Score": 0, "Body": body, **extra}
    if owner is not None:
        row["OwnerUserId"] = owner
    return _text(row)


def comment(cid: int, post: int, owner: int | None, date: str, text: str = "Nice.", **extra: Any) -> dict[str, Any]:
    row = {"Id": cid, "PostId": post, "Score": 0, "Text": text, "CreationDate": date, **extra}
    if owner is not None:
        row["UserId"] = owner
    return _text(row)


def import_dump(workspace: Any, directory: Path, **options: Any) -> Any:
    """Import a dump written here as ``federe import stackexchange`` does: the generic history import."""
    from federe.people.importers.history import import_history

    return import_history(workspace, directory, network="stackexchange", **options)
