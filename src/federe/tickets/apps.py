from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the activity log names what the escalation services record (added to core.models.VERB_LABELS).
VERB_LABELS = {
    "escalation_team.created": _("added an escalation team"),
    "escalation_team.changed": _("changed an escalation team"),
    "escalation_team.secret_rotated": _("rotated an escalation team's secret"),
    "escalation_team.deleted": _("deleted an escalation team"),
    "ticket.created": _("escalated a message as a ticket"),
    "ticket.status_changed": _("changed an escalation ticket's status"),
}


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "federe.tickets"
    label = "tickets"
    verbose_name = _("Escalation tickets")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS as labels

        for verb, label in VERB_LABELS.items():
            labels.setdefault(verb, label)
