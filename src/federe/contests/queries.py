"""Reading contests: a workspace's list, one contest, its entries for review, the public certificate."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from federe.contests.models import Contest, Entry, Stage


def contests(workspace: Any) -> QuerySet[Contest]:
    eligible = Q(entries__decided="included") | Q(entries__decided="", entries__reason="")
    return Contest.objects.filter(workspace=workspace).annotate(
        entry_count=Count("entries", distinct=True),
        eligible_count=Count("entries", filter=eligible & Q(entries__isnull=False), distinct=True),
    )


def contest(workspace: Any, pk: int) -> Contest:
    """The workspace's contest ``pk`` (Contest.DoesNotExist otherwise: another workspace's does not exist)."""
    return Contest.objects.select_related("workspace", "reply_to").get(workspace=workspace, pk=pk)


def entries(contest: Contest, show: str = "") -> QuerySet[Entry]:
    """The entries in time order; ``show`` is "eligible", "excluded" or "" (all)."""
    rows = Entry.objects.filter(contest=contest).select_related("message__connection", "announcement")
    eligible = Q(decided="included") | Q(decided="", reason="")
    if show == "eligible":
        rows = rows.filter(eligible)
    elif show == "excluded":
        rows = rows.exclude(eligible)
    return rows.order_by("posted_at", "pk")


def entry(contest: Contest, pk: int) -> Entry:
    return Entry.objects.select_related("contest__workspace").get(contest=contest, pk=pk)


def certificate(public_id: str) -> Contest | None:
    """A contest by its certificate's address, once its commitment is published (a draft has no certificate)."""
    if not public_id or len(public_id) > 64:
        return None
    return Contest.objects.exclude(stage=Stage.DRAFT).select_related("workspace").filter(public_id=public_id).first()


def counts(contest: Contest) -> dict[str, int]:
    """How many entries, and how many of them eligible."""
    rows = Entry.objects.filter(contest=contest)
    eligible = Q(decided="included") | Q(decided="", reason="")
    return {"entry_count": rows.count(), "eligible_count": rows.filter(eligible).count()}
