"""The posts pages: the list with each post's state as the team sees it, compose (and edit), the limits as one
types, and a post's page (its variants' previews, deliveries and approval)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from federe.accounts.permissions import Perm, has_perm
from federe.core.pages import add_errors, workspace_page
from federe.core.requests import WorkspaceRequest
from federe.links import queries as link_queries
from federe.links.addresses import as_previewed
from federe.publishing import approvals, composing, shown
from federe.publishing.channels import publishing_channels
from federe.publishing.forms import ComposeForm
from federe.publishing.limits import Draft, check
from federe.publishing.models import Post, PostMedia


def _post(request: WorkspaceRequest, pk: int) -> Post:
    return get_object_or_404(Post, workspace=request.workspace, pk=pk, deleted_at__isnull=True)


@workspace_page()
def post_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    wanted = request.GET.get("state", "")
    rows = shown.posts_with_states(workspace)
    counts = shown.count_states(rows)
    listed = [row for row in rows if not wanted or row.state.key == wanted]
    return render(
        request,
        "publishing/list.html",
        {
            "workspace": workspace,
            "nav": "posts",
            "tiles": shown.tiles(counts),
            "rows": listed[:200],
            "wanted": wanted if wanted in shown.STATE_LABELS else "",
            "may_compose": has_perm(request.user, workspace, Perm.PUBLISH),
        },
    )


@workspace_page(perm=Perm.PUBLISH)
def compose(request: WorkspaceRequest, slug: str, pk: int | None = None) -> HttpResponse:
    workspace = request.workspace
    post = _post(request, pk) if pk is not None else None
    channels = publishing_channels(workspace)
    existing = list(post.media.all()) if post else []
    zone = composing.zone_of(workspace)
    form = ComposeForm(
        request.POST or None,
        request.FILES or None,
        channels=channels,
        zone=zone,
        existing=existing,
        initial=composing.initial(post, zone) if post else composing.new_post_initial(workspace),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = composing.compose_post(workspace, by=request.user, plan=form.plan(), post=post)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, composing.saved_words(saved))
            return redirect("publishing:post", workspace.slug, saved.pk)
    return render(
        request,
        "publishing/compose.html",
        {
            "workspace": workspace,
            "nav": "posts",
            "form": form,
            "post": post,
            "zone": zone,
            "channels": channels,
            "approval_required": approvals.settings_for(workspace).required,
        },
    )


@workspace_page(perm=Perm.PUBLISH, post=True)
def limits(request: WorkspaceRequest, slug: str) -> HttpResponse:
    """One variant measured as it is typed (htmx): its count against the limit, what is wrong, its preview.
    Images are checked when the form is sent (their count, type, size and descriptions)."""
    channel = next((c for c in publishing_channels(request.workspace) if c.prefix == request.POST.get("prefix")), None)
    if channel is None:
        raise Http404
    p, data = channel.prefix, request.POST
    text = data.get(f"{p}_text") or data.get("body") or ""
    if data.get("track_links"):
        text = as_previewed(text)
    draft = Draft(
        text=text,
        title=data.get(f"{p}_title") or data.get("title") or "",
        content_warning=data.get(f"{p}_content_warning", ""),
        visibility=data.get(f"{p}_visibility", ""),
        language=data.get(f"{p}_language", ""),
    )
    return render(
        request,
        "publishing/_limits.html",
        {"measure": check(channel.rules, draft), "preview": composing.preview_html(text, channel.rules)},
    )


def detail_context(request: WorkspaceRequest, post: Post, new_link: str = "") -> dict[str, object]:
    """What a post's page shows; ``new_link`` is a client link just made, shown once and never stored."""
    workspace = request.workspace
    return {
        "workspace": workspace,
        "nav": "posts",
        "post": post,
        "state": shown.state_of(post),
        "variants": composing.previews(post),
        "deliveries": post.deliveries.select_related("connection").order_by("id"),
        "approval": shown.approval_progress(post, request.user),
        "links": shown.live_links(post),
        "may_compose": has_perm(request.user, workspace, Perm.PUBLISH),
        "new_link": new_link,
        "approval_required": approvals.settings_for(workspace).required,
        "link_totals": link_queries.clicks_per_channel(workspace, post.pk),
    }


@workspace_page()
def post_detail(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    return render(request, "publishing/post.html", detail_context(request, _post(request, pk)))


@workspace_page()
def media(request: WorkspaceRequest, slug: str, pk: int) -> FileResponse:
    item = get_object_or_404(PostMedia, workspace=request.workspace, pk=pk)
    return composing.image_response(item)
