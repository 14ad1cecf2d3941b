from __future__ import annotations

from datetime import datetime

from django_tasks import task

from federe.reports import schedule


@task()
def send_report_task(template_id: int, was: str, following: str) -> bool:
    return schedule.send_claimed(template_id, datetime.fromisoformat(was), datetime.fromisoformat(following))
