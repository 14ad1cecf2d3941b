"""A linked site, room, account, list or feed: its encrypted credentials, sync cursor and health."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped
from federe.core.secrets import decrypt_json, encrypt_json


class SyncState(models.TextChoices):
    IDLE = "idle", _("idle")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("syncing")


class Connection(WorkspaceScoped):
    network = models.CharField(_("network"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    config = models.JSONField(default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True, editable=False)
    cursor = models.JSONField(default=dict, blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    sync_interval_seconds = models.PositiveIntegerField(_("sync every (seconds)"), default=300)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sync_state = models.CharField(max_length=10, choices=SyncState.choices, default=SyncState.IDLE)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_warning = models.TextField(blank=True)
    last_warning_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Adaptive polling's state (connections.pacing): quiet syncs in a row, and the request budget's bucket.
    quiet_syncs = models.PositiveIntegerField(default=0, editable=False)
    pace_tokens = models.FloatField(null=True, blank=True, editable=False)
    pace_counted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="connection_name_unique_in_workspace")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict[str, Any]:
        return decrypt_json(self.credentials_encrypted)

    def set_credentials(self, value: dict[str, Any]) -> None:
        self.credentials_encrypted = encrypt_json(value)

    @property
    def sync_abandoned(self) -> bool:
        """A worker took this channel but its lease ran out before it finished: it was killed or restarted."""
        expires = self.lease_expires_at
        return self.sync_state != SyncState.IDLE and expires is not None and expires < timezone.now()

    @property
    def network_label(self) -> str:
        from federe.connectors.registry import connector_class

        try:
            return str(connector_class(self.network).label)
        except LookupError:
            return self.network


class SyncRun(WorkspaceScoped):
    """One sync of one connection: what was fetched and stored, and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        OK = "ok", _("done")
        FAILED = "failed", _("failed")
        # The worker stopped (killed, out of memory, restarted) and the channel's lease expired.
        INTERRUPTED = "interrupted", _("interrupted")

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    worker_id = models.CharField(max_length=80, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RUNNING)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    malformed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
