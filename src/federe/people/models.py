"""Persons and their identities on each connection (one person per identity for now)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class Person(WorkspaceScoped):
    display_name = models.CharField(_("name"), max_length=200)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["display_name"]

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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="identity_unique_per_connection")
        ]

    def __str__(self) -> str:
        return self.display_name or self.handle or self.external_id
