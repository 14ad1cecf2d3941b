"""Claims race for real: several threads (each its own database connection) claim the same due deliveries at
once; every delivery is claimed exactly once, through SELECT … FOR UPDATE SKIP LOCKED (make test-postgres).
SQLite's test database lives in memory, where connections lock whole tables: there the two-worker bench
(bench/publish.py, a file database) shows the conditional UPDATE holding."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from federe.publishing import ledger
from federe.publishing.models import Delivery, Post, Variant
from tests.factories import ConnectionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_claimers_never_share_a_delivery(workspace):
    if connection.vendor != "postgresql":
        pytest.skip("make test-postgres")
    links = [ConnectionFactory(workspace=workspace, name=f"Race {n}", config={"total": 0}) for n in range(4)]
    due = timezone.now() - timedelta(seconds=1)
    for n in range(30):
        post = Post.objects.create(workspace=workspace, body=f"Post {n}", scheduled_at=due, status="scheduled")
        for link in links:
            variant = Variant.objects.create(workspace=workspace, post=post, connection=link, body_text=post.body)
            Delivery.objects.create(
                workspace=workspace, post=post, variant=variant, connection=link, due_at=due, next_attempt_at=due
            )
    claimed: list[list[int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def claimer() -> None:
        try:
            start.wait()
            while True:
                _token, ids = ledger.claim_due(limit=7)
                if not ids:
                    return
                claimed.append(ids)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    every = [pk for ids in claimed for pk in ids]
    assert len(every) == len(set(every)) == 120
    assert set(every) == set(Delivery.objects.values_list("pk", flat=True))
    assert len({token for token in Delivery.objects.values_list("claim_token", flat=True)}) == len(claimed)
