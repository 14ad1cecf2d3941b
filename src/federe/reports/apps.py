from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the activity log names what the reports services record (added to core.models.VERB_LABELS).
VERB_LABELS = {
    "report.created": _("created a report template"),
    "report.changed": _("changed a report template"),
    "report.deleted": _("deleted a report template"),
    "report.shared": _("made a report's share link"),
    "report.sent": _("e-mailed a report"),
    "report.paused": _("paused a report's e-mails after failed sendings"),
    "report.resumed": _("resumed a report's e-mails"),
}


class ReportsConfig(AppConfig):
    name = "federe.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS as labels

        for verb, label in VERB_LABELS.items():
            labels.setdefault(verb, label)
