from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The activity log's words for this app's verbs (``core.audit``).
VERBS = {
    "event.created": _("created an event"),
    "event.changed": _("changed an event"),
    "event.registration_cancelled": _("cancelled an event registration"),
    "event.checked_in": _("checked an attendee in"),
    "event.check_in_undone": _("undid an attendee's check-in"),
}


class EventsConfig(AppConfig):
    name = "federe.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS
        from federe.events import timeline

        VERB_LABELS.update(VERBS)
        timeline.register()
