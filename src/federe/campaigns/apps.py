from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the activity log names what the campaigns services record (added to core.models.VERB_LABELS).
VERB_LABELS = {
    "campaign.created": _("created a campaign"),
    "campaign.changed": _("changed a campaign"),
    "campaign.deleted": _("deleted a campaign"),
    "campaign.budget_changed": _("changed a campaign's budget"),
    "campaign.spend_imported": _("imported a campaign's spending"),
}


class CampaignsConfig(AppConfig):
    name = "federe.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS as labels

        for verb, label in VERB_LABELS.items():
            labels.setdefault(verb, label)
