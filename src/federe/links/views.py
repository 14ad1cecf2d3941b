"""The Links page (settings, UTM presets with a live example, short links and their clicks), and /l/<code>.

The redirect is outside workspace routing and needs no account. It answers 302 to the link's destination (its
address with the UTM parameters), with ``Referrer-Policy: no-referrer`` (the UTM parameters already say where the
click came from; the page the visitor was reading is not passed on), ``Cache-Control: no-store`` (a cached
redirect would not be counted), no cookie, and nothing from another host. An unknown code gets a 404 page in the
visitor's language (Accept-Language, as every anonymous page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from federe.accounts.permissions import Perm, has_perm
from federe.core.charts import BarChart, category_chart
from federe.core.pages import add_errors, workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.links import examples, queries, services
from federe.links.forms import PresetForm, SettingsForm


@require_http_methods(["GET", "HEAD"])
def follow(request: HttpRequest, code: str) -> HttpResponse:
    destination = services.follow(
        code, method=request.method or "GET", user_agent=request.headers.get("User-Agent", "")
    )
    if destination is None:
        response = render(request, "links/missing.html", status=404)
    else:
        response = HttpResponseRedirect(destination)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _page_context(request: WorkspaceRequest, preset_forms: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    workspace = request.workspace
    post_id = whole_number(request.GET.get("post", ""))
    per_channel = queries.clicks_per_channel(workspace, post_id)
    per_post = queries.clicks_per_post(workspace) if post_id is None else []
    return {
        "workspace": workspace,
        "nav": "posts",
        "may_edit": has_perm(request.user, workspace, Perm.PUBLISH),
        "settings_form": SettingsForm(
            initial={"shorten_by_default": services.settings_for(workspace).shorten_by_default}
        ),
        "presets": preset_forms or examples.preset_forms(workspace),
        "post_id": post_id,
        "posts": queries.posts_with_links(workspace),
        "links": queries.links(workspace, post_id)[: queries.MAX_ROWS],
        "per_channel": per_channel,
        "channel_chart": _chart(per_channel, _("Clicks per channel"), alone=not per_post),
        "post_chart": _chart(per_post, _("Clicks per post"), alone=not per_channel),
        **extra,
    }


def _chart(totals: list[queries.Total], title: str, *, alone: bool) -> BarChart | None:
    """Bars of the first twelve totals, labels cut to fit; as wide as the card when it is the only chart."""
    if not totals:
        return None
    points = [(Truncator(t.label).chars(18 if alone else 12), t.clicks) for t in totals[:12]]
    return category_chart(points, title=title, width=640 if alone else 480)


@workspace_page()
def page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    return render(request, "links/page.html", _page_context(request))


@workspace_page(perm=Perm.PUBLISH, post=True)
def save_settings(request: WorkspaceRequest, slug: str) -> HttpResponse:
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.save_settings(
                request.workspace, by=request.user, shorten_by_default=form.cleaned_data["shorten_by_default"]
            )
        except PermissionDenied as exc:
            flash.error(request, error_text(exc))
        else:
            flash.success(request, _("Saved."))
    return redirect("links:page", request.workspace.slug)


@workspace_page(perm=Perm.PUBLISH, post=True)
def save_preset(request: WorkspaceRequest, slug: str) -> HttpResponse:
    prefix = request.POST.get("prefix", "")
    network = examples.network_of_prefix(request.workspace, prefix)
    if network is None:
        raise Http404
    form = PresetForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.save_preset(request.workspace, by=request.user, network=network, templates=form.templates())
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Saved."))
            return redirect("links:page", request.workspace.slug)
    entries = [
        examples.with_form(entry, form) if entry.network == network else entry
        for entry in examples.preset_forms(request.workspace)
    ]
    return render(request, "links/page.html", _page_context(request, entries))


@workspace_page(post=True)
def example(request: WorkspaceRequest, slug: str) -> HttpResponse:
    """The address a link of this preset would lead to, as one types (htmx)."""
    prefix = request.POST.get("prefix", "")
    network = examples.network_of_prefix(request.workspace, prefix)
    if network is None:
        raise Http404
    templates = {name: request.POST.get(f"{prefix}-{name}", "")[:1000] for name in examples.UTM_FIELDS}
    shown = examples.example(request.workspace, network, templates, timezone.now())
    return render(request, "links/_example.html", {"example": shown})
