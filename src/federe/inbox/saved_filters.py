"""A member's saved inbox filters: a name for a view and filters (the inbox's query string, cleaned). Each belongs
to one member in one workspace; nobody else lists, opens, renames or deletes it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.inbox.models import SavedFilter
from federe.inbox.queries import InboxFilters

MAX_NAME = 60
MAX_PER_MEMBER = 100


def of(workspace: Workspace, user: Any) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(workspace=workspace, user_id=user.pk).order_by("name", "id")


def get(workspace: Workspace, user: Any, pk: int) -> SavedFilter:
    """The member's own saved filter; ``SavedFilter.DoesNotExist`` for anyone else's."""
    return of(workspace, user).get(pk=pk)


def clean_query(query: str) -> str:
    """Only what the inbox understands, in its own order: ``view=mine&status=new``."""
    return InboxFilters.from_params(dict(parse_qsl(query.lstrip("?")[:2000]))).as_query()


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")})
    if len(name) > MAX_NAME:
        too_long = ngettext(
            "A filter's name is at most %(n)d character.", "A filter's name is at most %(n)d characters.", MAX_NAME
        )
        raise ValidationError({"name": too_long % {"n": MAX_NAME}})
    return name


def _taken(workspace: Workspace, user: Any, name: str, but: int | None = None) -> None:
    same = of(workspace, user).filter(name__iexact=name)
    if but is not None:
        same = same.exclude(pk=but)
    if same.exists():
        raise ValidationError({"name": _("You already have a filter called “%(name)s”.") % {"name": name}})


def add(workspace: Workspace, user: Any, name: str, query: str, *, client_key: str = "") -> SavedFilter:
    """Save the filters of ``query`` (an inbox query string) under ``name``, for ``user`` only. With a
    ``client_key`` (the API's Idempotency-Key), the same key and filter answer with the one made the first time."""
    require(user, workspace, Perm.VIEW)
    name = _name(name)
    client_key = client_key[:255]
    if client_key:
        first = of(workspace, user).filter(client_key=client_key).first()
        if first is not None:
            if (first.name, first.query) != (name, clean_query(query)):
                raise ValidationError({"idempotency_key": _("This key was used for another saved filter.")})
            return first
    _taken(workspace, user, name)
    if of(workspace, user).count() >= MAX_PER_MEMBER:
        full = ngettext(
            "You have %(n)d saved filter: delete one first.",
            "You have %(n)d saved filters: delete one first.",
            MAX_PER_MEMBER,
        )
        raise ValidationError(full % {"n": MAX_PER_MEMBER})
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(
                workspace=workspace, user=user, name=name, query=clean_query(query), client_key=client_key
            )
    except IntegrityError as exc:  # the same name saved at the same moment
        raise ValidationError({"name": _("You already have a filter called “%(name)s”.") % {"name": name}}) from exc


def rename(saved: SavedFilter, name: str, *, by: Any) -> SavedFilter:
    if saved.user_id != by.pk:
        raise SavedFilter.DoesNotExist
    name = _name(name)
    _taken(saved.workspace, by, name, but=saved.pk)
    saved.name = name
    saved.save(update_fields=["name", "updated_at"])
    return saved


def remove(saved: SavedFilter, *, by: Any) -> None:
    if saved.user_id != by.pk:
        raise SavedFilter.DoesNotExist
    saved.delete()
