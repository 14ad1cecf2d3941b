"""From the compose form to the publishing services, and back: a post's variants with their previews.

``compose_post`` hands the checked plan to ``services.create_post`` / ``update_post`` (which schedule the deliveries),
stores the images, and opens an approval round when the workspace asks for one (an edit starts a new one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils.html import escape, urlize
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.connectors.types import PostRules
from federe.core.html import sanitize_html
from federe.links import services as link_services
from federe.publishing import approvals, services
from federe.publishing.channels import rules_of
from federe.publishing.checks import PostInput, VariantInput, workspace_zone
from federe.publishing.forms import ComposePlan, When
from federe.publishing.models import Post, PostMedia, Variant


def zone_of(workspace: Workspace) -> str:
    return workspace_zone(workspace).key


def preview_html(text: str, rules: PostRules | None) -> str:
    """The text as the network will show it, sanitised: paragraphs, line breaks and links."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    body = "".join(f"<p>{urlize(escape(p)).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return sanitize_html(body)


def new_post_initial(workspace: Workspace) -> dict[str, Any]:
    """A new post's form: links shortened when the workspace says so."""
    return {"track_links": link_services.settings_for(workspace).shorten_by_default}


def initial(post: Post, zone: str) -> dict[str, Any]:
    """The compose form filled with a saved post."""
    values: dict[str, Any] = {
        "title": post.title,
        "body": post.body,
        "when": When.DRAFT,
        "track_links": link_services.shortens(post),
    }
    if post.scheduled_at:
        local = post.scheduled_at.astimezone(workspace_zone(post.workspace))
        values |= {"when": When.LATER, "day": local.date(), "at": local.time().replace(second=0, microsecond=0)}
    variants = list(post.variants.all())
    values["channels"] = [v.connection_id for v in variants]
    for v in variants:
        p = f"v{v.connection_id}"
        values |= {
            f"{p}_text": v.body_text if v.body_text != post.body else "",
            f"{p}_title": v.title if v.title != post.title else "",
            f"{p}_content_warning": v.content_warning,
            f"{p}_visibility": v.visibility,
            f"{p}_language": v.language,
        }
    return values


def _input(workspace: Workspace, plan: ComposePlan, approval: str) -> PostInput:
    return PostInput(
        body=plan.body,
        title=plan.title,
        scheduled_at=plan.scheduled_at,
        queue=plan.when == When.QUEUE,
        approval=approval,
        shorten_links=plan.track_links,
        variants=[
            VariantInput(
                connection_id=v.channel.pk,
                body_text=v.text,
                title=v.title,
                content_warning=v.content_warning,
                visibility=v.visibility,
                language=v.language,
            )
            for v in plan.variants
        ],
    )


@transaction.atomic
def compose_post(workspace: Workspace, *, by: Any, plan: ComposePlan, post: Post | None = None) -> Post:
    """Create or edit the post; with approval required, the version saved waits for a new approval."""
    required = approvals.settings_for(workspace).required
    if required and plan.when == When.NOW:
        raise ValidationError(
            {"when": _("This workspace asks for approval first: choose a time, the post goes out then if approved.")}
        )
    approval = approvals.PENDING if required else approvals.NOT_REQUIRED
    if post is None:
        post = services.create_post(workspace, by, _input(workspace, plan, approval))
    else:
        post = services.update_post(post, by, _input(workspace, plan, approval))
    _store_images(post, plan)
    link_services.set_post_choice(post, plan.track_links)
    if required:
        approvals.submit(post, by=by)
    return post


def _store_images(post: Post, plan: ComposePlan) -> None:
    PostMedia.objects.filter(post=post, pk__in=plan.removed).delete()
    for pk, alt in plan.alt_texts.items():
        PostMedia.objects.filter(post=post, pk=pk).update(alt_text=alt)
    position = PostMedia.objects.filter(post=post).count()
    for upload, mime, alt in plan.images:
        PostMedia.objects.create(
            workspace=post.workspace,
            post=post,
            file=upload,
            alt_text=alt,
            mime=mime,
            size=upload.size or 0,
            position=position,
        )
        position += 1


def saved_words(post: Post) -> str:
    if post.approval == approvals.PENDING:
        return _("Saved and sent for approval.")
    return _("Scheduled.") if post.scheduled_at else _("Saved as a draft.")


@dataclass
class Preview:
    variant: Variant
    html: str
    images: list[tuple[str, str]]  # (address, alt text)


def previews(post: Post, *, client_token: str = "") -> list[Preview]:
    """Each variant as its network will show it; images through the team's or the client link's address."""
    media = list(post.media.all())

    def address(item: PostMedia) -> str:
        if client_token:
            return reverse("publishing:client-image", args=[post.pk, client_token, item.pk])
        return reverse("publishing:media", args=[post.workspace.slug, item.pk])

    shown = []
    for variant in post.variants.select_related("connection"):
        rules = rules_of(variant.connection.network)
        images = [(address(m), m.alt_text) for m in media[: rules.media_max if rules else 0]]
        shown.append(Preview(variant, preview_html(variant.body_text, rules), images))
    return shown


def image_response(item: PostMedia) -> FileResponse:
    response = FileResponse(item.file.open("rb"), content_type=item.mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
