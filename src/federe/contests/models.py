"""Contests and quizzes: the rules, the entries collected from stored messages, and the draw's published data.

The draw itself (commit, reveal, winners) is ``contests/draw.py``; these rows only keep what it needs and what it
published. A contest's rules cannot change once committed (``committed_at``): the commitment covers them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import SendRun, WorkspaceScoped


class EntryRule(models.TextChoices):
    HASHTAG = "hashtag", _("A hashtag")
    KEYWORD = "keyword", _("A keyword")
    REPLY = "reply", _("A reply to a given message")
    QUIZ = "quiz", _("A quiz answer")


class Stage(models.TextChoices):
    DRAFT = "draft", _("draft")
    COMMITTED = "committed", _("commitment published")
    DRAWN = "drawn", _("drawn")


class Contest(WorkspaceScoped):
    name = models.CharField(_("name"), max_length=120)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    all_channels = models.BooleanField(_("every channel"), default=True)
    channels = models.ManyToManyField("connections.Connection", blank=True, related_name="+")
    rule = models.CharField(_("entry rule"), max_length=8, choices=EntryRule.choices, default=EntryRule.HASHTAG)
    term = models.CharField(_("hashtag or keyword"), max_length=100, blank=True)
    reply_to = models.ForeignKey("inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    winners_count = models.PositiveIntegerField(_("number of winners"), default=1)
    exclude_staff = models.BooleanField(_("exclude the workspace's own accounts"), default=True)
    exclude_blocked = models.BooleanField(_("exclude banned people"), default=True)
    min_account_days = models.PositiveIntegerField(
        _("exclude people first seen fewer than N days before the start"), null=True, blank=True
    )
    public_source = models.CharField(_("source of the public random value"), max_length=300, blank=True)
    rules_document = models.FileField(upload_to="contests/rules/", blank=True)
    rules_document_sha256 = models.CharField(max_length=64, blank=True)
    # the certificate's address (no login): unguessable
    public_id = models.CharField(max_length=43, unique=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.DRAFT)
    rules_data = models.JSONField(default=dict, blank=True)  # the rules as committed (draw.commitment)
    seed_encrypted = models.TextField(blank=True)  # core.secrets; revealed only at the draw
    commitment = models.CharField(max_length=64, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    entries_sha256 = models.CharField(max_length=64, blank=True)
    seed_hex = models.CharField(max_length=64, blank=True)  # empty until the draw
    public_value = models.CharField(max_length=500, blank=True)
    public_value_source = models.CharField(max_length=500, blank=True)
    published = models.JSONField(default=dict, blank=True)  # the certificate's JSON (verify_draw.py reads it)
    drawn_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    client_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["workspace", "starts_at"])]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A quiz question; an entry answers it when its text holds one of the accepted answers (folded)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=300)
    answers = models.JSONField(default=list)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Entry(models.Model):
    """One matching message. ``reason`` is empty for an eligible entry, else a code with its ``params`` (words in
    ``contests/words.py``). The organiser's decision (``decided``: excluded or reinstated) overrides the automatic one
    and survives a new collection."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=300)
    name = models.CharField(max_length=255)
    posted_at = models.DateTimeField()
    reason = models.CharField(max_length=20, blank=True)
    params = models.JSONField(default=dict, blank=True)
    decided = models.CharField(max_length=10, blank=True)  # "", "excluded" or "included"
    decided_note = models.CharField(max_length=300, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)  # 1 for the first winner
    announcement = models.ForeignKey("inbox.Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # the announcement's run (core/sendruns.py): "", queued, sending, sent or failed, and the reason of a failure
    announce_state = models.CharField(max_length=8, blank=True)
    announce_error = models.CharField(max_length=300, blank=True)
    announcement_run = models.ForeignKey(
        "contests.AnnouncementRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )

    class Meta:
        ordering = ["posted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "message"], name="contest_entry_once")]

    def __str__(self) -> str:
        return self.key

    @property
    def eligible(self) -> bool:
        if self.decided:
            return self.decided == "included"
        return not self.reason


class AnnouncementRun(SendRun):
    """One announcement of the winners asked for: the worker replies to the winning entries it claimed."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="announcement_runs")

    class Meta:
        ordering = ["-created_at", "-id"]
