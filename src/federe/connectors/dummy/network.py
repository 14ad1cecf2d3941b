"""A deterministic, stateless fake community: item *i* is a pure function of (seed, i).

Items appear over time (one every ``interval_seconds`` after ``start``), so a
running demo keeps receiving traffic, and tests pin ``total`` to get a fixed set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from federe.connectors.dummy import content

ROOT_SHARE = 0.3
HELD_SPAM_SHARE = 0.6


@lru_cache(maxsize=65536)
def _is_root(seed: int, index: int) -> bool:
    return index == 0 or random.Random(f"{seed}:{index}:root").random() < ROOT_SHARE


@dataclass(frozen=True)
class DummyNetwork:
    seed: int
    start: datetime
    interval_seconds: float
    brand: str
    french_share: float = 0.5
    total: int | None = None

    def available(self, now: datetime) -> int:
        """How many items exist on the network at ``now``."""
        if now < self.start:
            return 0
        count = int((now - self.start).total_seconds() // self.interval_seconds) + 1
        return count if self.total is None else min(count, self.total)

    def _rng(self, index: int, salt: str = "") -> random.Random:
        return random.Random(f"{self.seed}:{index}:{salt}")

    def is_root(self, index: int) -> bool:
        return _is_root(self.seed, index)

    def root_of(self, index: int) -> int:
        """The thread an item belongs to: a recent root before it, found by a short walk back."""
        if self.is_root(index):
            return index
        roots = [i for i in range(index - 1, max(-1, index - 40), -1) if self.is_root(i)][:3]
        if not roots:
            return max(0, index - 1) if self.is_root(max(0, index - 1)) else 0
        return self._rng(index, "thread").choice(roots)

    def language_of_thread(self, root: int) -> str:
        return "fr" if self._rng(root, "lang").random() < self.french_share else "en"

    def item(self, index: int) -> dict[str, Any]:
        rng = self._rng(index)
        root = self.root_of(index)
        lang = self.language_of_thread(root)
        topic_rng = self._rng(root, "topic")
        topic = topic_rng.choice(content.TOPICS[lang])
        created = self.start + timedelta(seconds=index * self.interval_seconds + rng.uniform(0, 0.9))
        roll = rng.random()
        status = "published"
        if index != root and roll < 0.07:
            author = rng.choice(content.SPAMMERS)
            text = rng.choice(content.SPAM[author[3]])
            status = "held" if rng.random() < HELD_SPAM_SHARE else "published"
        elif index != root and roll < 0.11:
            author = content.TROLL
            text = rng.choice(content.TROLLING)
        else:
            author = self._member(rng, lang)
            pool = content.POSTS if index == root else content.REPLIES
            text = rng.choice(pool[lang])
        body = text.format(topic=topic, brand=self.brand)
        parent = ""
        if index != root:
            siblings = [i for i in range(index - 1, max(root, index - 6), -1) if self.root_of(i) == root][:2]
            parent = str(rng.choice([root, *siblings]))
        payload: dict[str, Any] = {
            "id": str(index),
            "thread_id": str(root),
            "parent_id": parent,
            "thread_title": topic_rng.choice(content.THREAD_TITLES[lang]).format(topic=topic),
            "kind": "post" if index == root else "reply",
            "author": {
                "id": author[0],
                "handle": author[1],
                "name": author[2],
                "url": f"https://dummy.example/u/{author[1]}",
            },
            "html": body if "<a " in body else f"<p>{body}</p>",
            "created_at": created.isoformat(),
            "status": status,
            "url": f"https://dummy.example/t/{root}#{index}",
        }
        return payload

    def _member(self, rng: random.Random, lang: str) -> tuple[str, str, str, str]:
        if rng.random() < 0.55:
            regulars = [r for r in content.REGULARS if r[3] == lang]
            return rng.choice(regulars)
        first = rng.choice(content.FIRST_NAMES[lang])
        last = rng.choice(content.LAST_NAMES[lang])
        handle = f"{first}.{last}".lower()
        return (f"m-{handle}", handle, f"{first} {last}", lang)
