"""federe nlp: score text, evaluate the shipped models, rebuild them, and manage each workspace's own models."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.nlp import evaluate, functional, learning, training
from federe.nlp.base import TASKS
from federe.nlp.deep.backend import usable as deep_usable
from federe.nlp.deep.encoder import DEFAULT as DEFAULT_ENCODER
from federe.nlp.deep.encoder import ENCODERS
from federe.nlp.models import WorkspaceModel
from federe.nlp.pipeline import score_lines


class Command(WorkspaceCommand):
    help = "Classifiers: score text from standard input, evaluate, train, and manage workspace models."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        score = sub.add_parser("score", help="Read one text per line on standard input; print one JSON per line.")
        score.add_argument("task", choices=TASKS)
        add_workspace_argument(score, required=False, help="Use this workspace's own model (short name).")
        score.add_argument("--explain", action="store_true", help="Add the terms that pushed each score.")
        ev = sub.add_parser("evaluate", help="Measure the shipped models on ../shared/datasets.")
        ev.add_argument(
            "--only",
            nargs="+",
            choices=[*evaluate.SECTIONS, "sentiment", "deep", "workspace"],
            help="Only these parts.",
        )
        ev.add_argument("--umsab", type=Path, help="Folder of UMSAB sentiment data (local, research-only).")
        ev.add_argument("--markdown", action="store_true", help="Print a Markdown table.")
        ev.add_argument(
            "--encoder",
            choices=[*ENCODERS, "all"],
            default=DEFAULT_ENCODER,
            help="The deep tier with this encoder's heads, or every installed one (default: use).",
        )
        ev.add_argument(
            "--functional",
            nargs="?",
            type=Path,
            const=functional.CASES,
            metavar="CSV",
            help="Only our functional suite (default tests/nlp/functional/cases.csv): accuracy per functionality.",
        )
        deep_train = sub.add_parser("train-deep", help="Rebuild the deep tier's heads from ../shared/datasets.")
        deep_train.add_argument("--task", choices=["sentiment", "toxicity", "spam"], nargs="+")
        deep_train.add_argument(
            "--encoder", choices=list(ENCODERS), default=DEFAULT_ENCODER, help="Whose heads (default: use)."
        )
        train = sub.add_parser("train", help="Rebuild the shipped spam and toxicity models from ../shared/datasets.")
        train.add_argument("--task", choices=["spam", "toxicity"], nargs="+", default=["spam", "toxicity"])
        learn = sub.add_parser("learn", help="Train a new version of a workspace's model now.")
        add_workspace_argument(learn)
        learn.add_argument("--task", choices=learning.LEARNED_TASKS, required=True)
        models = sub.add_parser("models", help="List a workspace's model versions and their held-out scores.")
        add_workspace_argument(models)
        act = sub.add_parser("activate", help="Switch on a stored version (rollback), or 'shipped'.")
        add_workspace_argument(act)
        act.add_argument("--task", choices=learning.LEARNED_TASKS, required=True)
        act.add_argument("--version", required=True, help="A version number, or 'shipped'.")
        act.add_argument("--as", dest="username", required=True, help="The moderator making the change.")
        deep = sub.add_parser(
            "backfill-deep", help="Refine stored messages with the deep tier, in batches, with progress (resumable)."
        )
        add_workspace_argument(deep, required=False, help="Only this workspace (default: every workspace).")
        deep.add_argument("--batch", type=int, default=128, help="Messages per batch (default 128).")
        deep.add_argument("--queue-only", action="store_true", help="Queue the messages for the worker and return.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.run(options["what"], options)

    def do_score(self, options: dict[str, Any]) -> None:
        workspace = self.workspace_from(options) if options["workspace"] is not None else None
        lines = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
        for out in score_lines(
            options["task"], lines, workspace_id=workspace.pk if workspace else None, explain=options["explain"]
        ):
            self.stdout.write(json.dumps(out, ensure_ascii=False))

    def do_evaluate(self, options: dict[str, Any]) -> None:
        if options["functional"]:
            return self._functional(options["functional"], options["markdown"])
        parts = options["only"] or list(evaluate.SECTIONS)
        rows = []
        for part in parts:
            if part in evaluate.SECTIONS:
                self.stderr.write(f"evaluating {part}…")
                rows += evaluate.SECTIONS[part]()
        wanted = list(ENCODERS) if options["encoder"] == "all" else [options["encoder"]]
        encoders = [name for name in wanted if deep_usable(name)] if "deep" in parts or not options["only"] else []
        for name in set(wanted) - set(encoders) if "deep" in parts else ():
            self.stderr.write(f"deep tier with {name}: not installed here (its package or heads are missing)")
        if encoders:
            from federe.nlp.deep import evaluate as deep_evaluate

            for name in encoders:
                self.stderr.write(f"evaluating the deep tier with {name}…")
                rows += deep_evaluate.rows(name)
        if "workspace" in parts and deep_usable():
            from federe.nlp.refine import workspace_eval

            self.stderr.write("evaluating a workspace's own deep toxicity model…")
            rows += workspace_eval.toxicity_rows()
        if options["umsab"]:
            self.stderr.write("evaluating sentiment on UMSAB (local)…")
            if parts != ["deep"] and parts != ["workspace"]:
                rows += evaluate.umsab_rows(options["umsab"])
            for name in encoders:
                rows += deep_evaluate.umsab_rows(options["umsab"], name)
            if "workspace" in parts and deep_usable():
                from federe.nlp.refine import workspace_eval

                for name in [n for n in wanted if deep_usable(n)]:
                    self.stderr.write(f"evaluating a workspace's own deep model with {name} on UMSAB (local)…")
                    rows += workspace_eval.umsab_rows(options["umsab"], name)
        elif "sentiment" in parts or not options["only"]:
            self.stderr.write("sentiment: no redistributable labelled data here; pass --umsab DIR to evaluate locally")
        self.stdout.write(evaluate.as_table(rows, markdown=options["markdown"]))

    def _functional(self, path: Path, markdown: bool) -> None:
        self.stderr.write(f"scoring the functional suite {path} with the fast tier and with `federe nlp score`…")
        try:
            lines, models = functional.run(functional.SCORERS, path)
        except functional.SuiteError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(functional.as_table(lines, list(models), markdown=markdown))
        self.stdout.write("")
        if len(models) < len(functional.SCORERS):
            self.stdout.write("No deep tier here: `federe nlp score` used the same models as the fast tier.")
        for name, used in models.items():
            total = lines[-1].tally(name, functional.ALL)
            self.stdout.write(f"{name}: {total.total} cases, {total.not_scored} not scored (counted as misses).")
            for task, ids in sorted(used.items()):
                self.stdout.write(f"- {task}: {', '.join(sorted(ids))}")

    def do_train(self, options: dict[str, Any]) -> None:
        for task in options["task"]:
            self.stderr.write(f"training {task}…")
            card = training.train_shipped(task)
            self.stdout.write(f"{task}: {card['training_examples']} examples → {training.MODELS_DIR / task}.npz")

    def do_train_deep(self, options: dict[str, Any]) -> None:
        from federe.nlp.deep import train as deep_train
        from federe.nlp.deep.heads import heads_dir

        name = options["encoder"]
        for task in options["task"] or list(deep_train.TRAINERS):
            self.stderr.write(f"training the deep {task} head for the {name} encoder…")
            done = deep_train.train(task, name)
            self.stdout.write(f"{task}: {done['examples']} examples → {heads_dir(name) / task}.npz")

    def do_learn(self, options: dict[str, Any]) -> None:
        workspace = self.workspace_from(options)
        row = learning.train(workspace, options["task"])
        self.stdout.write(self._describe(row))

    def do_models(self, options: dict[str, Any]) -> None:
        workspace = self.workspace_from(options)
        rows = WorkspaceModel.objects.filter(workspace=workspace).order_by("task", "-version")
        if not rows:
            self.stdout.write("No workspace model yet: the shipped models are in use.")
        for row in rows:
            self.stdout.write(self._describe(row))

    def do_activate(self, options: dict[str, Any]) -> None:
        workspace = self.workspace_from(options)
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        version = None if options["version"] == "shipped" else int(options["version"])
        learning.activate(workspace, options["task"], version, by=user)
        self.stdout.write(f"{options['task']}: {'shipped model' if version is None else f'version {version}'} on")

    def do_backfill_deep(self, options: dict[str, Any]) -> None:
        from federe.nlp.refine import command

        workspace = self.workspace_from(options) if options["workspace"] is not None else None
        command.run(self.stdout, workspace, batch=options["batch"], queue_only=options["queue_only"])

    @staticmethod
    def _describe(row: WorkspaceModel) -> str:
        m = row.metrics
        if "check" in m:
            c = m["check"]
            held = (
                f"{m.get('kind', 'fast')}, {c['folds']}-fold check on {c['labels']} labels: current "
                f"({m.get('current_model', 'shipped')}) F1 {c['current']:.3f} → new F1 {c['candidate']:.3f}"
            )
        elif "model" in m:
            held = f"held-out {m['heldout']}: prior F1 {m['prior']['f1']:.3f} → model F1 {m['model']['f1']:.3f}"
        else:
            held = m.get("note", "")
        state = "ON " if row.active else "off"
        return f"{row.task:<9} v{row.version:<3} {state} {row.labels_used} labels, {held}"
