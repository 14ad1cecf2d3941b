"""The report pages: templates (list, new, edit, delete), a report in the browser and as PDF, share links, and
the shared report anyone with a valid link opens without logging in. Views translate; services decide."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, may
from federe.analytics import period as periods
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.reports import content, schedule, services, sharing
from federe.reports import render as rendering
from federe.reports.forms import TemplateForm
from federe.reports.models import ReportTemplate


def found(request: WorkspaceRequest, pk: int) -> ReportTemplate:
    template = ReportTemplate.objects.select_related("workspace").filter(workspace=request.workspace, pk=pk).first()
    if template is None:
        raise Http404
    return template


def _period(request: HttpRequest, template: ReportTemplate) -> periods.Period:
    if request.GET.get("since") or request.GET.get("until"):
        return periods.parse(None, request.GET.get("since"), request.GET.get("until"))
    return content.window(template.days)


@workspace_page()
def template_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    context = {
        "workspace": request.workspace,
        "nav": "overview",
        "templates": ReportTemplate.objects.filter(workspace=request.workspace),
        "may_edit": may(request, request.workspace, Perm.MANAGE_REPORTS),
    }
    return render(request, "reports/list.html", context)


def _form_page(
    request: WorkspaceRequest, form: TemplateForm, template: ReportTemplate | None, share: str = ""
) -> HttpResponse:
    context = {
        "workspace": request.workspace,
        "nav": "overview",
        "form": form,
        "template": template,
        "share_link": share,
        "share_days": sharing.DAYS,
        "failures_to_pause": schedule.MAX_FAILURES,
    }
    return render(request, "reports/edit.html", context, status=422 if form.errors else 200)


def _initial(template: ReportTemplate) -> dict:
    return {
        "name": template.name,
        "language": template.language,
        "sections": template.sections,
        "days": template.days,
        "primary_colour": template.primary_colour,
        "accent_colour": template.accent_colour,
        "schedule": template.schedule,
        "recipients": template.recipients,
    }


@workspace_page(perm=Perm.MANAGE_REPORTS)
def create(request: WorkspaceRequest, slug: str) -> HttpResponse:
    defaults = services.Fields(name="", language=request.LANGUAGE_CODE[:2] if request.LANGUAGE_CODE else "en")
    initial = {**vars(defaults), "recipients": ""}
    form = TemplateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.create_template(
                request.workspace, by=request.user, fields=form.fields_value(), logo=form.logo_bytes()
            )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Report template saved."))
            return redirect("reports:edit", request.workspace.slug, template.pk)
    return _form_page(request, form, None)


@workspace_page(perm=Perm.MANAGE_REPORTS)
def edit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    template = found(request, pk)
    form = TemplateForm(request.POST or None, request.FILES or None, initial=_initial(template))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_template(
                template,
                by=request.user,
                fields=form.fields_value(),
                logo=form.logo_bytes(),
                drop_logo=form.cleaned_data["drop_logo"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Report template saved."))
            return redirect("reports:edit", request.workspace.slug, template.pk)
    return _form_page(request, form, template)


@workspace_page(perm=Perm.MANAGE_REPORTS, post=True)
def delete(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    template = found(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("The report template “%(name)s” and its share links are deleted.") % {"name": template.name},
            confirm_label=_("Delete this template"),
            back=reverse("reports:edit", args=[slug, pk]),
        )
    services.delete_template(template, by=request.user)
    flash.success(request, _("Report template deleted."))
    return redirect("reports:list", request.workspace.slug)


@workspace_page(perm=Perm.MANAGE_REPORTS, post=True)
def share(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    template = found(request, pk)
    form = TemplateForm(initial=_initial(template))
    raw = request.POST.get("days", "")
    try:
        token, _expires = sharing.make(template, by=request.user, days=int(raw) if raw.isdigit() else 0)
    except ValidationError as exc:
        flash.error(request, error_text(exc))
        return redirect("reports:edit", request.workspace.slug, template.pk)
    link = request.build_absolute_uri(reverse("reports:shared", args=[token]))
    return _form_page(request, form, template, share=link)


@workspace_page(perm=Perm.MANAGE_REPORTS, post=True)
def revoke(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    template = found(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("Every share link of this report made until now stops working."),
            confirm_label=_("Revoke the share links"),
            back=reverse("reports:edit", args=[slug, pk]),
        )
    sharing.revoke_all(template, by=request.user)
    flash.success(request, _("Every share link made until now is revoked."))
    return redirect("reports:edit", request.workspace.slug, template.pk)


@workspace_page(perm=Perm.MANAGE_REPORTS, post=True)
def resume(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    template = found(request, pk)
    try:
        services.resume_schedule(template, by=request.user)
    except ValidationError as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("E-mailing resumed: the report is tried again within a minute."))
    return redirect("reports:edit", request.workspace.slug, template.pk)


def _refused(request: HttpRequest, exc: ValidationError, status: int = 422) -> HttpResponse:
    return render(request, "reports/refused.html", {"message": error_text(exc)}, status=status)


@workspace_page()
def preview(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    template = found(request, pk)
    try:
        period = _period(request, template)
    except ValidationError as exc:
        return _refused(request, exc)
    report = content.build(template, period)
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    links = {"pdf": reverse("reports:pdf", args=[slug, pk]) + query, "back": reverse("reports:list", args=[slug])}
    return HttpResponse(rendering.html(report, nonce=request.csp_nonce, links=links))  # type: ignore[attr-defined]


def _pdf_response(report: content.Report) -> HttpResponse:
    response = HttpResponse(rendering.pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rendering.file_name(report, "pdf")}"'
    return response


@workspace_page()
def pdf(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    template = found(request, pk)
    try:
        period = _period(request, template)
    except ValidationError as exc:
        return _refused(request, exc)
    return _pdf_response(content.build(template, period))


def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The report a share link opens, for anyone holding it (no login); a broken or expired link says so."""
    try:
        template = sharing.open_link(token)
    except ValidationError as exc:
        return _refused(request, exc, status=404)
    report = content.build(template)
    links = {"pdf": reverse("reports:shared-pdf", args=[token])}
    response = HttpResponse(rendering.html(report, nonce=request.csp_nonce, links=links))  # type: ignore[attr-defined]
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def shared_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        template = sharing.open_link(token)
    except ValidationError as exc:
        return _refused(request, exc, status=404)
    return _pdf_response(content.build(template))
