"""federe people: export, recompute scores, review merge suggestions, merge and unmerge, signals, privacy."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from federe.accounts.models import Workspace
from federe.core.csvexport import csv_lines
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.people import privacy, queries
from federe.people.engagement import community, scoring
from federe.people.identities import evidence, merging, suggestions
from federe.people.models import Merge, MergeSuggestion, Person

ACTIONS = [
    "export",
    "recompute",
    "suggestions",
    "accept",
    "reject",
    "merge",
    "unmerge",
    "signals",
    "export-person",
    "erase",
]


class Command(WorkspaceCommand):
    action_argument = "action"

    help = (
        "People: 'export' writes the persons as CSV to standard output; 'recompute' recomputes scores; "
        "'suggestions' lists merge suggestions (--refresh looks for new ones); 'accept'/'reject' decide one; "
        "'merge' and 'unmerge' merge two persons or undo a merge; 'signals' lists newcomers, gone quiet and back "
        "(--digest e-mails them); 'export-person' prints everything about a person as JSON; 'erase' erases one."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=ACTIONS)
        add_workspace_argument(parser)
        parser.add_argument("--as", dest="username", help="The member acting (accept, reject, merge, unmerge, erase).")
        parser.add_argument("--segment", type=int, help="export: only the persons of this saved segment (id).")
        parser.add_argument("--refresh", action="store_true", help="suggestions: look for new suggestions first.")
        parser.add_argument("--suggestion", type=int, help="accept/reject: the suggestion id.")
        parser.add_argument("--keep", type=int, help="merge/accept: the person to keep (id).")
        parser.add_argument("--absorb", type=int, help="merge: the person merged into --keep (id).")
        parser.add_argument("--merge", dest="merge_id", type=int, help="unmerge: the merge id.")
        parser.add_argument("--person", type=int, help="export-person/erase: the person id.")
        parser.add_argument("--confirm", default="", help="erase: the person's name or id, to confirm.")
        parser.add_argument("--digest", action="store_true", help="signals: also e-mail the digest to the team.")

    # ----------------------------------------------------------------- helpers

    def _user(self, options: dict[str, Any]) -> Any:
        user = get_user_model().objects.filter(username=options["username"] or "").first()
        if user is None:
            raise CommandError("Name the member acting with --as USERNAME.")
        return user

    def _person(self, workspace: Workspace, pk: int | None, flag: str) -> Person:
        person = Person.objects.filter(workspace=workspace, pk=pk or 0).first()
        if person is None:
            raise CommandError(f"Give the id of a person of this workspace with {flag}.")
        return person

    # ----------------------------------------------------------------- actions

    def do_export(self, workspace: Workspace, options: dict[str, Any]) -> None:
        filters = None
        if options["segment"] is not None:
            segment = queries.segment_of(workspace, options["segment"])
            if segment is None:
                raise CommandError(f"No segment {options['segment']} in this workspace.")
            filters = queries.PeopleFilters.from_params(segment.filters)
        for line in csv_lines(queries.EXPORT_HEADER, queries.export_rows(workspace, filters), bom=False):
            self.stdout.write(line, ending="")

    def do_recompute(self, workspace: Workspace, options: dict[str, Any]) -> None:
        result = scoring.recompute(workspace)
        self.stdout.write(
            f"Recomputed {result.persons} persons ({result.edges_added} new reply links) in {result.seconds:.2f} s."
        )

    def do_suggestions(self, workspace: Workspace, options: dict[str, Any]) -> None:
        if options["refresh"]:
            found = suggestions.refresh_suggestions(workspace)
            self.stdout.write(
                f"{found.created} new, {found.updated} updated, {found.removed} gone, "
                f"{found.auto_merged} merged automatically."
            )
        for s in queries.suggestions(workspace)[:200]:
            reasons = "; ".join(f"{evidence.describe(sig)} (+{sig['weight']})" for sig in s.signals)
            self.stdout.write(
                f"{s.pk:>6} {s.total:>3} pts  {s.person_a.pk}:{s.person_a.display_name} ~ "
                f"{s.person_b.pk}:{s.person_b.display_name}  [{reasons}]"
            )

    def _suggestion(self, workspace: Workspace, options: dict[str, Any]) -> MergeSuggestion:
        found = MergeSuggestion.objects.filter(workspace=workspace, pk=options["suggestion"] or 0).first()
        if found is None:
            raise CommandError("Give a suggestion id of this workspace with --suggestion (see 'suggestions').")
        return found

    def do_accept(self, workspace: Workspace, options: dict[str, Any]) -> None:
        record = suggestions.accept_suggestion(
            self._suggestion(workspace, options), by=self._user(options), keep=options["keep"]
        )
        self.stdout.write(f"Merge {record.pk}: {record.absorbed_id} merged into {record.kept_id}.")

    def do_reject(self, workspace: Workspace, options: dict[str, Any]) -> None:
        suggestion = suggestions.reject_suggestion(self._suggestion(workspace, options), by=self._user(options))
        self.stdout.write(f"Suggestion {suggestion.pk} rejected.")

    def do_merge(self, workspace: Workspace, options: dict[str, Any]) -> None:
        user = self._user(options)
        keep = self._person(workspace, options["keep"], "--keep")
        absorb = self._person(workspace, options["absorb"], "--absorb")
        record = merging.merge(keep=keep, absorb=absorb, by=user)
        self.stdout.write(
            f"Merge {record.pk}: {absorb.pk} merged into {keep.pk} "
            f"({len(record.snapshot['identities'])} identities moved). Undo: federe people unmerge --merge {record.pk}"
        )

    def do_unmerge(self, workspace: Workspace, options: dict[str, Any]) -> None:
        user = self._user(options)
        record = Merge.objects.filter(workspace=workspace, pk=options["merge_id"] or 0).first()
        if record is None:
            raise CommandError("Give a merge id of this workspace with --merge.")
        merging.unmerge(record, by=user)
        self.stdout.write(f"Merge {record.pk} undone: {record.absorbed_id} is a separate person again.")

    def do_signals(self, workspace: Workspace, options: dict[str, Any]) -> None:
        community.refresh(workspace)
        for kind, items in community.all_signals(workspace).items():
            self.stdout.write(f"{kind} ({len(items)})")
            for s in items:
                self.stdout.write(f"  {s.person.pk:>6} {s.person.display_name}: {s.reason}")
        if options["digest"]:
            sent = community.send_digest(workspace)
            self.stdout.write(f"Digest sent to {sent} {'member' if sent == 1 else 'members'}.")

    def do_export_person(self, workspace: Workspace, options: dict[str, Any]) -> None:
        user = self._user(options)
        person = self._person(workspace, options["person"], "--person")
        data = privacy.export_person(person=person, by=user)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def do_erase(self, workspace: Workspace, options: dict[str, Any]) -> None:
        user = self._user(options)
        person = self._person(workspace, options["person"], "--person")
        counts = privacy.erase_person(person=person, by=user, confirm=options["confirm"])
        self.stdout.write(
            f"Erased: {counts['identities']} identities, {counts['messages']} messages anonymised, "
            f"{counts['notes']} notes."
        )
