"""Search every message of the workspace: the words ("quoted phrases" too; accents, capitals and word forms
ignored) and the same filters as the search page, checked by the same form; ranked, paged, each result with its
excerpt as escaped HTML with the matching words in ``<mark>``."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from federe.api.v1.inbox import message_out
from federe.api.v1.schemas import Id, MessageOut
from federe.core.requests import ApiRequest
from federe.search import backends
from federe.search.forms import NOBODY, SearchForm

router = Router()


class SearchParams(Schema):
    q: str = Field(..., max_length=1000, description='Words and "quoted phrases"; every one must be in the message.')
    author: str = Field("", max_length=100, description="Part of the author's name or handle.")
    channel: Id | None = None
    since: date | None = Field(None, description="First day, on the workspace's clock.")
    until: date | None = Field(None, description="Last day (included).")
    status: str = Field("", max_length=12, description="The thread's status: new, assigned, answered, closed.")
    assignee: str = Field("", max_length=20, description=f'A member\'s user id, or "{NOBODY}" for unassigned threads.')
    sentiment: str = Field("", max_length=12, description="positive, neutral or negative.")
    label: Id | None = None
    page: int = Field(1, ge=1, le=backends.COUNT_LIMIT)
    per_page: int = Field(backends.PER_PAGE, ge=1, le=100)


class SearchHit(Schema):
    message: MessageOut
    thread_title: str
    thread_status: str
    excerpt_html: str = Field(description="Escaped text around the first match; matching words in <mark>.")


class SearchPage(Schema):
    results: list[SearchHit]
    total: int = Field(description=f"Messages found, counted up to {backends.COUNT_LIMIT}.")
    more_than_counted: bool
    page: int
    per_page: int
    has_next: bool


@router.get("", response=SearchPage)
def search_messages(request: ApiRequest, params: Query[SearchParams]) -> SearchPage:
    """Messages of the workspace that hold every word and phrase and pass every filter, best first."""
    data = {key: "" if value is None else str(value) for key, value in params.dict().items()}
    form = SearchForm(request.workspace, data)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ValidationError({field: errors})
    if form.query.is_empty:
        raise ValidationError({"q": _("Type at least one word to search for (letters or digits).")})
    found = backends.search(request.workspace, form.query, page=params.page, per_page=params.per_page)
    return SearchPage(
        results=[
            SearchHit(
                message=message_out(r.message),
                thread_title=r.message.conversation.title,
                thread_status=r.message.conversation.status,
                excerpt_html=str(r.excerpt),
            )
            for r in found.results
        ],
        total=found.total,
        more_than_counted=found.more_than_counted,
        page=found.page,
        per_page=found.per_page,
        has_next=found.has_next,
    )
