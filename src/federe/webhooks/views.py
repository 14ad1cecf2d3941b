"""The webhooks page: endpoints (address, events, enabled), the secret shown once when made or rotated, a test
send, and the delivery log with each attempt's answer and a replay. Managers and owners only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.webhooks import events, queries, services
from federe.webhooks.forms import EndpointForm
from federe.webhooks.models import Delivery, Endpoint


def _render(
    request: WorkspaceRequest,
    *,
    form: EndpointForm | None = None,
    edit_forms: dict[int, EndpointForm] | None = None,
    secret: tuple[Endpoint, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    edit_forms = edit_forms or {}
    rows = list(queries.endpoints(workspace))
    endpoints = [
        (
            endpoint,
            edit_forms.get(endpoint.pk)
            or EndpointForm(
                prefix=f"e{endpoint.pk}",
                initial={
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "events": endpoint.events,
                    "enabled": endpoint.enabled,
                },
            ),
        )
        for endpoint in rows
    ]
    log = list(queries.deliveries(workspace)[: queries.LOG_ROWS])
    response = render(
        request,
        "webhooks/page.html",
        {
            "workspace": workspace,
            "nav": "webhooks",
            "form": form or EndpointForm(),
            "endpoints": endpoints,
            "log": [(delivery, events.label(delivery.event.type)) for delivery in log],
            "new_secret": secret,
        },
        status=status,
    )
    if secret:
        response["Cache-Control"] = "no-store"  # the secret is on this page once: never kept by a cache
    return response


def _choices(form: EndpointForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {"url": data["url"], "event_types": data["events"], "description": data["description"]}


@workspace_page(perm=Perm.MANAGE_WEBHOOKS)
def page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    return _render(request)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def create(request: WorkspaceRequest, slug: str) -> HttpResponse:
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(workspace=request.workspace, by=request.user, **_choices(form))
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            return _render(request, secret=(endpoint, secret))
    return _render(request, form=form, status=400)


def _endpoint(request: WorkspaceRequest, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint, workspace=request.workspace, pk=pk)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def edit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    form = EndpointForm(request.POST, prefix=f"e{endpoint.pk}")
    if form.is_valid():
        try:
            services.update_endpoint(
                endpoint=endpoint, by=request.user, enabled=form.cleaned_data["enabled"], **_choices(form)
            )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Saved."))
            return redirect("webhooks:page", slug)
    return _render(request, edit_forms={endpoint.pk: form}, status=400)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def rotate(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("A new secret replaces the current one at once: the receiver must use the new one."),
            confirm_label=_("Rotate the secret"),
            back=reverse("webhooks:page", args=[slug]),
        )
    secret = services.rotate_secret(endpoint=endpoint, by=request.user)
    return _render(request, secret=(endpoint, secret))


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def delete(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("This address receives no more events, and its delivery log is deleted."),
            confirm_label=_("Delete this webhook"),
            back=reverse("webhooks:page", args=[slug]),
        )
    services.delete_endpoint(endpoint=endpoint, by=request.user)
    flash.success(request, _("Webhook deleted."))
    return redirect("webhooks:page", slug)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def test(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    services.send_test(endpoint=_endpoint(request, pk), by=request.user)
    flash.success(request, _("A test event is on its way; its answer appears in the delivery log."))
    return redirect("webhooks:page", slug)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def replay(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, workspace=request.workspace, pk=pk)
    try:
        services.replay(delivery=delivery, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("The event will be sent again, with the same id."))
    return redirect("webhooks:page", slug)
