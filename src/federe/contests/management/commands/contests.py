"""federe contests list|create|commit|entries|draw|verify: contests from the command line (--as a member for
changes). ``verify`` re-checks a draw from its published JSON file, or from a contest's stored data, with the same
script the certificate page offers (``contests/verify_draw.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import User, Workspace
from federe.contests import forms, queries, services, verify_draw
from federe.contests.models import Contest, EntryRule
from federe.contests.words import entry_status
from federe.core import params
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument

MAX_JSON_BYTES = 50_000_000


class Command(WorkspaceCommand):
    help = "Contests: list, create, commit, entries (--collect), draw (--value, --source), verify (a JSON file)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list", "create", "commit", "entries", "draw", "verify"])
        parser.add_argument("target", nargs="?", help="The contest's number (commit, entries, draw, verify) or a file.")
        add_workspace_argument(parser)
        parser.add_argument("--as", dest="username", help="The member who acts (create, commit, collect, draw).")
        parser.add_argument("--name", default="")
        parser.add_argument("--start", default="", help="2026-12-01T09:00 (the workspace's clock) or with an offset.")
        parser.add_argument("--end", default="")
        parser.add_argument("--rule", choices=EntryRule.values, default=EntryRule.HASHTAG)
        parser.add_argument("--term", default="", help="The hashtag or the keyword.")
        parser.add_argument("--reply-to", type=int, default=None, help="The message's number (reply rule, quiz).")
        parser.add_argument("--question", action="append", default=[], help='"Question? = answer | other answer"')
        parser.add_argument("--channel", type=int, action="append", default=[], help="A channel's number; all if none.")
        parser.add_argument("--winners", type=int, default=1)
        parser.add_argument("--min-days", type=int, default=None)
        parser.add_argument("--source", default="", help="create: the public value's source; draw: where it is.")
        parser.add_argument("--value", default="", help="draw: the public random value.")
        parser.add_argument("--collect", action="store_true", help="entries: read the stored messages again first.")

    def _member(self, workspace: Workspace, options: dict[str, Any]) -> User:
        user = User.objects.filter(username=options["username"] or "", memberships__workspace=workspace).first()
        if user is None:
            raise CommandError(_("Give --as with the username of a member of the workspace."))
        return user

    def _contest(self, workspace: Workspace, options: dict[str, Any]) -> Contest:
        try:
            return queries.contest(workspace, int(options["target"] or 0))
        except (Contest.DoesNotExist, ValueError) as exc:
            raise CommandError(_("No contest %(id)s in this workspace.") % {"id": options["target"]}) from exc

    def do_list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = list(queries.contests(workspace))
        if not rows:
            self.stdout.write(_("No contest yet."))
        for c in rows:
            total = getattr(c, "entry_count", 0)
            entries = ngettext("%(count)d entry", "%(count)d entries", total) % {"count": total}
            self.stdout.write(
                f"{c.pk} · {c.name} · {c.get_stage_display()} · {c.starts_at:%Y-%m-%d %H:%M} → "
                f"{c.ends_at:%Y-%m-%d %H:%M} UTC · {entries} · /draws/{c.public_id}/"
            )

    def do_create(self, workspace: Workspace, options: dict[str, Any]) -> None:
        zone = ZoneInfo(workspace.timezone)
        fields = services.Fields(
            name=options["name"],
            starts_at=params.moment(options["start"], zone),
            ends_at=params.moment(options["end"], zone),
            rule=options["rule"],
            term=options["term"],
            reply_to_id=options["reply_to"],
            channel_ids=options["channel"],
            winners_count=options["winners"],
            min_account_days=options["min_days"],
            public_source=options["source"],
            questions=forms.parse_questions("\n".join(options["question"])),
        )
        contest = services.add(workspace=workspace, fields=fields, by=self._member(workspace, options))
        self.stdout.write(_("Contest %(id)d created: %(name)s.") % {"id": contest.pk, "name": contest.name})

    def do_commit(self, workspace: Workspace, options: dict[str, Any]) -> None:
        contest = services.commit(contest=self._contest(workspace, options), by=self._member(workspace, options))
        self.stdout.write(_("Commitment published: %(hash)s") % {"hash": contest.commitment})

    def do_entries(self, workspace: Workspace, options: dict[str, Any]) -> None:
        contest = self._contest(workspace, options)
        if options["collect"]:
            services.collect_entries(contest=contest, by=self._member(workspace, options))
        for e in queries.entries(contest):
            self.stdout.write(f"{e.pk} · {e.name} · {e.key} · {e.posted_at:%Y-%m-%d %H:%M} · {entry_status(e)}")
        counts = queries.counts(contest)
        self.stdout.write(
            ngettext(
                "Eligible: %(eligible)d of %(count)d entry.",
                "Eligible: %(eligible)d of %(count)d entries.",
                counts["entry_count"],
            )
            % {"eligible": counts["eligible_count"], "count": counts["entry_count"]}
        )

    def do_draw(self, workspace: Workspace, options: dict[str, Any]) -> None:
        contest = services.run_draw(
            contest=self._contest(workspace, options),
            public_value=options["value"],
            source=options["source"],
            by=self._member(workspace, options),
        )
        self.stdout.write(_("Entry list hash: %(hash)s") % {"hash": contest.entries_sha256})
        self.stdout.write(_("Seed: %(seed)s") % {"seed": contest.seed_hex})
        for rank, winner in enumerate(contest.published["winners"], start=1):
            self.stdout.write(f"{rank}. {winner['name']} ({winner['key']})")

    def do_verify(self, workspace: Workspace, options: dict[str, Any]) -> None:
        target = options["target"] or ""
        path = Path(target)
        if path.is_file():
            if path.stat().st_size > MAX_JSON_BYTES:
                raise CommandError(_("This file is too large to be a draw's data."))
            try:
                published = json.loads(path.read_text(encoding="utf-8"))
                results = verify_draw.verify(published)
            except (ValueError, KeyError, TypeError) as exc:
                raise CommandError(_("This file is not a draw's published data.")) from exc
        else:
            contest = self._contest(workspace, options)
            if not contest.published:
                raise CommandError(_("This contest has not been drawn yet."))
            results = verify_draw.verify(contest.published)
        for label, passed in results:
            self.stdout.write(("OK    " if passed else "FAIL  ") + label)
        if not all(passed for _label, passed in results):
            raise CommandError(_("The draw does not check out."))
