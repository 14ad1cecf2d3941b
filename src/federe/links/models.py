"""Short links: one per (post, channel, address), the UTM parameters they add, and their clicks per day.

A click is a counter, nothing more: no address, no user agent, no cookie is stored (``ClickCount`` has no column
that could hold one). The parameters a link adds are resolved once, when the link is made, and kept on it, so a
later change of the workspace's presets never changes where an already published link leads.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped

#: The UTM parameters, in the order they are added to an address.
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_TARGET = 2000  # characters of a target address; longer ones are refused (and left as they are in a post)
MAX_TEMPLATE = 200


class LinkSettings(WorkspaceScoped):
    """Whether a new post shortens its links by default (the composer's checkbox starts from it)."""

    shorten_by_default = models.BooleanField(_("shorten links and add tracking by default"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="links_one_settings_per_workspace")]


class UtmPreset(WorkspaceScoped):
    """The UTM templates of the workspace (``network`` empty), or of one network's channels (its key).

    Templates take {channel}, {network}, {post_id} and {date} (the post's day, in the workspace's timezone)."""

    network = models.CharField(max_length=40, blank=True, default="")
    utm_source = models.CharField("utm_source", max_length=MAX_TEMPLATE, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=MAX_TEMPLATE, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=MAX_TEMPLATE, blank=True)
    utm_term = models.CharField("utm_term", max_length=MAX_TEMPLATE, blank=True)
    utm_content = models.CharField("utm_content", max_length=MAX_TEMPLATE, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "network"], name="links_one_preset_per_network")]

    def templates(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in UTM_FIELDS}


class PostTracking(WorkspaceScoped):
    """A post's choice: shorten its links and add tracking, or send them as written."""

    post = models.OneToOneField("publishing.Post", on_delete=models.CASCADE, related_name="+")
    shorten = models.BooleanField(default=False)


class ShortLink(WorkspaceScoped):
    code = models.CharField(max_length=16, unique=True)
    target = models.URLField(_("address"), max_length=MAX_TARGET)
    target_digest = models.CharField(max_length=64)  # sha256 of target: the unique key (an index fits any length)
    # The address with its UTM parameters merged in: where the redirect leads.
    destination = models.TextField()
    post = models.ForeignKey("publishing.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(
        "connections.Connection", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    utm_source = models.CharField(max_length=MAX_TEMPLATE, blank=True)
    utm_medium = models.CharField(max_length=MAX_TEMPLATE, blank=True)
    utm_campaign = models.CharField(max_length=MAX_TEMPLATE, blank=True)
    utm_term = models.CharField(max_length=MAX_TEMPLATE, blank=True)
    utm_content = models.CharField(max_length=MAX_TEMPLATE, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One link per post, channel and address: a retried delivery finds the same one (and the same text).
            models.UniqueConstraint(
                fields=["post", "connection", "target_digest"], name="links_one_link_per_post_channel"
            )
        ]
        indexes = [models.Index(fields=["workspace", "post"])]

    def __str__(self) -> str:
        return self.code


class ClickCount(models.Model):
    """Clicks on a link on one day (the workspace's day): a counter, with nothing about who clicked."""

    link = models.ForeignKey(ShortLink, on_delete=models.CASCADE, related_name="clicks")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "day"], name="links_one_count_per_day")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.day}: {self.count}"
