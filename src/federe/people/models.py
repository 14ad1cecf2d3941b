"""Persons, their identities on each connection, and what the community team knows and computes about them.

A person holds one or more identities (their "avatars" on each channel). Merges move identities from one
person to another and are recorded with a snapshot, so that every merge can be undone exactly.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped
from federe.people.identities import keys as match_keys


class Level(models.TextChoices):
    NEWCOMER = "newcomer", _("Newcomer")
    OCCASIONAL = "occasional", _("Occasional")
    REGULAR = "regular", _("Regular")
    CHAMPION = "champion", _("Champion")


class Person(WorkspaceScoped):
    display_name = models.CharField(_("name"), max_length=200)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # Computed by people.engagement.scoring (full recompute, or incrementally when new messages arrive).
    score = models.FloatField(_("engagement score"), default=0.0)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.NEWCOMER)
    reach = models.PositiveIntegerField(_("reach"), default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    # The languages of their received messages, a bit each (people.languages), kept with the scores.
    languages = models.PositiveSmallIntegerField(default=0, editable=False)
    # Community signals: set by people.engagement.community when the person went quiet, and when they came back.
    quiet_since = models.DateTimeField(null=True, blank=True)
    quiet_last_seen_at = models.DateTimeField(null=True, blank=True)
    back_at = models.DateTimeField(null=True, blank=True)
    back_after_days = models.PositiveIntegerField(null=True, blank=True)
    # A person absorbed by a merge keeps its row (so that undoing the merge restores it exactly) and is hidden.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="absorbed_persons"
    )

    class Meta:
        ordering = ["display_name"]
        indexes = [
            models.Index(fields=["workspace", "-score", "id"], name="person_ws_score"),
            models.Index(fields=["workspace", "level", "-score"], name="person_ws_level"),
            models.Index(fields=["workspace", "-last_seen_at"], name="person_ws_last_seen"),
            models.Index(fields=["workspace", "-first_seen_at"], name="person_ws_first_seen"),
        ]

    def __str__(self) -> str:
        return self.display_name


class Identity(WorkspaceScoped):
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="identities")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    external_id = models.CharField(max_length=255)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    display_name = models.CharField(_("name"), max_length=255, blank=True)
    profile_url = models.URLField(_("profile"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    # The match keys the duplicate search groups on (people.identities.keys): set on save and by the bulk writers,
    # and recomputed by the search for rows written behind the model's back (``keyed_from`` tells them apart).
    key_email = models.TextField(blank=True, default="", editable=False)
    key_link = models.TextField(blank=True, default="", editable=False)
    key_handle = models.TextField(blank=True, default="", editable=False)
    key_name = models.TextField(blank=True, default="", editable=False)
    keyed_from = models.TextField(blank=True, default="", editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="identity_unique_per_connection")
        ]

    def __str__(self) -> str:
        return self.display_name or self.handle or self.external_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        match_keys.fill(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *match_keys.KEY_FIELDS}
        super().save(*args, **kwargs)


class ReplyEdge(models.Model):
    """Who replied to whom: one row per reply whose parent message is known, between identities.

    Kept by people.engagement.scoring (rebuilt by a full recompute, extended by the incremental update), so that
    "replies received", reach and "replied to each other" are index lookups instead of scans of every message.
    """

    # A derived table, rebuilt by a full recompute: no database constraints, so that building millions of rows
    # does not queue millions of deferred foreign-key checks. Django still cascades deletions (the ORM does it),
    # and every query joins the identities and messages, so a link left behind by a raw delete counts for nothing.
    message = models.OneToOneField(
        "inbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    # Indexed by the two composite indexes below (their first column), not by indexes of their own.
    source = models.ForeignKey(
        Identity, on_delete=models.CASCADE, related_name="replies_sent", db_index=False, db_constraint=False
    )
    target = models.ForeignKey(
        Identity, on_delete=models.CASCADE, related_name="replies_received", db_index=False, db_constraint=False
    )
    posted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["target", "-posted_at"], name="edge_target_time"),
            models.Index(fields=["source", "target"], name="edge_source_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id} ({self.message_id})"


class ScoringSettings(models.Model):
    """Per-workspace weights, decay and thresholds. The defaults are documented in docs/architecture.md."""

    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    weight_post = models.FloatField(_("posting a message"), default=1.0)
    weight_reply = models.FloatField(_("replying to someone else (on top of posting)"), default=2.0)
    weight_received = models.FloatField(_("receiving a reply from someone else"), default=1.0)
    weight_approved = models.FloatField(_("a message approved by a moderator"), default=2.0)
    weight_removed = models.FloatField(_("a message removed or marked as spam by a moderator"), default=-5.0)
    weight_attended = models.FloatField(
        _("attending an event (checked in)"),
        default=3.0,
        help_text=_(
            "For each of the workspace's events the person was checked in at, when the registration is linked to "
            "them; it fades from the check-in like every other point."
        ),
    )
    half_life_days = models.FloatField(_("half-life (days)"), default=90.0)
    reach_days = models.PositiveIntegerField(_("reach window (days)"), default=365)
    threshold_occasional = models.FloatField(_("occasional from"), default=3.0)
    threshold_regular = models.FloatField(_("regular from"), default=15.0)
    threshold_champion = models.FloatField(_("champion from"), default=50.0)
    quiet_days = models.PositiveIntegerField(_("gone quiet after (days of silence)"), default=30)
    signal_days = models.PositiveIntegerField(_("newcomers and returns of the last (days)"), default=7)
    auto_merge_threshold = models.PositiveIntegerField(
        _("merge automatically from (evidence points, 0 = never)"), default=100
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    refresh_queued_at = models.DateTimeField(null=True, blank=True)

    WEIGHT_FIELDS = (
        "weight_post",
        "weight_reply",
        "weight_received",
        "weight_approved",
        "weight_removed",
        "weight_attended",
    )
    EDITABLE_FIELDS = (
        *WEIGHT_FIELDS,
        "half_life_days",
        "reach_days",
        "threshold_occasional",
        "threshold_regular",
        "threshold_champion",
        "quiet_days",
        "signal_days",
        "auto_merge_threshold",
    )

    def __str__(self) -> str:
        return f"scoring of {self.workspace_id}"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("to review")
    ACCEPTED = "accepted", _("merged")
    AUTO_MERGED = "auto", _("merged automatically")
    REJECTED = "rejected", _("not the same person")
    UNDONE = "undone", _("merge undone")
    SUPERSEDED = "superseded", _("replaced by a later merge")


class MergeSuggestion(WorkspaceScoped):
    """Two persons that may be one, with the evidence: [{"code", "weight", "params"}]."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    signals = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-total", "-id"]
        constraints = [models.UniqueConstraint(fields=["person_a", "person_b"], name="suggestion_unique_pair")]
        indexes = [models.Index(fields=["workspace", "status", "-total"], name="suggestion_ws_status")]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.total})"


class Merge(WorkspaceScoped):
    """One merge: ``absorbed`` went into ``kept``. ``snapshot`` holds what the merge changed, to undo it."""

    kept = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges")
    absorbed = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    suggestion = models.ForeignKey(MergeSuggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    automatic = models.BooleanField(default=False)
    signals = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"merge {self.pk}: {self.absorbed_id} → {self.kept_id}"


class Note(WorkspaceScoped):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="note_person_time")]

    def __str__(self) -> str:
        return self.body[:60]


class Tag(WorkspaceScoped):
    name = models.CharField(_("tag"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique_per_workspace")]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="person_tag_once")]
        indexes = [models.Index(fields=["tag", "person"], name="person_tag_by_tag")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"


class CustomField(WorkspaceScoped):
    """A free field on a person ("company", "city", "t-shirt size"...): one value per name."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(_("field"), max_length=60)
    value = models.CharField(_("value"), max_length=500)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="custom_field_once")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Segment(WorkspaceScoped):
    """A saved filter on persons (see people.queries.PeopleFilters), usable in the inbox and in exports."""

    name = models.CharField(_("name"), max_length=120)
    filters = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="segment_unique_name")]

    def __str__(self) -> str:
        return self.name
