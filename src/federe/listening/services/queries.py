"""Saving and deleting queries (with their back-fill), and the live preview of a query being written."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.inbox.models import Message
from federe.listening.matching.matcher import compile as compile_query
from federe.listening.models import VOICE_KINDS, Mention, QueryKind, SavedQuery
from federe.listening.query.errors import QuerySyntaxError
from federe.listening.query.parser import parse
from federe.listening.services.mentions import backfill, forget_matcher, match_docs

#: How many recent messages the live preview looks at.
PREVIEW_SCAN = 5000


def check_query(text: str) -> Any:
    """The parsed query, or a ValidationError that says where and what was expected, in the user's language."""
    try:
        return parse(text)
    except QuerySyntaxError as exc:
        raise ValidationError(
            {"text": _("%(message)s (at character %(position)d)") % {"message": exc, "position": exc.position + 1}}
        ) from exc


def brand_for(workspace: Any, *, kind: str, name: str, brand: str) -> str:
    """The brand a query counts for in share of voice: none for products and topics; else the given brand name,
    or the query's own name, spelt as an existing brand of the workspace when one differs only by case."""
    if kind not in VOICE_KINDS:
        return ""
    wanted = (brand or "").strip() or name
    existing = SavedQuery.objects.filter(workspace=workspace, brand__iexact=wanted).values_list("brand", flat=True)
    return next(iter(existing), wanted)


def save_query(
    *,
    workspace: Any,
    by: Any,
    name: str,
    kind: str,
    text: str,
    brand: str = "",
    query: SavedQuery | None = None,
) -> SavedQuery:
    """Save a query; its kind is always chosen (brand, product, competitor or topic); brand and competitor queries
    count for a brand in share of voice (``brand``, the query's name when empty)."""
    require(by, workspace, Perm.MANAGE_LISTENING)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the query a name.")})
    if kind not in QueryKind.values:
        raise ValidationError({"kind": _("Choose brand, product, competitor or topic.")})
    check_query(text)
    with transaction.atomic():
        row = query or SavedQuery(workspace=workspace)
        changed = query is None or row.text != text
        row.name, row.kind, row.text = name, kind, text.strip()
        row.brand = brand_for(workspace, kind=kind, name=name, brand=brand)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise ValidationError({"name": _("A query with this name already exists.")}) from exc
        if changed:
            Mention.objects.filter(query=row).delete()
            backfill(row)
        audit.record(
            "listening.query_saved",
            workspace=workspace,
            actor=by,
            target=row,
            details={"kind": kind, "brand": row.brand},
        )
    forget_matcher(workspace.pk)
    return row


def delete_query(*, query: SavedQuery, by: Any) -> None:
    require(by, query.workspace, Perm.MANAGE_LISTENING)
    audit.record("listening.query_deleted", workspace=query.workspace, actor=by, details={"name": query.name})
    query.delete()
    forget_matcher(query.workspace_id)


def preview(workspace: Any, text: str, limit: int = 20) -> list[Message]:
    """The latest messages the query would match (the live preview). Raises ValidationError on bad syntax."""
    matcher = compile_query(check_query(text))
    found: list[Message] = []
    batch = 500
    qs = Message.objects.filter(workspace=workspace, direction="in").select_related("connection", "author")
    for start in range(0, PREVIEW_SCAN, batch):
        chunk = list(qs.order_by("-posted_at", "-id")[start : start + batch])
        if not chunk:
            break
        for message, doc in zip(chunk, match_docs(chunk), strict=True):
            if matcher.matches(doc):
                found.append(message)
                if len(found) >= limit:
                    return found
    return found
