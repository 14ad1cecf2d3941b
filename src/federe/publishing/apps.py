from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the activity log names what the publishing services record (added to core.models.VERB_LABELS).
VERB_LABELS = {
    "post.created": _("wrote a post"),
    "post.updated": _("edited a post"),
    "post.scheduled": _("scheduled a post"),
    "post.rescheduled": _("moved a post to another time"),
    "post.cancelled": _("cancelled a post"),
    "post.deleted": _("deleted a post"),
    "post.expired": _("a post was not approved in time and was not published"),
    "delivery.sent": _("published a post on a channel"),
    "delivery.failed": _("could not publish a post on a channel"),
    "delivery.outcome_unknown": _("could not tell whether a post was published on a channel"),
    "delivery.resolved": _("settled a publication whose outcome was unknown"),
    "delivery.retried": _("asked to publish a post on a channel again"),
    "queue.slots_added": _("added times to a channel's queue"),
    "queue.slot_removed": _("took a time off a channel's queue"),
}


class PublishingConfig(AppConfig):
    name = "federe.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS as labels

        for verb, label in VERB_LABELS.items():
            labels.setdefault(verb, label)
