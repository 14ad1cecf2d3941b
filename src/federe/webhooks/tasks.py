from __future__ import annotations

from django_tasks import task

from federe.webhooks import delivery


@task()
def deliver_webhook_task(delivery_id: int) -> bool | None:
    answer = delivery.deliver(delivery_id)
    return None if answer is None else answer.ok
