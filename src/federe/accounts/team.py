"""The team of a workspace: adding, inviting, re-roling and removing members. Owners only (MANAGE_MEMBERS).

An invitation is a row (so that it works once and can be withdrawn) and a link signed with
``django.core.signing.TimestampSigner`` (so that it cannot be forged and expires after
``FEDERE_INVITATION_DAYS``). A workspace always keeps at least one owner.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Invitation, Membership, Role, User, Workspace
from federe.accounts.permissions import ROLE_PERMS, Perm, require
from federe.accounts.services import add_member, create_user
from federe.core import audit

_SALT = "federe.accounts.invitation"


def _check(by: Any, workspace: Workspace, role: str | None = None) -> None:
    """``by`` None is the operator at the command line, who may do anything."""
    if by is not None:
        require(by, workspace, Perm.MANAGE_MEMBERS)
    if role is not None and role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})


def invitation_days() -> int:
    return int(getattr(settings, "FEDERE_INVITATION_DAYS", 7))


def find_user(who: str) -> User | None:
    who = who.strip()
    if not who:
        return None
    return User.objects.filter(Q(username__iexact=who) | Q(email__iexact=who), is_active=True).order_by("pk").first()


def add_or_invite(*, workspace: Workspace, who: str, role: str, by: Any, base_url: str) -> Membership | Invitation:
    """A user found by name or e-mail joins at once; an e-mail address without an account gets an invitation."""
    _check(by, workspace, role)
    user = find_user(who)
    if user is not None:
        if Membership.objects.filter(workspace=workspace, user=user).exists():
            raise ValidationError({"who": _("%(user)s is already a member.") % {"user": user.get_username()}})
        return add_member(workspace=workspace, user=user, role=role, by=by)
    try:
        validate_email(who.strip())
    except ValidationError as exc:
        raise ValidationError(
            {"who": _("Nobody has this user name. Give an e-mail address to invite someone new.")}
        ) from exc
    return invite(workspace=workspace, email=who.strip(), role=role, by=by, base_url=base_url)


def invite(*, workspace: Workspace, email: str, role: str, by: Any, base_url: str) -> Invitation:
    _check(by, workspace, role)
    with transaction.atomic():
        pending(workspace).filter(email__iexact=email).update(revoked_at=timezone.now())  # the new link replaces them
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=email,
            role=role,
            invited_by=by if getattr(by, "is_authenticated", False) else None,
            expires_at=timezone.now() + timedelta(days=invitation_days()),
        )
        audit.record(
            "member.invited", workspace=workspace, actor=by, target=invitation, details={"email": email, "role": role}
        )
    _send_invitation(invitation, invitation_link(invitation, base_url))
    return invitation


def invitation_link(invitation: Invitation, base_url: str) -> str:
    token = signing.TimestampSigner(salt=_SALT).sign(str(invitation.pk))
    return base_url.rstrip("/") + reverse("accounts:invitation", args=[token])


def _send_invitation(invitation: Invitation, link: str) -> None:
    inviter = invitation.invited_by.get_username() if invitation.invited_by else _("An administrator")
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        subject = _("You are invited to %(ws)s on Fédère") % {"ws": invitation.workspace.name}
        days = invitation_days()
        invites = _("You are invited by %(inviter)s to join %(ws)s as %(role)s.") % {
            "inviter": inviter,
            "ws": invitation.workspace.name,
            "role": invitation.get_role_display(),
        }
        accept = ngettext(
            "Open this link to accept (it works once, for %(days)d day):",
            "Open this link to accept (it works once, for %(days)d days):",
            days,
        ) % {"days": days}
        body = f"{invites}\n\n{accept}\n{link}"
    send_mail(subject, body, None, [invitation.email], fail_silently=True)


def pending(workspace: Workspace) -> Any:
    return Invitation.objects.filter(
        workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def invitation_for(token: str) -> Invitation:
    """The pending invitation behind a link, or a ValidationError saying in plain words why not."""
    try:
        pk = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=timedelta(days=invitation_days()))
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This invitation has expired. Ask for a new one.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This invitation link is not valid.")) from exc
    invitation = Invitation.objects.select_related("workspace").filter(pk=int(pk)).first()
    if invitation is None or invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was withdrawn."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def accept(*, token: str, user: User | None = None, username: str = "", password: str = "") -> Membership:
    """Join with the invitation: as the logged-in ``user``, or as a new account made of username and password."""
    invitation = invitation_for(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:  # another request was first
        raise ValidationError(_("This invitation has already been used."))
    if user is None:
        validate_password(password, User(username=username, email=invitation.email))
        user = create_user(username.strip(), password, email=invitation.email)
    membership, _created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        "member.joined",
        workspace=invitation.workspace,
        actor=user,
        target=membership,
        details={"email": invitation.email, "role": membership.role},
    )
    return membership


def revoke_invitation(*, invitation: Invitation, by: Any) -> None:
    """Withdraw a pending invitation; an accepted or already withdrawn one is refused and left as it is."""
    _check(by, invitation.workspace)
    withdrawn = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not withdrawn:
        accepted = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=False).exists()
        raise ValidationError(
            _("This invitation was already accepted.") if accepted else _("This invitation was already withdrawn.")
        )
    audit.record(
        "member.invitation_revoked",
        workspace=invitation.workspace,
        actor=by,
        target=invitation,
        details={"email": invitation.email},
    )


def _keep_an_owner(membership: Membership, new_role: str | None) -> None:
    """Refuse to leave the workspace without an owner (the owners' rows are locked while we decide)."""
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = list(
        Membership.objects.select_for_update().filter(workspace=membership.workspace, role=Role.OWNER).order_by("pk")
    )
    if [m.pk for m in owners] == [membership.pk]:
        raise ValidationError(_("A workspace keeps at least one owner: name another owner first."))


@transaction.atomic
def change_role(*, membership: Membership, role: str, by: Any) -> Membership:
    _check(by, membership.workspace, role)
    membership = Membership.objects.select_for_update().select_related("user", "workspace").get(pk=membership.pk)
    if membership.role == role:
        return membership
    _keep_an_owner(membership, role)
    before, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    if Perm.REPLY not in ROLE_PERMS[role]:
        _release(membership, by)
    audit.record(
        "member.role_changed",
        workspace=membership.workspace,
        actor=by,
        target=membership,
        details={"user": membership.user.get_username(), "from": before, "to": role},
    )
    return membership


@transaction.atomic
def remove(*, membership: Membership, by: Any) -> None:
    _check(by, membership.workspace)
    membership = Membership.objects.select_for_update().select_related("user", "workspace").get(pk=membership.pk)
    _keep_an_owner(membership, None)
    audit.record(
        "member.removed",
        workspace=membership.workspace,
        actor=by,
        target=membership,
        details={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()
    _release(membership, by)


def _release(membership: Membership, by: Any) -> None:
    from federe.inbox.services import release_assignments

    release_assignments(workspace=membership.workspace, user=membership.user, by=by)
