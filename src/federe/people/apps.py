from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the activity log names what people's services record (added to core.models.VERB_LABELS at start-up).
VERB_LABELS = {
    "person.merged": _("merged two persons"),
    "person.auto_merged": _("merged two persons automatically"),
    "person.unmerged": _("undid a merge of persons"),
    "person.merge_rejected": _("said two persons are not the same"),
    "person.note_added": _("added a note on a person"),
    "person.note_deleted": _("deleted a note on a person"),
    "person.tagged": _("tagged a person"),
    "person.untagged": _("removed a tag from a person"),
    "person.field_set": _("set a field on a person"),
    "person.field_cleared": _("cleared a field on a person"),
    "person.exported": _("exported everything about a person"),
    "person.erased": _("erased a person"),
    "segment.saved": _("saved a segment"),
    "segment.deleted": _("deleted a segment"),
    "people.settings_changed": _("changed the engagement scoring"),
    "people.recomputed": _("recomputed engagement scores"),
    "people.suggestions_refreshed": _("looked for duplicate persons"),
    "people.digest_sent": _("sent the people signals digest"),
}


class PeopleConfig(AppConfig):
    name = "federe.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS as labels

        for verb, label in VERB_LABELS.items():
            labels.setdefault(verb, label)
