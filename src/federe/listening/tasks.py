from __future__ import annotations

from django_tasks import task

from federe.listening import services


@task()
def deliver_alert_task(alert_id: int) -> dict[str, str]:
    return services.deliver(alert_id)
