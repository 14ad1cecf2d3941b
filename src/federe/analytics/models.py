"""Summary tables of the dashboards, kept at ingest and by moderation (``rollup.py``), rebuilt by ``rebuild.py``.

Every row is keyed by a workspace, a *scope* and a UTC day. The scope is a channel's id, or ``WHOLE`` (0) for the
whole workspace: a person's first message in the workspace is not the sum of their first messages per channel, so
both are kept. Scopes are plain integers, not foreign keys, so that one unique index (and one ``INSERT … ON
CONFLICT``) serves both; a deleted channel's rows go with ``forget_channel``.
"""

from __future__ import annotations

from django.db import models

#: The scope of the rows that count the whole workspace.
WHOLE = 0


class DailyCount(models.Model):
    """What happened on a day in a scope: counters only, so a period is a sum of days. Signed: a late message or a
    refined score moves a count from one row to another, and the database checks a row as it is proposed."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.BigIntegerField()
    day = models.DateField()
    messages = models.IntegerField(default=0)  # received from the community
    community_replies = models.IntegerField(default=0)  # of which answers to another message
    sent = models.IntegerField(default=0)  # our replies
    new_members = models.IntegerField(default=0)
    returning = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)
    neutral = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    reach = models.BigIntegerField(default=0)  # of messages whose network gives reach and engagement
    engagement = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "scope", "day"], name="analytics_daily_unique")]

    def __str__(self) -> str:
        return f"{self.day} scope {self.scope}: {self.messages} messages"


class DailyDecision(models.Model):
    """Moderation verdicts of a day in a scope, by action, reason and who made them."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.BigIntegerField()
    day = models.DateField()
    action = models.CharField(max_length=12)
    reason = models.CharField(max_length=24)  # the first reason's code, "" when none was given
    automatic = models.BooleanField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "scope", "day", "action", "reason", "automatic"], name="analytics_decision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} scope {self.scope}: {self.count} × {self.action}"


class MemberSpan(models.Model):
    """A person's first and last day with a message in a scope; the growth figures count ranges of these."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.BigIntegerField()
    person_id = models.BigIntegerField()
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "scope", "person_id"], name="analytics_member_unique")
        ]
        indexes = [
            models.Index(fields=["workspace", "scope", "first_day"], name="analytics_member_first"),
            models.Index(fields=["workspace", "scope", "last_day"], name="analytics_member_last"),
        ]

    def __str__(self) -> str:
        return f"person {self.person_id}, scope {self.scope}: {self.first_day} to {self.last_day}"


#: A day's threads, busiest first, in an index (a channel's index puts its scope first).
BUSIEST_OF_A_DAY = ("workspace", "started_on", "-messages", "conversation_id")


class ThreadCount(models.Model):
    """A thread's first day and the community messages it holds: the top posts."""

    conversation_id = models.BigIntegerField(primary_key=True)
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.BigIntegerField()  # its channel
    started_on = models.DateField()
    messages = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # A day's threads, busiest first: the top posts read ten per day of the period (``figures.top_posts``).
            models.Index(fields=[*BUSIEST_OF_A_DAY], name="analytics_thread_day"),
            models.Index(fields=["scope", *BUSIEST_OF_A_DAY], name="analytics_thread_chday"),
        ]

    def __str__(self) -> str:
        return f"thread {self.conversation_id}: {self.messages} messages from {self.started_on}"
