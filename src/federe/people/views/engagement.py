"""Community signals and the scoring settings (/people/signals/, /people/scoring/)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import has_perm
from federe.core.pages import workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.people import services
from federe.people.engagement import community, scoring
from federe.people.models import ScoringSettings
from federe.people.permissions import PEOPLE_EDIT
from federe.people.views.common import people_nav


@workspace_page()
def signal_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    context = {
        **people_nav(request, workspace, "signals"),
        "lists": community.all_signals(workspace),
        "settings": scoring.settings_for(workspace),
    }
    return render(request, "people/signals.html", context)


@workspace_page(post=True)
def signal_digest(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    if not has_perm(request.user, workspace, PEOPLE_EDIT):
        flash.error(request, _("Your role in this workspace does not allow this."))
    else:
        sent = community.send_digest(workspace, by=request.user)
        flash.success(
            request,
            ngettext("Digest sent to %(n)d member of the team.", "Digest sent to %(n)d members of the team.", sent)
            % {"n": sent},
        )
    return redirect("people:signals", slug=slug)


def _field(name: str, value: object, errors: list[str]) -> tuple[str, object, object, list[str], object]:
    """A settings field as the page shows it: name, label, value, errors and help (the model's texts)."""
    field = ScoringSettings._meta.get_field(name)
    return name, getattr(field, "verbose_name", name), value, errors, getattr(field, "help_text", "")


@workspace_page()
def scoring_settings(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    current = scoring.settings_for(workspace)
    values = {name: getattr(current, name) for name in ScoringSettings.EDITABLE_FIELDS}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        submitted = {name: request.POST[name] for name in ScoringSettings.EDITABLE_FIELDS if name in request.POST}
        try:
            services.update_settings(workspace=workspace, values=submitted, by=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
            values = {**values, **submitted}  # the form comes back with what was typed
            status = 422
            flash.error(request, _("Nothing was saved: fix the fields marked below."))
        except PermissionDenied as exc:
            flash.error(request, error_text(exc))
            status = 403
        else:
            flash.success(request, _("Saved; every score was recomputed."))
            return redirect("people:settings", slug=slug)
    fields = [_field(name, values[name], errors.get(name, [])) for name in ScoringSettings.EDITABLE_FIELDS]
    context = {
        **people_nav(request, workspace, "settings"),
        "fields": fields,
        "formula": scoring.explain(current),
        "settings": current,
    }
    return render(request, "people/settings.html", context, status=status)


@workspace_page(post=True)
def scoring_recompute(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    try:
        result = services.recompute(workspace=workspace, by=request.user)
        flash.success(
            request,
            ngettext("Recomputed %(n)d person in %(s)s s.", "Recomputed %(n)d persons in %(s)s s.", result.persons)
            % {"n": result.persons, "s": formats.number_format(result.seconds, 1)},
        )
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    return redirect("people:settings", slug=slug)
