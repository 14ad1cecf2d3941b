"""The workspace's settings page (/w/<slug>/settings/): its name, timezone, currency and text analysis model (the
deep tier's encoder, where there is a choice), for owners."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from federe.accounts import workspace_settings
from federe.accounts.forms import WorkspaceForm
from federe.accounts.permissions import Perm
from federe.core.pages import add_errors, workspace_page
from federe.core.requests import WorkspaceRequest


@workspace_page(perm=Perm.MANAGE_MEMBERS)
def settings_page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    initial = {
        "name": workspace.name,
        "timezone": workspace.timezone,
        "currency": workspace.currency,
        "deep_encoder": workspace.deep_encoder,
    }
    form = WorkspaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = workspace_settings.update_workspace(
                workspace,
                by=request.user,
                settings=workspace_settings.WorkspaceSettings(
                    **{
                        **form.cleaned_data,
                        "currency": form.cleaned_data["currency"] or workspace.currency,
                        "deep_encoder": form.cleaned_data.get("deep_encoder") or workspace.deep_encoder,
                    }
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Settings saved.") if changed else _("Nothing changed."))
            return redirect("accounts:settings", slug=workspace.slug)
    context = {"workspace": workspace, "nav": "settings", "form": form}
    return render(request, "accounts/workspace.html", context, status=422 if form.errors else 200)
