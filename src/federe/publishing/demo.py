"""The brand's published history in the demo: eight weeks of posts at a team's habitual hours (a few at odd
hours), each with the community's answers, so that the best-time page has something true to say.

Deterministic (seeded): the same demo gives the same posts, times and answers. The posts are written as sent
deliveries (the ledger's end state; nothing is sent again) and the answers go through the inbox's own import
pipeline (``inbox.ingest.ingest_items``), as a network's replies to the post would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.connectors.types import Author, Item, ItemKind
from federe.inbox.ingest import ingest_items
from federe.publishing.checks import workspace_zone
from federe.publishing.models import Delivery, DeliveryState, Post, PostStatus, Variant
from federe.publishing.models.deliveries import network_key

WEEKS = 8

# (weekday, hour, minute, mean answers in the first hours): the team's habits, some better than others.
HABITS = [
    (0, 9, 0, 1.5),  # Monday morning: the week starts, few answer
    (1, 12, 30, 3.0),
    (1, 18, 15, 6.5),  # Tuesday evening: the best one
    (3, 18, 0, 5.0),
    (4, 12, 30, 2.5),
    (5, 10, 0, 4.0),
    (6, 19, 30, 3.5),
]
ODD_HOURS = 8  # one-off posts at other hours: cells with too few posts to say anything

TEXTS = {
    "fr": [
        "La carte de saison change : qu'est-ce qui vous tente ?",
        "Atelier dégustation samedi : il reste des places !",
        "Votre boisson préférée pour finir la semaine ?",
        "Les coulisses de la torréfaction, en photos.",
        "Question du jour : café filtre ou espresso ?",
    ],
    "en": [
        "New seasonal menu: what would you try first?",
        "Tasting workshop on Saturday: a few seats left!",
        "Your favourite drink to end the week?",
        "Behind the scenes of our roasting, in pictures.",
        "Question of the day: filter or espresso?",
    ],
}
ANSWERS = {
    "fr": ["J'adore !", "J'y serai 🙂", "Espresso, sans hésiter.", "Trop bien, merci pour le partage.", "Enfin !"],
    "en": ["Love it!", "I'll be there 🙂", "Espresso, always.", "Great, thanks for sharing.", "Finally!"],
}
# The demo community's regulars (the same members as in its threads), by language.
REPLIERS = {
    "fr": [
        ("u-claire", "claire_b", "Claire Bernard"),
        ("u-mehdi", "mehdi.k", "Mehdi Kaci"),
        ("u-sophie", "sophie_l", "Sophie Laurent"),
        ("u-julien", "jul1en", "Julien Moreau"),
    ],
    "en": [
        ("u-emma", "emmaw", "Emma Walker"),
        ("u-liam", "liam_o", "Liam O'Connor"),
        ("u-priya", "priya.n", "Priya Nair"),
        ("u-tom", "tomh", "Tom Hughes"),
    ],
}


@dataclass(frozen=True)
class Planned:
    at: datetime  # UTC
    answers: int
    text: str


def plan(seed: int, zone: Any, now: datetime, lang: str) -> list[Planned]:
    """The posts of the last WEEKS weeks (none in the last two days), on the workspace's clock."""
    rng = random.Random(f"besttime:{seed}")
    local_now = now.astimezone(zone)
    monday = (local_now - timedelta(days=local_now.weekday() + 7 * WEEKS)).date()
    slots = [(w, weekday, hour, minute, mean) for w in range(WEEKS + 1) for weekday, hour, minute, mean in HABITS]
    slots = [s for s in slots if rng.random() < 0.85]
    odd_hours = [7, 8, 14, 15, 21, 22]
    slots += [(rng.randrange(WEEKS), rng.randrange(7), rng.choice(odd_hours), 0, 3.0) for _ in range(ODD_HOURS)]
    posts = []
    for week, weekday, hour, minute, mean in slots:
        day = monday + timedelta(days=7 * week + weekday)
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        local += timedelta(minutes=rng.randint(0, 9))  # wall-clock arithmetic: the same local hour, DST or not
        at = local.astimezone(UTC)
        if not (now - timedelta(weeks=WEEKS) <= at <= now - timedelta(days=2)):
            continue
        answers = max(0, round(rng.gauss(mean, mean / 2.5)))
        posts.append(Planned(at, answers, rng.choice(TEXTS[lang])))
    return sorted(posts, key=lambda p: p.at)


def publish_history(workspace: Workspace, channel: Connection, owner: Any, *, seed: int, lang: str) -> int:
    """Write the planned posts as sent on ``channel`` and import their answers; returns the number of posts."""
    planned = plan(seed, workspace_zone(workspace), timezone.now(), lang)
    rng = random.Random(f"besttime-answers:{seed}")
    items: list[Item] = []
    for index, post in enumerate(planned):
        external_id = f"brand-{seed}-{index}"
        _write_sent(workspace, channel, owner, post, external_id)
        for n in range(post.answers):
            handle = rng.choice(REPLIERS[lang])
            delay = timedelta(minutes=int(rng.expovariate(1 / 240)) + 3)
            items.append(
                Item(
                    external_id=f"{external_id}-a{n}",
                    thread_id=external_id,
                    parent_id=external_id,
                    thread_title=post.text,
                    author=Author(external_id=handle[0], handle=handle[1], display_name=handle[2]),
                    body_html=f"<p>{rng.choice(ANSWERS[lang])}</p>",
                    created_at=post.at + delay,
                    kind=ItemKind.REPLY,
                )
            )
    for start in range(0, len(items), 500):
        ingest_items(channel, items[start : start + 500])
    return len(planned)


def _write_sent(workspace: Workspace, channel: Connection, owner: Any, planned: Planned, external_id: str) -> None:
    post = Post.objects.create(
        workspace=workspace, author=owner, body=planned.text, scheduled_at=planned.at, status=PostStatus.PUBLISHED
    )
    variant = Variant.objects.create(
        workspace=workspace, post=post, connection=channel, body_text=planned.text, body_html=f"<p>{planned.text}</p>"
    )
    delivery = Delivery.objects.create(
        workspace=workspace,
        post=post,
        variant=variant,
        connection=channel,
        state=DeliveryState.SENT,
        due_at=planned.at,
        attempts=1,
        external_id=external_id,
        sent_at=planned.at + timedelta(seconds=2),
    )
    Delivery.objects.filter(pk=delivery.pk).update(key=network_key(delivery.pk))
