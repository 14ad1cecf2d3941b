"""Campaigns: dates, what they group, goals and budget lines.

**What a campaign groups** is a membership table, ``Item``: one row per thing grouped, with one real foreign key
set among ``post``, ``link``, ``query``, ``contest`` and ``event`` (a check constraint says exactly one). Each kind
is its own nullable column: the grouped apps' own models never change, and deleting a post, link, query, contest
or event removes only its membership. The short links of a grouped post belong to the
campaign without a row of their own (``membership.links``).

**Money** is ``Decimal`` with two places, never a float, in the workspace's currency (``Workspace.currency``,
ISO 4217). Dates are days on the workspace's clock, both included.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped

MAX_NAME = 120


class Campaign(WorkspaceScoped):
    name = models.CharField(_("name"), max_length=MAX_NAME)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_order")
        ]

    def __str__(self) -> str:
        return self.name


ITEM_KINDS = ("post", "link", "query", "contest", "event")


def _exactly_one(kinds: tuple[str, ...]) -> models.Q:
    """One of the columns set, the others empty."""
    each = [models.Q(**{f"{k}__isnull": k != kind for k in kinds}) for kind in kinds]
    return reduce(operator.or_, each)


class Item(WorkspaceScoped):
    """One thing a campaign groups: a post, a short link, a listening query, a contest or an event (exactly one)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    post = models.ForeignKey("publishing.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey("links.ShortLink", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    query = models.ForeignKey("listening.SavedQuery", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey("contests.Contest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_exactly_one(ITEM_KINDS), name="campaign_item_exactly_one_kind"),
            *(
                models.UniqueConstraint(fields=["campaign", kind], name=f"campaign_item_{kind}_once")
                for kind in ITEM_KINDS
            ),
        ]


class Metric(models.TextChoices):
    """What a goal measures; each is defined in ``impact.py``'s docstring."""

    NEW_MEMBERS = "new_members", _("new members")
    RETURNING_MEMBERS = "returning_members", _("returning members")
    CLICKS = "clicks", _("clicks")
    MENTIONS = "mentions", _("mentions")
    SHARE_OF_VOICE = "share_of_voice", _("share of voice (%)")
    ENGAGEMENT = "engagement", _("engagement on its posts")


class Goal(WorkspaceScoped):
    """A target the campaign should reach: at least ``target`` of ``metric`` during the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("measure"), max_length=20, choices=Metric.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "metric"], name="campaign_goal_once_per_metric")]


class BudgetLine(WorkspaceScoped):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=80)
    planned = models.DecimalField(_("planned"), default=0, max_digits=14, decimal_places=2)
    spent = models.DecimalField(_("spent"), default=0, max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "category"], name="campaign_budget_category_once"),
            models.CheckConstraint(condition=models.Q(planned__gte=0, spent__gte=0), name="campaign_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.category
