"""Short links: the workspace's links with their clicks (per link; ``post_id`` filters to one post's)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from federe.api.v1.schemas import Id, Offset
from federe.core.requests import ApiRequest
from federe.links import addresses, queries

router = Router()


class LinkOut(Schema):
    id: int
    code: str
    short_url: str
    target: str
    destination: str = Field(description="The address with its UTM parameters: where the short link leads.")
    post_id: int | None
    connection_id: int | None
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    clicks: int = Field(description="Clicks by people (robots, link previews and HEAD requests are not counted).")
    created_at: datetime


class LinksQuery(Schema):
    post_id: Id | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


@router.get("", response=list[LinkOut])
def list_links(request: ApiRequest, q: Query[LinksQuery]) -> list[LinkOut]:
    """The workspace's short links, newest first, each with its clicks."""
    rows = queries.links(request.workspace, q.post_id)[q.offset : q.offset + q.limit]
    return [
        LinkOut(
            id=link.pk,
            code=link.code,
            short_url=addresses.short_url(link.code),
            target=link.target,
            destination=link.destination,
            post_id=link.post_id,
            connection_id=link.connection_id,
            utm_source=link.utm_source,
            utm_medium=link.utm_medium,
            utm_campaign=link.utm_campaign,
            utm_term=link.utm_term,
            utm_content=link.utm_content,
            clicks=link.total,
            created_at=link.created_at,
        )
        for link in rows
    ]
