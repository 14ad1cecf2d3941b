from __future__ import annotations

from django_tasks import task

from federe.listening import delivery


@task()
def deliver_alert_task(alert_id: int) -> dict[str, str] | None:
    return delivery.deliver(alert_id)
