"""Publishing: posts written once, a variant per channel, and the ledger of their deliveries."""

from federe.publishing.models.approvals import (  # the approval workflow's rows (publishing.approvals)
    ApprovalDecision,
    ApprovalLink,
    ApprovalRound,
    ApprovalSettings,
    ApprovalStep,
)
from federe.publishing.models.deliveries import Delivery, DeliveryState
from federe.publishing.models.posts import Approval, Post, PostMedia, PostStatus, Recurrence, Variant
from federe.publishing.models.queue import QueueSlot, Weekday

__all__ = [
    "Approval",
    "ApprovalDecision",
    "ApprovalLink",
    "ApprovalRound",
    "ApprovalSettings",
    "ApprovalStep",
    "Delivery",
    "DeliveryState",
    "Post",
    "PostMedia",
    "PostStatus",
    "QueueSlot",
    "Recurrence",
    "Variant",
    "Weekday",
]
