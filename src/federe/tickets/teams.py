"""Escalation teams: who a ticket goes to (an e-mail address, a signed webhook, or both) and the secret their
status updates are signed with. Both secrets are made here, stored encrypted and given out once, in clear, by the
call that made them. The outgoing webhook is an endpoint of the webhooks app (its signing, retries and log)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.core.validators import validate_outgoing_url
from federe.tickets.models import Team, TeamKind, TeamLanguage
from federe.webhooks import services as webhooks
from federe.webhooks import signing
from federe.webhooks.models import Endpoint


def new_public_id() -> str:
    return "tm_" + secrets.token_urlsafe(18)


def _clean(kind: str, name: str, email: str, webhook_url: str, language: str) -> dict[str, str]:
    name, email, webhook_url = (name or "").strip(), (email or "").strip(), (webhook_url or "").strip()
    problems: dict[str, str] = {}
    if kind not in TeamKind.values:
        problems["kind"] = _("Choose the kind of team.")
    if not name:
        problems["name"] = _("Give the team a name.")
    elif len(name) > 120:
        problems["name"] = _("This name is too long.")
    if language not in TeamLanguage.values:
        problems["language"] = _("Choose French or English.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = _("This is not an e-mail address.")
    if webhook_url:
        if len(webhook_url) > 1000:
            problems["webhook_url"] = _("This address is too long.")
        else:
            try:
                validate_outgoing_url(webhook_url)
            except ValidationError as exc:
                problems["webhook_url"] = exc.messages[0]
    if not email and not webhook_url and "email" not in problems:
        problems["email"] = _("Give an e-mail address, a webhook address, or both.")
    if problems:
        raise ValidationError(problems)
    return {"kind": kind, "name": name, "email": email, "webhook_url": webhook_url, "language": language}


def _endpoint(workspace: Any, by: Any, name: str, url: str) -> tuple[Endpoint, str]:
    description = _("Escalation team: %(name)s") % {"name": name}
    return webhooks.create_direct_endpoint(workspace=workspace, by=by, url=url, description=description)


def _name_taken() -> ValidationError:
    return ValidationError({"name": _("Another team of this workspace has this name.")})


def create_team(
    *, workspace: Any, by: Any, kind: str, name: str, email: str = "", webhook_url: str = "", language: str = "fr"
) -> tuple[Team, dict[str, str]]:
    """The team and its secrets in clear ({"inbound": …, "outgoing": … when it has a webhook}): the only time
    they are given out (rotating makes new ones)."""
    require(by, workspace, Perm.MANAGE_WEBHOOKS)
    data = _clean(kind, name, email, webhook_url, language)
    given = {"inbound": signing.new_secret()}
    try:
        with transaction.atomic():
            endpoint = None
            if data["webhook_url"]:
                endpoint, given["outgoing"] = _endpoint(workspace, by, data["name"], data["webhook_url"])
            team = Team.objects.create(
                workspace=workspace,
                public_id=new_public_id(),
                kind=data["kind"],
                name=data["name"],
                email=data["email"],
                language=data["language"],
                endpoint=endpoint,
                inbound_secret_encrypted=signing.seal(given["inbound"]),
            )
            audit.record(
                "escalation_team.created",
                workspace=workspace,
                actor=by,
                target=team,
                details={"name": team.name, "kind": team.get_kind_display()},
            )
    except IntegrityError as exc:
        raise _name_taken() from exc
    return team, given


def update_team(
    *, team: Team, by: Any, kind: str, name: str, email: str = "", webhook_url: str = "", language: str = "fr"
) -> tuple[Team, str | None]:
    """Change a team; a webhook address given to a team that had none gets a new outgoing secret (returned)."""
    require(by, team.workspace, Perm.MANAGE_WEBHOOKS)
    data = _clean(kind, name, email, webhook_url, language)
    new_secret = None
    try:
        with transaction.atomic():
            if data["webhook_url"] and team.endpoint is None:
                team.endpoint, new_secret = _endpoint(team.workspace, by, data["name"], data["webhook_url"])
            elif data["webhook_url"] and team.endpoint is not None:
                webhooks.move_endpoint(endpoint=team.endpoint, by=by, url=data["webhook_url"])
            elif team.endpoint is not None:
                webhooks.delete_endpoint(endpoint=team.endpoint, by=by)
                team.endpoint = None
            team.kind, team.name, team.email, team.language = (
                data["kind"],
                data["name"],
                data["email"],
                data["language"],
            )
            team.save()
            audit.record(
                "escalation_team.changed",
                workspace=team.workspace,
                actor=by,
                target=team,
                details={"name": team.name, "kind": team.get_kind_display()},
            )
    except IntegrityError as exc:
        raise _name_taken() from exc
    return team, new_secret


@transaction.atomic
def rotate_inbound_secret(*, team: Team, by: Any) -> str:
    require(by, team.workspace, Perm.MANAGE_WEBHOOKS)
    secret = signing.new_secret()
    Team.objects.filter(pk=team.pk).update(inbound_secret_encrypted=signing.seal(secret))
    audit.record("escalation_team.secret_rotated", workspace=team.workspace, actor=by, target=team)
    return secret


@transaction.atomic
def delete_team(*, team: Team, by: Any) -> None:
    """A team with tickets is kept (their history names it); one without is deleted with its webhook."""
    require(by, team.workspace, Perm.MANAGE_WEBHOOKS)
    if team.tickets.exists():
        raise ValidationError(_("This team has tickets: it cannot be deleted."))
    audit.record("escalation_team.deleted", workspace=team.workspace, actor=by, target=team)
    if team.endpoint is not None:
        webhooks.delete_endpoint(endpoint=team.endpoint, by=by)
    team.delete()


def inbound_secret(team: Team) -> str:
    return signing.unseal(team.inbound_secret_encrypted)
