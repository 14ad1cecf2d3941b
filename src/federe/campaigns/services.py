"""Campaigns decided here: create, change, delete, what they group, goals and budget lines. Each change needs
the publishing permission (owners and community managers), is checked in full before anything is written, and
is recorded in the activity log (names of what changed, never amounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.campaigns.models import ITEM_KINDS, MAX_NAME, BudgetLine, Campaign, Goal, Item, Metric
from federe.contests.models import Contest
from federe.core import audit
from federe.core.money import MAX_DIGITS
from federe.events.models import Event
from federe.links.models import ShortLink
from federe.listening.models import SavedQuery
from federe.publishing.models import Post

MAX_DAYS = 366 * 2
MAX_ITEMS = 500
MAX_CATEGORY = 80
LARGEST = Decimal(10) ** MAX_DIGITS


def allowed(user: Any, workspace: Workspace) -> None:
    """Owners and community managers (the publishing permission); ``None`` is the operator at the command line."""
    if user is not None:
        require(user, workspace, Perm.PUBLISH)


@dataclass
class Fields:
    name: str
    starts_on: date
    ends_on: date
    description: str = ""
    post_ids: list[int] = field(default_factory=list)
    link_ids: list[int] = field(default_factory=list)
    query_ids: list[int] = field(default_factory=list)
    contest_ids: list[int] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)


def _own(model: Any, workspace: Workspace, ids: list[int], errors: dict[str, str], name: str, missing: str) -> None:
    if len(set(ids)) > MAX_ITEMS:
        errors[name] = _("At most %(max)d items of each kind.") % {"max": MAX_ITEMS}
        return
    extra = {"deleted_at__isnull": True} if model is Post else {}
    found = set(model.objects.filter(workspace=workspace, pk__in=set(ids), **extra).values_list("pk", flat=True))
    if found != set(ids):
        errors[name] = missing


def check(workspace: Workspace, fields: Fields) -> Fields:
    """The fields cleaned, or a ValidationError naming each wrong field."""
    fields.name = fields.name.strip()
    errors: dict[str, str] = {}
    if not fields.name:
        errors["name"] = _("Give the campaign a name.")
    elif len(fields.name) > MAX_NAME:
        errors["name"] = _("A name is at most %(max)d characters.") % {"max": MAX_NAME}
    if fields.ends_on < fields.starts_on:
        errors["ends_on"] = _("The last day comes on or after the first day.")
    elif (fields.ends_on - fields.starts_on).days >= MAX_DAYS:
        errors["ends_on"] = _("A campaign lasts at most two years.")
    _own(Post, workspace, fields.post_ids, errors, "post_ids", _("Choose posts of this workspace."))
    _own(ShortLink, workspace, fields.link_ids, errors, "link_ids", _("Choose short links of this workspace."))
    _own(SavedQuery, workspace, fields.query_ids, errors, "query_ids", _("Choose listening queries of this workspace."))
    _own(Contest, workspace, fields.contest_ids, errors, "contest_ids", _("Choose contests of this workspace."))
    _own(Event, workspace, fields.event_ids, errors, "event_ids", _("Choose events of this workspace."))
    if errors:
        raise ValidationError(errors)
    return fields


def _set_items(campaign: Campaign, fields: Fields) -> None:
    Item.objects.filter(campaign=campaign).delete()
    Item.objects.bulk_create(
        Item(workspace_id=campaign.workspace_id, campaign=campaign, **{f"{kind}_id": pk})
        for kind in ITEM_KINDS
        for pk in set(getattr(fields, f"{kind}_ids"))
    )


def items_of(campaign: Campaign) -> Fields:
    """The campaign as fields (what a form or the API shows)."""
    columns = [f"{kind}_id" for kind in ITEM_KINDS]
    rows = list(Item.objects.filter(campaign=campaign).values_list(*columns))
    ids = {f"{kind}_ids": sorted(row[i] for row in rows if row[i]) for i, kind in enumerate(ITEM_KINDS)}
    return Fields(
        name=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        description=campaign.description,
        **ids,
    )


@transaction.atomic
def create_campaign(workspace: Workspace, *, by: Any, fields: Fields) -> Campaign:
    allowed(by, workspace)
    fields = check(workspace, fields)
    campaign = Campaign.objects.create(
        workspace=workspace,
        name=fields.name,
        description=fields.description,
        starts_on=fields.starts_on,
        ends_on=fields.ends_on,
    )
    _set_items(campaign, fields)
    audit.record("campaign.created", workspace=workspace, actor=by, target=campaign, details={"name": campaign.name})
    return campaign


@transaction.atomic
def change_campaign(campaign: Campaign, *, by: Any, fields: Fields) -> Campaign:
    allowed(by, campaign.workspace)
    fields = check(campaign.workspace, fields)
    before = items_of(campaign)
    changed = [name for name, value in vars(fields).items() if getattr(before, name) != value]
    for name in ("name", "description", "starts_on", "ends_on"):
        setattr(campaign, name, getattr(fields, name))
    campaign.save()
    _set_items(campaign, fields)
    if changed:
        audit.record(
            "campaign.changed", workspace=campaign.workspace, actor=by, target=campaign, details={"changed": changed}
        )
    return campaign


@transaction.atomic
def delete_campaign(campaign: Campaign, *, by: Any) -> None:
    allowed(by, campaign.workspace)
    audit.record(
        "campaign.deleted", workspace=campaign.workspace, actor=by, target=campaign, details={"name": campaign.name}
    )
    campaign.delete()


def _amount(value: Decimal, label: str, errors: dict[str, str], name: str) -> None:
    if value < 0:
        errors[name] = _("%(what)s cannot be negative.") % {"what": label}
    elif value >= LARGEST:
        errors[name] = _("%(what)s is too large.") % {"what": label}


@transaction.atomic
def set_goals(campaign: Campaign, *, by: Any, targets: dict[str, Decimal | None]) -> None:
    """The campaign's goals: a target per measure (None or absent removes that goal)."""
    allowed(by, campaign.workspace)
    errors: dict[str, str] = {}
    for metric, target in targets.items():
        if metric not in Metric.values:
            errors[metric] = _("Unknown measure.")
        elif target is not None:
            _amount(target, _("A target"), errors, metric)
            if metric == Metric.SHARE_OF_VOICE and target > 100:
                errors[metric] = _("A share is at most 100 %.")
    if errors:
        raise ValidationError(errors)
    Goal.objects.filter(campaign=campaign).delete()
    Goal.objects.bulk_create(
        Goal(workspace_id=campaign.workspace_id, campaign=campaign, metric=metric, target=target)
        for metric, target in targets.items()
        if target is not None
    )
    audit.record(
        "campaign.changed", workspace=campaign.workspace, actor=by, target=campaign, details={"changed": ["goals"]}
    )


@dataclass
class LineFields:
    category: str
    planned: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    note: str = ""


def check_line(fields: LineFields) -> LineFields:
    fields.category = fields.category.strip()
    fields.note = fields.note.strip()
    errors: dict[str, str] = {}
    if not fields.category:
        errors["category"] = _("Name the category (media, design, prizes…).")
    elif len(fields.category) > MAX_CATEGORY:
        errors["category"] = _("A category is at most %(max)d characters.") % {"max": MAX_CATEGORY}
    _amount(fields.planned, _("The planned amount"), errors, "planned")
    _amount(fields.spent, _("The amount spent"), errors, "spent")
    if len(fields.note) > 200:
        errors["note"] = _("A note is at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def save_line(campaign: Campaign, *, by: Any, fields: LineFields, line: BudgetLine | None = None) -> BudgetLine:
    """A new budget line, or ``line`` changed; one category appears once per campaign."""
    allowed(by, campaign.workspace)
    fields = check_line(fields)
    taken = BudgetLine.objects.filter(campaign=campaign, category__iexact=fields.category)
    if line is not None:
        taken = taken.exclude(pk=line.pk)
    if taken.exists():
        raise ValidationError({"category": _("This campaign already has a line for this category.")})
    line = line or BudgetLine(workspace_id=campaign.workspace_id, campaign=campaign)
    for name, value in vars(fields).items():
        setattr(line, name, value)
    line.save()
    audit.record(
        "campaign.budget_changed",
        workspace=campaign.workspace,
        actor=by,
        target=campaign,
        details={"category": line.category},
    )
    return line


@transaction.atomic
def remove_line(line: BudgetLine, *, by: Any) -> None:
    campaign = line.campaign
    allowed(by, campaign.workspace)
    line.delete()
    audit.record(
        "campaign.budget_changed", workspace=campaign.workspace, actor=by, target=campaign, details={"deleted": True}
    )
