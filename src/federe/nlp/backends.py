"""Which backend scores each task: the shipped one from the settings, or a workspace's own model on top of it."""

from __future__ import annotations

import threading
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from federe.nlp.base import TASKS, Backend
from federe.nlp.linear import LinearBackend, LinearModel, StackedBackend
from federe.nlp.training import MODELS_DIR


def _card_version(task: str) -> str:
    import json

    card = MODELS_DIR / f"{task}.json"
    return json.loads(card.read_text(encoding="utf-8")).get("version", "?") if card.exists() else "?"


@cache
def shipped(task: str) -> Backend:
    """The backend the settings choose for a task, loaded once per process."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    spec = settings.FEDERE_NLP_BACKENDS.get(task, "")
    if spec.startswith("transformers:"):
        from federe.nlp.transformer import TransformerBackend

        return TransformerBackend(
            task, spec.removeprefix("transformers:"), offline=settings.FEDERE_NLP_TRANSFORMERS_OFFLINE
        )
    if task == "language" and spec == "lingua":
        from federe.nlp.language import LinguaLanguage

        return LinguaLanguage()
    if task == "sentiment" and spec == "lexicon":
        from federe.nlp.sentiment.scorer import LexiconSentiment

        return LexiconSentiment()
    if task in ("spam", "toxicity") and spec == "linear":
        path = MODELS_DIR / f"{task}.npz"
        if not path.exists():
            raise ImproperlyConfigured(f"The shipped {task} model is missing ({path}); run `federe nlp train`.")
        return LinearBackend(task, LinearModel.load(path), f"linear:{task}@{_card_version(task)}")
    raise ImproperlyConfigured(f"FEDERE_NLP_{task.upper()}_BACKEND={spec!r} is not a backend for {task}.")


_lock = threading.Lock()
_workspace_cache: dict[tuple[int, str], tuple[int, Backend]] = {}
_CACHE_SIZE = 64


def best(workspace_id: int | None, task: str) -> Backend:
    """The best score available for a task (``federe nlp score``): the workspace's own model when one is switched
    on (a deep one only if it learned on the encoder the workspace uses), else the deep tier of the workspace's
    encoder when it is installed and its head measured better, else the shipped fast model."""
    from federe.nlp.deep import backend as deep
    from federe.nlp.deep.heads import HEAD_TASKS, replaces_fast_tier

    name = chosen_encoder(workspace_id)
    deep_row = _active_deep(workspace_id, task, name)
    if deep_row is not None and deep.usable(name):
        from federe.nlp.refine.adapt import DeepWorkspaceBackend

        return DeepWorkspaceBackend(task, deep_row[0], f"workspace:{task}@v{deep_row[1]}", workspace_id or 0, name)
    chosen = for_workspace(workspace_id, task)
    if task in HEAD_TASKS and chosen is shipped(task) and deep.usable(name) and replaces_fast_tier(task, name):
        return deep.DeepBackend(task, encoder_name=name)
    return chosen


def _active_deep(workspace_id: int | None, task: str, encoder: str) -> tuple[int, int] | None:
    """(pk, version) of the workspace's switched-on deep-tier model for a task, if that is what is switched on and
    it learned on ``encoder``'s vectors (a head cannot read another encoder's)."""
    if workspace_id is None or task == "language":
        return None
    from federe.nlp.models import WorkspaceModel
    from federe.nlp.refine.adapt import encoder_of

    row = (
        WorkspaceModel.objects.filter(workspace_id=workspace_id, task=task, active=True, metrics__kind="deep")
        .values_list("pk", "version", "metrics")
        .first()
    )
    return (row[0], row[1]) if row and encoder_of(row[2]) == encoder else None


def chosen_encoder(workspace_id: int | None) -> str:
    """The workspace's deep encoder when it is usable here, else the default one."""
    from federe.nlp.deep import backend as deep
    from federe.nlp.deep.encoder import DEFAULT

    if workspace_id is None:
        return DEFAULT
    from federe.accounts.models import Workspace

    name = Workspace.objects.filter(pk=workspace_id).values_list("deep_encoder", flat=True).first() or DEFAULT
    return name if deep.usable(name) else DEFAULT


def for_workspace(workspace_id: int | None, task: str) -> Backend:
    """The workspace's active fast-tier model for a task, stacked on the shipped prior, or the prior alone. A
    switched-on deep-tier model (``refine.adapt``) needs the encoder: the fast tier keeps the prior, and the
    background deep tier applies the workspace's model."""
    prior = shipped(task)
    if workspace_id is None or task == "language":
        return prior
    from federe.nlp.models import WorkspaceModel

    active = (
        WorkspaceModel.objects.filter(workspace_id=workspace_id, task=task, active=True)
        .values_list("pk", "version", "metrics__kind")
        .first()
    )
    if active is None or active[2] == "deep":
        return prior
    pk, _version, _kind = active
    key = (workspace_id, task)
    with _lock:
        cached = _workspace_cache.get(key)
        if cached and cached[0] == pk:
            return cached[1]
    row = WorkspaceModel.objects.get(pk=pk)
    backend = StackedBackend(task, prior, LinearModel.from_bytes(bytes(row.weights)), row.model_id)
    with _lock:
        if len(_workspace_cache) >= _CACHE_SIZE:
            _workspace_cache.pop(next(iter(_workspace_cache)))
        _workspace_cache[key] = (pk, backend)
    return backend
