from __future__ import annotations

from django_tasks import task

from federe.events import followup


@task()
def send_follow_up_task(run_id: int) -> dict[str, int] | None:
    return followup.execute(run_id)
