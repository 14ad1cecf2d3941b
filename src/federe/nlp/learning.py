"""Each workspace's own models, learned from its moderators' decisions and sentiment corrections.

- A moderator's decision is a label: *spam* → spam; *approve* → not spam and not toxic; *remove*, *delete*,
  *ban* → toxic. A sentiment correction is a sentiment label. The latest judgement of a message wins.
- Once ``FEDERE_NLP_RETRAIN_AFTER`` new labels have arrived for a task, a background task trains a new version.
- Training holds out the most recent quarter of each kind of label, fits on the rest, and measures the shipped prior and
  the new model on the held-out part. Then it refits on every label and stores the version with those figures.
  A version that does worse than the prior on the held-out labels is kept but not switched on.
- Any version can be switched on again (rollback), or the workspace can go back to the shipped model alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.nlp.backends import shipped
from federe.nlp.base import LABELS, POSITIVE, Backend, DocBatch, Score
from federe.nlp.linear import LinearModel, StackedBackend, prior_logits
from federe.nlp.models import Label, LabelSource, WorkspaceModel
from federe.nlp.text import prepare
from federe.nlp.training import fit

log = logging.getLogger(__name__)

LEARNED_TASKS = ("spam", "toxicity", "sentiment")
#: Fewer labels than this (or a single class) is not enough to learn anything.
MIN_LABELS = 10
HELD_OUT_SHARE = 0.25
STACKED_C = 1.0

DECISION_LABELS: dict[str, list[tuple[str, str]]] = {
    "spam": [("spam", "spam")],
    "approve": [("spam", "ham"), ("toxicity", "ok")],
    "remove": [("toxicity", "toxic")],
    "delete": [("toxicity", "toxic")],
    "ban": [("toxicity", "toxic")],
}


def fit_stacked(task: str, prior: Backend, batch: DocBatch, labels: Sequence[str]) -> LinearModel:
    """A model over the shared features plus the prior's log-odds (the same code for workspaces and evaluation)."""
    extra = prior_logits(prior, batch)
    names = ("prior",) if extra.shape[1] == 1 else tuple(f"prior:{label}" for label in LABELS[task])
    return fit(task, batch, labels, c=STACKED_C, extra=extra, extra_names=names)


def figures(task: str, truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """F1 of the positive class for spam and toxicity, macro-F1 for sentiment, and accuracy."""
    from sklearn.metrics import accuracy_score, f1_score

    if task in POSITIVE:
        f1 = f1_score(truth, predicted, pos_label=POSITIVE[task], average="binary", zero_division=0)
    else:
        f1 = f1_score(truth, predicted, labels=list(LABELS[task]), average="macro", zero_division=0)
    return {"f1": round(float(f1), 4), "accuracy": round(float(accuracy_score(truth, predicted)), 4)}


def predict(backend: Backend, batch: DocBatch) -> list[str]:
    default = {"language": "other", "sentiment": "neutral"}.get(backend.task, LABELS[backend.task][0])
    return [r.label if isinstance(r, Score) else default for r in backend.score(batch)]


# Labels ---------------------------------------------------------------------------------------------------------
def _upsert(workspace_id: int, pairs: list[tuple[int, str, str]], source: str, user: Any) -> int:
    now = timezone.now()
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    existing = {
        (message_id, task): pk
        for pk, message_id, task in Label.objects.filter(
            workspace_id=workspace_id, message_id__in={p[0] for p in pairs}
        ).values_list("pk", "message_id", "task")
    }
    new: list[Label] = []
    changed: list[Label] = []
    for message_id, task, value in pairs:
        pk = existing.get((message_id, task))
        row = Label(pk=pk, workspace_id=workspace_id, message_id=message_id, task=task, value=value, source=source)
        row.user_id = user_id
        row.updated_at = now
        (changed if pk else new).append(row)
    Label.objects.bulk_create(new)
    Label.objects.bulk_update(changed, ["value", "source", "user", "updated_at"])
    return len(pairs)


def record_decision(workspace_id: int, message_ids: Sequence[int], action: str, user: Any) -> None:
    pairs = [(pk, task, value) for pk in message_ids for task, value in DECISION_LABELS.get(action, [])]
    if pairs:
        _upsert(workspace_id, pairs, LabelSource.DECISION, user)
        for task in {task for _, task, _ in pairs}:
            schedule_if_due(workspace_id, task)


def correct_sentiment(message: Any, value: str, by: Any) -> None:
    """A person says what the tone of a message really is; the message shows it and the model learns it."""
    require(by, message.workspace, Perm.REPLY)
    if value not in LABELS["sentiment"]:
        raise ValidationError({"sentiment": _("Choose negative, neutral or positive.")})
    _upsert(message.workspace_id, [(message.pk, "sentiment", value)], LabelSource.CORRECTION, by)
    info = dict(message.nlp or {})
    info["sentiment_corrected_from"] = message.sentiment
    type(message).objects.filter(pk=message.pk).update(sentiment=value, sentiment_score=1.0, nlp=info)
    message.sentiment, message.sentiment_score, message.nlp = value, 1.0, info
    audit.record(
        "nlp.sentiment_corrected", workspace=message.workspace, actor=by, target=message, details={"to": value}
    )
    schedule_if_due(message.workspace_id, "sentiment")


def labels_since_last_version(workspace_id: int, task: str) -> int:
    last = WorkspaceModel.objects.filter(workspace_id=workspace_id, task=task).aggregate(at=Max("created_at"))["at"]
    labels = Label.objects.filter(workspace_id=workspace_id, task=task)
    if last is not None:
        labels = labels.filter(updated_at__gt=last)
    return labels.count()


def schedule_if_due(workspace_id: int, task: str) -> bool:
    if labels_since_last_version(workspace_id, task) < settings.FEDERE_NLP_RETRAIN_AFTER:
        return False
    from federe.nlp.tasks import retrain_task

    transaction.on_commit(lambda: retrain_task.enqueue(workspace_id, task))
    return True


# Training -------------------------------------------------------------------------------------------------------
def _labelled(workspace_id: int, task: str) -> tuple[list[str], list[str]]:
    rows = (
        Label.objects.filter(workspace_id=workspace_id, task=task)
        .order_by("updated_at", "pk")
        .values_list("message__body_text", "value")
    )
    texts, values = [], []
    for text, value in rows:
        if value in LABELS[task]:
            texts.append(text)
            values.append(value)
    return texts, values


def held_out(values: Sequence[str]) -> set[int]:
    """Indexes of the most recent quarter of each kind of label (values are in time order), so that the held-out
    part has every kind a workspace labelled, however the labels were spread in time."""
    by_kind: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        by_kind.setdefault(value, []).append(i)
    held: set[int] = set()
    for indexes in by_kind.values():
        if len(indexes) >= 4:
            held.update(indexes[-max(1, round(len(indexes) * HELD_OUT_SHARE)) :])
    return held


def train(workspace: Any, task: str, *, by: Any = None) -> WorkspaceModel:
    """Train, measure and store a new version of the workspace's model for ``task``."""
    if by is not None:
        require(by, workspace, Perm.MODERATE)
    if task not in LEARNED_TASKS:
        raise ValidationError({"task": _("Only spam, toxicity and sentiment learn from this workspace.")})
    texts, values = _labelled(workspace.pk, task)
    _require_enough(texts, values)
    prior = shipped(task)
    metrics = _held_out_figures(task, prior, texts, values)
    full = fit_stacked(task, prior, DocBatch([prepare(t) for t in texts]), values)
    better = "model" not in metrics or metrics["model"]["f1"] >= metrics["prior"]["f1"]
    return _store(workspace, task, full, metrics, better, by)


def _require_enough(texts: Sequence[str], values: Sequence[str]) -> None:
    if len(texts) < MIN_LABELS or len(set(values)) < 2:
        raise ValidationError(
            {
                "task": _(
                    "Not enough labels to learn yet: %(labels)s, %(kinds)s; at least %(min)d of two kinds are needed."
                )
                % {
                    "labels": ngettext("%(n)d label", "%(n)d labels", len(texts)) % {"n": len(texts)},
                    "kinds": ngettext("of %(k)d kind", "of %(k)d kinds", len(set(values))) % {"k": len(set(values))},
                    "min": MIN_LABELS,
                }
            }
        )


def _held_out_figures(task: str, prior: Backend, texts: Sequence[str], values: Sequence[str]) -> dict[str, Any]:
    """The prior's and a candidate's figures on the held-out labels (see :func:`held_out`), when there are enough."""
    held = held_out(values)
    train_idx = [i for i in range(len(texts)) if i not in held]
    metrics: dict[str, Any] = {
        "labels": len(texts),
        "split": "the most recent 25% of the labels of each kind, held out",
    }
    if len({values[i] for i in train_idx}) >= 2 and len(held) >= 3:
        train_batch = DocBatch([prepare(texts[i]) for i in train_idx])
        test_batch = DocBatch([prepare(texts[i]) for i in sorted(held)])
        model = fit_stacked(task, prior, train_batch, [values[i] for i in train_idx])
        candidate = StackedBackend(task, prior, model, "candidate")
        truth = [values[i] for i in sorted(held)]
        metrics.update(
            heldout=len(truth),
            prior=figures(task, truth, predict(prior, test_batch)),
            model=figures(task, truth, predict(candidate, test_batch)),
        )
    else:
        metrics["note"] = "too few labels of each kind to hold some out; no figures"
    return metrics


def _store(
    workspace: Any, task: str, full: LinearModel, metrics: dict[str, Any], better: bool, by: Any
) -> WorkspaceModel:
    """The next version, switched on when it does at least as well as the prior on the held-out labels."""
    with transaction.atomic():
        version = (
            WorkspaceModel.objects.filter(workspace=workspace, task=task).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        if better:
            WorkspaceModel.objects.filter(workspace=workspace, task=task, active=True).update(active=False)
        row = WorkspaceModel.objects.create(
            workspace=workspace,
            task=task,
            version=version,
            weights=full.to_bytes(),
            labels_used=metrics["labels"],
            metrics=metrics,
            active=better,
            trained_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record(
            "nlp.model_trained",
            workspace=workspace,
            actor=by,
            actor_label="" if by else "system",
            target=row,
            details={"task": task, "version": version, "active": better, "labels": metrics["labels"]},
        )
    return row


def activate(workspace: Any, task: str, version: int | None, *, by: Any) -> None:
    """Switch on one stored version (a rollback), or ``None`` to use the shipped model alone."""
    require(by, workspace, Perm.MODERATE)
    with transaction.atomic():
        rows = WorkspaceModel.objects.select_for_update().filter(workspace=workspace, task=task)
        if version is not None and not rows.filter(version=version).exists():
            raise ValidationError({"version": _("This version does not exist.")})
        rows.filter(active=True).update(active=False)
        if version is not None:
            rows.filter(version=version).update(active=True)
        audit.record(
            "nlp.model_activated",
            workspace=workspace,
            actor=by,
            details={"task": task, "version": version if version is not None else "shipped"},
        )


def learning_curve(
    task: str, prior: Backend, pool: Sequence[tuple[str, str]], test: Sequence[tuple[str, str]], steps: Sequence[int]
) -> list[dict[str, Any]]:
    """Scores on ``test`` after learning from the first n labels of ``pool``, for each n in ``steps``."""
    test_batch = DocBatch([prepare(t) for t, _ in test])
    truth = [label for _, label in test]
    rows = [{"labels": 0, **figures(task, truth, predict(prior, test_batch))}]
    for n in steps:
        head = pool[:n]
        if len(head) < n or len({label for _, label in head}) < 2:
            continue
        model = fit_stacked(task, prior, DocBatch([prepare(t) for t, _ in head]), [label for _, label in head])
        rows.append(
            {"labels": n, **figures(task, truth, predict(StackedBackend(task, prior, model, "curve"), test_batch))}
        )
    return rows
