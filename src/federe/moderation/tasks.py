from __future__ import annotations

from django_tasks import task

from federe.moderation import services


@task()
def apply_decisions_task(decision_ids: list[int]) -> dict[str, int]:
    done = 0
    for decision_id in decision_ids:
        if services.execute_decision(decision_id) is not None:
            done += 1
    return {"attempted": done}
