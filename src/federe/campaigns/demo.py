"""The demo's campaign: one running (ten days in, ten to go) that groups the brand's posts of those days, a short
link on two of them with some clicks, the brand's listening query, three goals and three budget lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from federe.accounts.models import Workspace
from federe.campaigns import services
from federe.campaigns.models import Campaign
from federe.links import services as links
from federe.links.utm import Context
from federe.listening.models import QueryKind, SavedQuery
from federe.publishing.models import Delivery, DeliveryState

BUDGET = [("Ads", "1500.00", "620.40"), ("Design", "800.00", "800.00"), ("Prizes", "300.00", "0.00")]
GOALS = {"mentions": Decimal(200), "clicks": Decimal(150), "new_members": Decimal(40)}
CLICKS = (23, 11)


def load(workspace: Workspace, owner: Any) -> Campaign:
    today = timezone.localdate(timezone=ZoneInfo(workspace.timezone))
    first = today - timedelta(days=10)
    sent = Delivery.objects.filter(
        workspace=workspace, state=DeliveryState.SENT, sent_at__date__gte=first - timedelta(days=1)
    ).select_related("post", "connection")
    posts = {delivery.post_id: delivery for delivery in sent.order_by("sent_at")}
    brand = SavedQuery.objects.filter(workspace=workspace, kind=QueryKind.BRAND).order_by("pk").first()
    fields = services.Fields(
        name="Printemps / Spring launch",
        description="Relaunch of the loyalty card: posts, a link to the offer, ads and prizes.",
        starts_on=first,
        ends_on=today + timedelta(days=10),
        post_ids=list(posts),
        query_ids=[brand.pk] if brand else [],
    )
    campaign = services.create_campaign(workspace, by=owner, fields=fields)
    for delivery, clicks in zip(list(posts.values())[:2], CLICKS, strict=False):
        day = delivery.sent_at.date().isoformat() if delivery.sent_at else today.isoformat()
        context = Context(delivery.connection.name, delivery.connection.network, str(delivery.post_id), day)
        link = links.link_for(
            delivery.post, delivery.connection, f"https://{workspace.slug}.example/offer", {}, context
        )
        for _click in range(clicks):
            links.count_click(link)
    services.set_goals(campaign, by=owner, targets=dict(GOALS))
    for category, planned, spent in BUDGET:
        services.save_line(campaign, by=owner, fields=services.LineFields(category, Decimal(planned), Decimal(spent)))
    return campaign
