"""The client's approval page: no account, one post, approve or reject with a comment.

The address carries the post's id and the link's token; a token that is wrong, expired, revoked or of another
post gives the same "this link does not work" page (404), so the page says nothing about anything else. Each
address may open such pages ``RATE`` times per ``WINDOW`` seconds (429 beyond), which makes guessing pointless on
top of the token's 256 bits.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from federe.accounts.throttling import client_address
from federe.core import ratelimit
from federe.core.refusals import error_text
from federe.publishing import approvals, composing, shown
from federe.publishing.models import PostMedia
from federe.publishing.models.approvals import ApprovalLink, Verdict

RATE, WINDOW = 60, 600


def _over_rate(request: HttpRequest) -> bool:
    """Counts this address's requests in the window, in the database: every process counts together (its digest
    only: the address itself is kept nowhere)."""
    return ratelimit.hit("approve", client_address(request), RATE, WINDOW)


def _dead(request: HttpRequest, status: int = 404) -> HttpResponse:
    return render(request, "publishing/client_dead.html", {"status": status}, status=status)


def _link(request: HttpRequest, post_id: int, token: str) -> ApprovalLink | None:
    return approvals.find_link(post_id, token)


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, post_id: int, token: str) -> HttpResponse:
    if _over_rate(request):
        return _dead(request, 429)
    link = _link(request, post_id, token)
    if link is None:
        return _dead(request)
    post, error, done = link.post, "", ""
    if request.method == "POST":
        verdict = request.POST.get("verdict", "")
        try:
            approvals.decide_by_link(link, verdict=verdict, comment=request.POST.get("comment", "")[:2000])
        except ValidationError as exc:
            error = error_text(exc)
        else:
            done = verdict
            post.refresh_from_db()
    else:
        approvals.link_opened(link)
    return render(
        request,
        "publishing/client.html",
        {
            "post": post,
            "token": token,
            "link": link,
            "state": shown.state_of(post),
            "variants": composing.previews(post, client_token=token),
            "pending": approvals.awaits_decision(post),
            "error": error,
            "done": done,
            "verdicts": Verdict,
            "heading": _("A post for your approval"),
        },
    )


def image(request: HttpRequest, post_id: int, token: str, media_id: int) -> FileResponse:
    if _over_rate(request):
        raise Http404
    link = _link(request, post_id, token)
    if link is None:
        raise Http404
    return composing.image_response(get_object_or_404(PostMedia, post_id=link.post_id, pk=media_id))
