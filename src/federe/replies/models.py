"""Saved replies: texts a team answers with again and again, with variables filled for each thread."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class ReplyLanguage(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class SavedReply(WorkspaceScoped):
    """A text with variables (``replies.template``); offered on every channel, or on one (``connection``)."""

    folder = models.CharField(_("folder"), max_length=60, blank=True)
    connection = models.ForeignKey(
        "connections.Connection", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=ReplyLanguage.choices)
    body = models.TextField(_("text"))
    usage_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["folder", "title", "id"]
        indexes = [models.Index(fields=["workspace", "folder", "title"])]

    def __str__(self) -> str:
        return self.title
