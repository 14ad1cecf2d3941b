"""A campaign's budget page: its lines (planned and spent, in the workspace's currency), a line added or deleted,
and spending imported from a CSV file in two steps (the report first, nothing changed; then every row or none),
with a sample file."""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, has_perm
from federe.campaigns import queries, services, spending
from federe.campaigns.forms import LineForm, UploadForm
from federe.campaigns.models import BudgetLine, Campaign
from federe.campaigns.views import found
from federe.core.confirm import ask_again, is_confirmed
from federe.core.csvexport import csv_response
from federe.core.money import format_amount
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.publishing.csvread import MAX_BYTES, max_size


def _page(request: WorkspaceRequest, campaign: Campaign, form: LineForm, **extra: object) -> HttpResponse:
    currency = request.workspace.currency
    planned, spent = queries.totals(campaign)
    lines = [
        (line, format_amount(line.planned, currency), format_amount(line.spent, currency))
        for line in queries.lines(campaign)
    ]
    context = {
        "workspace": request.workspace,
        "nav": "posts",
        "campaign": campaign,
        "lines": lines,
        "planned": format_amount(planned, currency),
        "spent": format_amount(spent, currency),
        "left": format_amount(planned - spent, currency) if planned >= spent else "",
        "over": format_amount(spent - planned, currency) if spent > planned else "",
        "form": form,
        "upload": extra.pop("upload", UploadForm()),
        "may_edit": has_perm(request.user, request.workspace, Perm.PUBLISH),
        "currency": currency,
        "max_size": max_size(),
        **extra,
    }
    return render(request, "campaigns/budget.html", context, status=422 if form.errors else 200)


@workspace_page()
def budget(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """The lines; a POST adds one (publishing permission, checked by the service)."""
    campaign = found(request, pk)
    form = LineForm(request.workspace.currency, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_line(campaign, by=request.user, fields=form.line())
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Budget line added."))
            return redirect("campaigns:budget", request.workspace.slug, campaign.pk)
    return _page(request, campaign, form)


@workspace_page(perm=Perm.PUBLISH, post=True)
def line_delete(request: WorkspaceRequest, slug: str, pk: int, line_id: int) -> HttpResponse:
    campaign = found(request, pk)
    line = BudgetLine.objects.filter(campaign=campaign, pk=line_id).first()
    if line is None:
        raise Http404
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("The budget line “%(category)s” is deleted.") % {"category": line.category},
            confirm_label=_("Delete this line"),
            back=reverse("campaigns:budget", args=[slug, pk]),
        )
    try:
        services.remove_line(line, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Budget line deleted."))
    return redirect("campaigns:budget", request.workspace.slug, campaign.pk)


def _carried(raw: str) -> bytes | None:
    try:
        return base64.b64decode(raw.encode("ascii"), validate=True) if raw else None
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


@workspace_page(perm=Perm.PUBLISH, post=True)
def spend_import(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """Step 1 (a file): the report, nothing changed. Step 2 (``confirm``): every row applied, or none."""
    campaign = found(request, pk)
    if "confirm" in request.POST:
        data = _carried(request.POST.get("content", ""))
        if data is None:
            flash.error(request, _("The file could not be read again: upload it once more."))
            return redirect("campaigns:budget", request.workspace.slug, campaign.pk)
        report = spending.import_spend(campaign, request.user, data)
        if report.imported:
            count = len(report.rows)
            flash.success(
                request, ngettext("%(count)d row imported.", "%(count)d rows imported.", count) % {"count": count}
            )
            return redirect("campaigns:budget", request.workspace.slug, campaign.pk)
        return _page(request, campaign, LineForm(request.workspace.currency), report=report, content="")
    upload = UploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _page(request, campaign, LineForm(request.workspace.currency), upload=upload)
    file = upload.cleaned_data["file"]
    if (file.size or 0) > MAX_BYTES:
        upload.add_error(
            "file", _("The file is larger than %(size)s: split it in several files.") % {"size": max_size()}
        )
        return _page(request, campaign, LineForm(request.workspace.currency), upload=upload)
    data = bytes(file.read())
    report = spending.check_file(campaign, request.user, data)
    content = base64.b64encode(data).decode("ascii") if not (report.problems or report.refused) else ""
    return _page(request, campaign, LineForm(request.workspace.currency), report=report, content=content)


@workspace_page(perm=Perm.PUBLISH)
def spend_sample(request: WorkspaceRequest, slug: str, pk: int) -> StreamingHttpResponse:
    found(request, pk)
    header, *rows = spending.SAMPLE
    return csv_response("spending-sample.csv", header, rows)
