from __future__ import annotations

from django_tasks import task

from federe.contests import announce


@task()
def announce_winners_task(run_id: int) -> dict[str, int] | None:
    return announce.execute(run_id)
