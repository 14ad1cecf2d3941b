from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.replies import template
from federe.replies.models import ReplyLanguage
from federe.replies.services import MAX_BODY, Fields

VARIABLES_HELP = _(
    "Variables: {{author.first_name}}, {{author.name}}, {{channel.name}}, {{agent.name}}; "
    "{{ask:order number}} asks you for a value before the text is inserted."
)


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    folder = forms.CharField(label=_("Folder"), max_length=60, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=ReplyLanguage.choices)
    connection = forms.TypedChoiceField(label=_("Offered on"), coerce=int, empty_value=None, required=False, choices=[])
    body = forms.CharField(
        label=_("Text"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6}), help_text=VARIABLES_HELP
    )

    def __init__(self, *args: object, channels: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["connection"].choices = [("", _("every channel")), *channels]  # type: ignore[attr-defined]

    def fields_out(self) -> Fields:
        data = self.cleaned_data
        return Fields(
            title=data["title"],
            language=data["language"],
            body=data["body"],
            folder=data.get("folder") or "",
            connection_id=data.get("connection"),
        )


def question_fields(body: str) -> list[tuple[str, str]]:
    """(field name, label) of each question of a saved reply, for the small form shown before inserting."""
    return [(f"ask-{i}", label) for i, label in enumerate(template.questions(body))]
