"""A channel's queue: the times of the week its queued posts go out, on the workspace's clock."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class Weekday(models.IntegerChoices):
    """Monday is 0, as ``date.weekday()`` counts."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class QueueSlot(WorkspaceScoped):
    """ "Tuesdays at 09:00" for one channel: a wall-clock time in ``Workspace.timezone`` (09:00 stays 09:00 across
    summer time). ``publishing.slots`` turns slots into instants; ``publishing.queueing`` picks the free ones."""

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    at = models.TimeField(_("time"))

    class Meta:
        ordering = ["weekday", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "weekday", "at"], name="one_queue_slot_per_time"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="queue_slot_weekday_0_to_6"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.at:%H:%M}"
