"""Reading a Stack Exchange data dump: one ``<row .../>`` per record, streamed with ``iterparse``.

Memory stays flat whatever the file size: each row is handed over as its attribute dict, then cleared,
and the root element forgets its children as we go. Errors come as one ``DumpError`` in plain words.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent

# The files an import reads, and the root element each one must have.
FILES: dict[str, str] = {
    "Users.xml": "users",
    "Posts.xml": "posts",
    "Comments.xml": "comments",
    "Votes.xml": "votes",
    "Badges.xml": "badges",
}


class DumpError(Permanent):
    """The dump cannot be read: a missing folder or file, or a file that is not the expected XML."""


def check_directory(directory: Path) -> dict[str, Path]:
    """The path of each file the import needs; raises DumpError naming what is missing."""
    if not directory.exists():
        raise DumpError(_("The folder %(path)s does not exist.") % {"path": directory})
    if not directory.is_dir():
        raise DumpError(
            _("%(path)s is not a folder: give the folder that holds Users.xml, Posts.xml…") % {"path": directory}
        )
    paths = {name: directory / name for name in FILES}
    missing = [name for name, path in paths.items() if not path.is_file()]
    if missing:
        raise DumpError(
            _("The folder %(path)s is not a complete Stack Exchange dump: %(files)s missing.")
            % {"path": directory, "files": ", ".join(missing)}
        )
    return paths


_PROLOG = re.compile(rb"<(?!\?|!--)")


def _refuse_doctype(handle: BinaryIO, name: str) -> None:
    """Dumps have no DTD; one could declare entities (XML bombs, external files), so refuse it."""
    head = handle.read(65536)
    handle.seek(0)
    first_tag = _PROLOG.search(head)
    if first_tag and head[first_tag.start() : first_tag.start() + 9].upper() == b"<!DOCTYPE":
        raise DumpError(
            _("%(file)s declares a DTD; a Stack Exchange dump has none, so it is refused.") % {"file": name}
        )


def iter_rows(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[dict[str, str]]:
    """Each ``<row>``'s attributes, in file order. ``on_bytes`` gets how far into the file we are.

    Raises DumpError when the file is not well-formed XML or its root is not the expected one
    (for example Posts.xml given as Users.xml).
    """
    expected = FILES.get(path.name)
    try:
        with path.open("rb") as handle:
            _refuse_doctype(handle, path.name)
            # No DTD, hence no entity to expand (and expat >= 2.4 caps expansion anyway).
            events = ET.iterparse(handle, events=("start", "end"))  # noqa: S314
            root = None
            seen = 0
            for event, element in events:
                if root is None:
                    root = element
                    if expected and element.tag != expected:
                        raise DumpError(
                            _("%(file)s starts with <%(tag)s>, not <%(expected)s>: is it the right file?")
                            % {"file": path.name, "tag": element.tag, "expected": expected}
                        )
                    continue
                if event != "end" or element.tag != "row":
                    continue
                yield dict(element.attrib)
                element.clear()
                seen += 1
                if seen % 1000 == 0:
                    root.clear()  # drop the cleared rows the root still points to
                    if on_bytes is not None:
                        on_bytes(handle.tell())
            if on_bytes is not None:
                on_bytes(os.fstat(handle.fileno()).st_size)
    except ET.ParseError as exc:
        # The reason names the line and column ("not well-formed (invalid token): line 3, column 5").
        raise DumpError(_("%(file)s is not valid XML: %(reason)s.") % {"file": path.name, "reason": exc}) from exc
    except OSError as exc:
        raise DumpError(_("%(file)s cannot be read: %(reason)s.") % {"file": path.name, "reason": exc}) from exc
