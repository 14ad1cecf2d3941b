"""Importing posts from a CSV file: step 1 uploads it and shows the report (nothing created), step 2 creates the
accepted rows (the file travels in the page, checked again); and the sample file."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm
from federe.core.csvexport import csv_response
from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.publishing import composing, importing
from federe.publishing.channels import publishing_channels
from federe.publishing.csvread import MAX_BYTES, MAX_ROWS, max_size


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"})
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s: split it in several files.") % {"size": max_size()}
            )
        return bytes(upload.read())


def _carried(raw: str) -> bytes | None:
    """The file as the report page carried it (base64), or None when it was tampered with."""
    try:
        return base64.b64decode(raw.encode("ascii"), validate=True) if raw else None
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


@workspace_page(perm=Perm.PUBLISH)
def post_import(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    form = UploadForm(request.POST or None, request.FILES or None)
    report, content = None, ""
    if request.method == "POST" and "confirm" in request.POST:
        content = request.POST.get("content", "")
        data = _carried(content)
        if data is None:
            flash.error(request, _("The file could not be read again: upload it once more."))
            return redirect("publishing:import", workspace.slug)
        form = UploadForm()
        try:
            report = importing.import_posts(
                workspace, request.user, data, expected=whole_number(request.POST.get("expected", ""))
            )
        except (ValidationError, PermissionDenied) as exc:  # refused at creation: nothing was created
            flash.error(request, error_text(exc))
            report = importing.check_file(workspace, request.user, data)
        if report.created:
            count = len(report.created)
            flash.success(
                request, ngettext("%(count)d post imported.", "%(count)d posts imported.", count) % {"count": count}
            )
            return redirect("publishing:list", workspace.slug)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        report = importing.check_file(workspace, request.user, data)
        content = base64.b64encode(data).decode("ascii")
    return render(
        request,
        "publishing/import.html",
        {
            "workspace": workspace,
            "nav": "posts",
            "form": form,
            "report": report,
            "content": content,
            "zone": composing.zone_of(workspace),
            "max_rows": MAX_ROWS,
            "max_size": max_size(),
        },
    )


@workspace_page(perm=Perm.PUBLISH)
def import_sample(request: WorkspaceRequest, slug: str) -> StreamingHttpResponse:
    names = [c.connection.name for c in publishing_channels(request.workspace)[:2]]
    header, rows = importing.sample(request.workspace, names)
    return csv_response("posts-sample.csv", header, rows)
