"""Publishing: posts written once, a variant per channel, and the ledger of their deliveries."""

from federe.publishing.models.deliveries import Delivery, DeliveryState
from federe.publishing.models.posts import Approval, Post, PostMedia, PostStatus, Recurrence, Variant

__all__ = [
    "Approval",
    "Delivery",
    "DeliveryState",
    "Post",
    "PostMedia",
    "PostStatus",
    "Recurrence",
    "Variant",
]
