"""A workspace's mean message vector per language and encoder, kept current: the sum and count grow with each refined
batch. Each encoder has its own (its vectors are its own); the workspace's chosen encoder's are the ones that grow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from federe.nlp.models import LanguageCentre

#: Below this many messages in a language the workspace's mean says little: the heads' shipped centre is used.
MIN_MESSAGES = 50
DEFAULT_ENCODER = "use"


def current(workspace_id: int, encoder: str = DEFAULT_ENCODER) -> dict[str, Any]:
    """The centres the heads subtract for this workspace, by language (only languages with enough messages)."""
    import numpy as np

    rows = LanguageCentre.objects.filter(workspace_id=workspace_id, encoder=encoder, count__gte=MIN_MESSAGES)
    return {r.language: (np.frombuffer(bytes(r.total), dtype=np.float64) / r.count).astype(np.float32) for r in rows}


def add(workspace_id: int, vectors: Any, languages: Sequence[str], encoder: str = DEFAULT_ENCODER) -> None:
    """Add a batch's vectors to the sums (inside the batch's transaction; the rows are locked while they move)."""
    import numpy as np

    for language in sorted(set(languages)):
        rows = vectors[[i for i, lang in enumerate(languages) if lang == language]]
        total = rows.astype(np.float64).sum(axis=0)
        # The row is made if missing (a concurrent batch may make it first: no error), then locked and added to.
        LanguageCentre.objects.bulk_create(
            [
                LanguageCentre(
                    workspace_id=workspace_id,
                    encoder=encoder,
                    language=language,
                    count=0,
                    total=np.zeros_like(total).tobytes(),
                )
            ],
            ignore_conflicts=True,
        )
        centre = LanguageCentre.objects.select_for_update().get(
            workspace_id=workspace_id, encoder=encoder, language=language
        )
        centre.total = (np.frombuffer(bytes(centre.total), dtype=np.float64) + total).tobytes()
        centre.count += len(rows)
        centre.save(update_fields=["total", "count", "updated_at"])
