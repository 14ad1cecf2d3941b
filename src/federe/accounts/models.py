"""Users, workspaces (a brand or an agency's client), memberships and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailChoice(models.TextChoices):
    """How a kind of in-app notification also reaches the user by e-mail (federe.notifications)."""

    NOW = "now", _("at once")
    DIGEST = "digest", _("in a daily digest")
    OFF = "off", _("never")


class User(AbstractUser):
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    timezone = models.CharField(_("timezone"), max_length=64, blank=True)
    # Which e-mails the user receives (each sender checks its own flag).
    notify_assignments = models.BooleanField(_("a thread or a mention is handed to me"), default=True)
    notify_reviews = models.BooleanField(_("a rule flags messages for review"), default=True)
    notify_digests = models.BooleanField(_("the people digest (newcomers, gone quiet, back)"), default=True)
    notify_alerts = models.BooleanField(_("listening alerts sent to my address"), default=True)
    notify_publishing = models.BooleanField(_("what happens to my posts, and posts awaiting my approval"), default=True)
    # The notifications of federe.notifications: each kind is e-mailed at once, in a daily digest, or never.
    notify_note_mentions = models.CharField(
        _("a teammate mentions me in a note"), max_length=8, choices=EmailChoice.choices, default=EmailChoice.NOW
    )
    notify_assigned = models.CharField(
        _("a thread is assigned to me"), max_length=8, choices=EmailChoice.choices, default=EmailChoice.NOW
    )
    notify_sla_breach = models.CharField(
        _("a thread is about to miss its response or resolution target"),
        max_length=8,
        choices=EmailChoice.choices,
        default=EmailChoice.NOW,
    )
    notify_ticket_updated = models.CharField(
        _("an escalation to another team is updated"),
        max_length=8,
        choices=EmailChoice.choices,
        default=EmailChoice.NOW,
    )
    notify_alert_fired = models.CharField(
        _("a listening alert fires"), max_length=8, choices=EmailChoice.choices, default=EmailChoice.NOW
    )


class Workspace(models.Model):
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    # Where the team works: dates are typed and shown in it (stored in UTC); queue slots and recurring posts
    # follow its clock, summer time included. Europe/Paris by default, like TIME_ZONE: most teams are French.
    timezone = models.CharField(_("timezone"), max_length=64, default="Europe/Paris")
    # The currency budgets are kept in (ISO 4217 code, core/money.py): amounts are Decimal, never converted.
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # The deep tier's encoder (nlp/deep/encoder.py): "use" (fast, the default) or "e5" (quality, when installed).
    deep_encoder = models.CharField(_("text analysis model"), max_length=16, default="use")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    COMMUNITY_MANAGER = "cm", _("Community manager")
    MODERATOR = "moderator", _("Moderator")
    ANALYST = "analyst", _("Analyst")
    CLIENT = "client", _("Client")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_workspace")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"


class ApiToken(models.Model):
    """A personal token for one user in one workspace; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """An e-mailed invitation to join a workspace; its link is signed, expires, and works once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"
