from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the activity log names what the team and profile services record (added to core.models.VERB_LABELS).
VERB_LABELS = {
    "member.invited": _("invited someone to the workspace"),
    "member.joined": _("joined the workspace"),
    "member.invitation_revoked": _("withdrew an invitation"),
    "member.role_changed": _("changed a member's role"),
    "member.removed": _("removed a member"),
    "conversation.released": _("gave a member's threads back to the team"),
    "user.profile_changed": _("changed their profile"),
    "user.password_changed": _("changed their password"),
}


class AccountsConfig(AppConfig):
    name = "federe.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from federe.core.models import VERB_LABELS as labels

        for verb, label in VERB_LABELS.items():
            labels.setdefault(verb, label)
