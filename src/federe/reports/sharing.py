"""A report shared by a signed link that expires: ``/reports/shared/<token>/`` shows the template's report (its
rolling window as of the day it is opened) to anyone holding the link, without logging in.

The token is ``django.core.signing`` over (template id, share version, expiry), salted for this use only: a
changed character, another template's id or a link made before the template's share version was raised
("revoke every link") are all refused, and so is a link past its expiry. ``open`` says which, in words.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.core import audit
from federe.reports.models import ReportTemplate
from federe.reports.services import allowed

SALT = "federe.reports.share"
DAYS = (7, 30, 90)


def make(template: ReportTemplate, *, by: object, days: int, now: datetime | None = None) -> tuple[str, datetime]:
    """A token for ``template`` valid ``days`` days; returns it with its expiry."""
    allowed(by, template.workspace)
    if days not in DAYS:
        raise ValidationError(_("A share link lasts 7, 30 or 90 days."))
    expires = (now or timezone.now()) + timedelta(days=days)
    token = signing.dumps({"t": template.pk, "v": template.share_version, "e": int(expires.timestamp())}, salt=SALT)
    audit.record("report.shared", workspace=template.workspace, actor=by, target=template, details={"days": days})
    return token, expires


def revoke_all(template: ReportTemplate, *, by: object) -> None:
    allowed(by, template.workspace)
    ReportTemplate.objects.filter(pk=template.pk).update(share_version=template.share_version + 1)
    template.share_version += 1
    audit.record("report.shared", workspace=template.workspace, actor=by, target=template, details={"revoked": True})


def open_link(token: str, now: datetime | None = None) -> ReportTemplate:
    """The template a token opens; ValidationError (translated) when the link is broken, revoked or expired."""
    try:
        data = signing.loads(token, salt=SALT)
        pk, version, expires = int(data["t"]), int(data["v"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(_("This link is not valid: it may have been copied incompletely.")) from exc
    if (now or timezone.now()).timestamp() >= expires:
        raise ValidationError(_("This link has expired. Ask the agency for a new one."))
    template = ReportTemplate.objects.select_related("workspace").filter(pk=pk).first()
    if template is None or template.share_version != version:
        raise ValidationError(_("This link no longer opens a report. Ask the agency for a new one."))
    return template
