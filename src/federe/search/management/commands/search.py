"""federe search "words" --workspace SLUG [filters]: the messages found, best first, one per line with the
matching words in [brackets]; federe search reindex [--workspace SLUG]: write the search documents of the
messages stored before search existed (batched, with progress). To search for the word "reindex" itself, quote
it: federe search '"reindex"'."""

from __future__ import annotations

import html
import re
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument, workspace_named
from federe.search import backends, indexing
from federe.search.forms import NOBODY, SearchForm

_MARK = re.compile(r"</?mark>")


class Command(WorkspaceCommand):
    help = 'Search every message of a workspace ("quoted phrases" too), or rebuild the search index (reindex).'

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("words", nargs="+", help='The words and "quoted phrases" to find; or reindex.')
        add_workspace_argument(parser, required=False, help="The workspace's short name (reindex: all if none).")
        parser.add_argument("--author", default="", help="Part of the author's name or handle.")
        parser.add_argument("--channel", default="", help="A channel's id.")
        parser.add_argument("--since", default="", help="First day, YYYY-MM-DD.")
        parser.add_argument("--until", default="", help="Last day, YYYY-MM-DD (included).")
        parser.add_argument("--status", default="", help="The thread's status: new, assigned, answered, closed.")
        parser.add_argument("--assignee", default="", help=f'A member\'s user id, or "{NOBODY}".')
        parser.add_argument("--sentiment", default="", help="positive, neutral or negative.")
        parser.add_argument("--label", default="", help="A label's id.")
        parser.add_argument("--page", type=int, default=1, help="Which page of 20 results.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["words"] == ["reindex"]:
            self._reindex(options)
            return
        if not options["workspace"]:
            raise CommandError(_("Say which workspace: --workspace SLUG."))
        workspace = workspace_named(options["workspace"])
        fields = ("author", "channel", "since", "until", "status", "assignee", "sentiment", "label")
        form = SearchForm(workspace, {"q": " ".join(options["words"]), **{name: options[name] for name in fields}})
        if not form.is_valid():
            raise CommandError(form.first_error())
        page = min(max(options["page"], 1), backends.COUNT_LIMIT)
        found = backends.search(workspace, form.query, page=page)
        for result in found.results:
            m = result.message
            text = html.unescape(_MARK.sub(lambda tag: "]" if tag.group().startswith("</") else "[", result.excerpt))
            self.stdout.write(f"{m.posted_at:%Y-%m-%d %H:%M} · {m.connection.name} · {m.author or '-'} · ")
            self.stdout.write(
                _("thread %(thread)s, message %(message)s") % {"thread": m.conversation_id, "message": m.pk}
            )
            self.stdout.write(f"  {' '.join(text.split())}")
        if found.more_than_counted:
            summary = ngettext(
                "More than %(count)s message found.", "More than %(count)s messages found.", found.total
            ) % {"count": found.total}
        else:
            summary = ngettext("%(count)s message found.", "%(count)s messages found.", found.total) % {
                "count": found.total
            }
        self.stdout.write(summary)

    def _reindex(self, options: dict[str, Any]) -> None:
        workspace_id = workspace_named(options["workspace"]).pk if options["workspace"] else None
        done = 0
        for done, total in indexing.reindex(workspace_id):
            line = ngettext("%(done)s of %(total)s message indexed", "%(done)s of %(total)s messages indexed", total)
            self.stdout.write(line % {"done": done, "total": total})
        self.stdout.write(ngettext("%(count)s message indexed.", "%(count)s messages indexed.", done) % {"count": done})
