"""Each workspace's own models, learned from its moderators' decisions and sentiment corrections.

- A moderator's decision is a label: *spam* → spam; *approve* → not spam and not toxic; *remove*, *delete*,
  *ban* → toxic. A sentiment correction is a sentiment label. The latest judgement of a message wins.
- Once ``FEDERE_NLP_RETRAIN_AFTER`` new labels have arrived for a task, a background task trains a new version.
- With the deep tier installed, the model is a head on the workspace-centred encoder vectors stacked on the shipped
  head's log-odds, self-trained on a sample of the workspace's unlabelled messages (``refine.adapt``); without it, a
  logistic regression over the fast tier's features stacked on the shipped model's log-odds.
- Before a version is switched on, stratified k-fold cross-validation on the workspace's labels compares it with the
  current model (the switched-on version, or the shipped model) on identical folds; it is switched on only when its
  mean F1 is at least ``MARGIN`` higher. Both figures are stored with the version; a version that does not win is
  kept, off.
- Any version can be switched on again (rollback), or the workspace can go back to the shipped model alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
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
from federe.nlp import switch
from federe.nlp.backends import shipped
from federe.nlp.base import LABELS, POSITIVE, Backend, Doc, DocBatch, Score
from federe.nlp.linear import LinearModel, StackedBackend, prior_logits
from federe.nlp.models import Label, LabelSource, WorkspaceModel
from federe.nlp.switch import figures
from federe.nlp.text import prepare
from federe.nlp.training import fit

log = logging.getLogger(__name__)

LEARNED_TASKS = ("spam", "toxicity", "sentiment")
#: Fewer labels than this (or a single class) is not enough to learn anything.
MIN_LABELS = 10
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
@dataclass
class Labelled:
    """A task's labels in time order: the message, its text and language, the label."""

    message_ids: list[int]
    texts: list[str]
    languages: list[str]
    values: list[str]


def _labelled(workspace_id: int, task: str) -> Labelled:
    rows = (
        Label.objects.filter(workspace_id=workspace_id, task=task)
        .order_by("updated_at", "pk")
        .values_list("message_id", "message__body_text", "message__language", "value")
    )
    out = Labelled([], [], [], [])
    for message_id, text, language, value in rows:
        if value in LABELS[task]:
            out.message_ids.append(message_id)
            out.texts.append(text)
            out.languages.append(language or "")
            out.values.append(value)
    return out


def deep_enabled() -> bool:
    """Whether workspace models learn on the deep tier: it is installed, it runs (``FEDERE_NLP_DEEP``: its
    background tier is what applies a workspace's head), and ``FEDERE_NLP_LEARN_DEEP`` does not turn it off."""
    if not settings.FEDERE_NLP_LEARN_DEEP or not settings.FEDERE_NLP_DEEP:
        return False
    from federe.nlp.deep import backend as deep

    return deep.usable()


def train(workspace: Any, task: str, *, by: Any = None) -> WorkspaceModel:
    """Train a new version of the workspace's model for ``task``, check it against the current model by
    cross-validation on the workspace's labels, store it, and switch it on only if it wins."""
    if by is not None:
        require(by, workspace, Perm.MODERATE)
    if task not in LEARNED_TASKS:
        raise ValidationError({"task": _("Only spam, toxicity and sentiment learn from this workspace.")})
    data = _labelled(workspace.pk, task)
    _require_enough(data.texts, data.values)
    if deep_enabled():
        keep = [i for i, lang in enumerate(data.languages) if lang in ("fr", "en")]
        deep_data = Labelled(*([column[i] for i in keep] for column in vars(data).values()))
        if len(deep_data.texts) >= MIN_LABELS and len(set(deep_data.values)) >= 2:
            weights, metrics = _train_deep(workspace.pk, task, deep_data)
            return _store(workspace, task, weights, metrics, by)
    prior = shipped(task)
    batch = DocBatch([prepare(t) for t in data.texts])
    current = _current_fast(workspace.pk, task)

    def fit_predict(train_idx: Sequence[int], test_idx: Sequence[int]) -> list[str]:
        model = fit_stacked(task, prior, _subset(batch, train_idx), [data.values[i] for i in train_idx])
        return predict(StackedBackend(task, prior, model, "candidate"), _subset(batch, test_idx))

    check = switch.cross_validate(task, data.values, fit_predict, predict(current, batch))
    full = fit_stacked(task, prior, batch, data.values)
    metrics = switch.metrics("fast", len(data.texts), check, _current_name(workspace.pk, task))
    return _store(workspace, task, full.to_bytes(), metrics, by)


def _subset(batch: DocBatch, rows: Sequence[int]) -> DocBatch:
    return DocBatch([batch.docs[i] for i in rows])


def _train_deep(workspace_id: int, task: str, data: Labelled) -> tuple[bytes, dict[str, Any]]:
    """The deep tier's candidate (``refine.adapt``): encode the labelled messages and an unlabelled sample, check
    the candidate against the current model on identical folds, then fit on every label."""
    import numpy as np

    from federe.nlp.backends import chosen_encoder
    from federe.nlp.deep import encoder
    from federe.nlp.refine import adapt, centre

    name = chosen_encoder(workspace_id)  # the head learns on the vectors of the encoder that scores the workspace
    centres = centre.current(workspace_id, name)
    docs = [prepare(t, language=lang) for t, lang in zip(data.texts, data.languages, strict=True)]
    vectors = encoder.encode([d.text for d in docs], name)
    x = adapt.features(task, vectors, docs, centres, name)
    unlabelled = _unlabelled_sample(workspace_id, set(data.message_ids))
    x_unlabelled = (
        adapt.features(task, encoder.encode([d.text for d in unlabelled], name), unlabelled, centres, name)
        if unlabelled
        else np.zeros((0, x.shape[1]))
    )
    y = data.values
    current = _current_deep(workspace_id, task, data, vectors, x, centres, name)

    def fit_predict(train_idx: Sequence[int], test_idx: Sequence[int]) -> list[str]:
        model, _used = adapt.self_trained(task, x[list(train_idx)], [y[i] for i in train_idx], x_unlabelled)
        return model.predict(x[list(test_idx)])

    check = switch.cross_validate(task, y, fit_predict, current)
    full, used = adapt.self_trained(task, x, y, x_unlabelled)
    metrics = switch.metrics("deep", len(y), check, _current_name(workspace_id, task))
    metrics["encoder"] = name
    metrics["self_training"] = {
        "unlabelled": len(unlabelled),
        "pseudo_labels": used,
        "threshold": adapt.PSEUDO_THRESHOLD,
        "weight": adapt.PSEUDO_WEIGHT,
    }
    return full.to_bytes(), metrics


def _unlabelled_sample(workspace_id: int, labelled: set[int]) -> list[Doc]:
    """The workspace's most recent unlabelled French and English messages, at most ``UNLABELLED_SAMPLE``."""
    from federe.inbox.models import Message
    from federe.nlp.refine import adapt

    rows = (
        Message.objects.filter(workspace_id=workspace_id, language__in=adapt.LANGUAGES)
        .exclude(pk__in=list(labelled))
        .order_by("-pk")
        .values_list("body_text", "language")[: adapt.UNLABELLED_SAMPLE]
    )
    return [prepare(text, language=language) for text, language in rows]


def _active_row(workspace_id: int, task: str) -> WorkspaceModel | None:
    return WorkspaceModel.objects.filter(workspace_id=workspace_id, task=task, active=True).first()


def _current_name(workspace_id: int, task: str) -> str:
    row = _active_row(workspace_id, task)
    return f"v{row.version}" if row else "shipped"


def _current_fast(workspace_id: int, task: str) -> Backend:
    """The fast tier's model that scores the workspace now (a deep version is not used by the fast tier)."""
    from federe.nlp.backends import for_workspace

    return for_workspace(workspace_id, task)


def _current_deep(
    workspace_id: int, task: str, data: Labelled, vectors: Any, x: Any, centres: dict[str, Any], name: str
) -> list[str]:
    """What the workspace's current model says of its labelled messages: its switched-on version as it stands
    (it may have learned some of these labels, which favours it: the switch is cautious), else the shipped deep
    head where it replaces the fast tier (spam combined with the n-gram model, as the background tier does), else
    the shipped fast model. ``x``: the labelled messages' workspace-head inputs, already built from ``vectors``."""
    from federe.nlp.deep import heads
    from federe.nlp.refine import adapt

    row = _active_row(workspace_id, task)
    deep_row = row is not None and adapt.is_deep(row.weights)
    if row is not None and deep_row and adapt.encoder_of(row.metrics) == name:
        return adapt.DeepModel.from_bytes(bytes(row.weights)).predict(x)
    batch = DocBatch([prepare(t) for t in data.texts])
    if (row is None or deep_row) and heads.replaces_fast_tier(task, name):  # a head of another encoder: not used
        fast_spam = None
        if task == "spam":
            fast_spam = [r.score if isinstance(r, Score) else None for r in shipped("spam").score(batch)]
        found = heads.score(vectors, data.languages, centre=centres or None, ngram_spam=fast_spam, encoder=name)
        p = [getattr(s, task) or 0.0 for s in found]
        negative = next(k for k in LABELS[task] if k != POSITIVE[task])
        return [POSITIVE[task] if v >= 0.5 else negative for v in p]
    return predict(_current_fast(workspace_id, task), batch)


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


def _store(workspace: Any, task: str, weights: bytes, metrics: dict[str, Any], by: Any) -> WorkspaceModel:
    """The next version, switched on when it beat the current model in the cross-validated check."""
    better = switch.wins(metrics.get("check"))
    metrics["switched_on"] = better
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
            weights=weights,
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
