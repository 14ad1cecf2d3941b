from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the activity log names what the links services record (added to core.models.VERB_LABELS).
VERB_LABELS = {
    "links.preset_saved": _("changed the tracking parameters of links"),
    "links.settings_saved": _("changed whether links are shortened by default"),
}


class LinksConfig(AppConfig):
    name = "federe.links"
    label = "links"
    verbose_name = _("Links")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS as labels

        for verb, label in VERB_LABELS.items():
            labels.setdefault(verb, label)
