from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.tickets.models import Priority, TeamKind, TeamLanguage, TicketStatus


class TeamForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"placeholder": "support@example.org"}),
    )
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        max_length=1000,
        required=False,
        help_text=_("An https address that receives each ticket as a signed POST."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.org/hooks/federe"}),
    )
    language = forms.ChoiceField(label=_("Language of its e-mails"), choices=TeamLanguage.choices)


class EscalateForm(forms.Form):
    message = forms.TypedChoiceField(label=_("Message"), coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    note = forms.CharField(
        label=_("Note for the team"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    mention = forms.TypedChoiceField(
        label=_("Listening mention (marketing)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, messages=(), teams=(), mentions=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name, choices in (("message", list(messages)), ("team", list(teams))):
            cast(forms.ChoiceField, self.fields[name]).choices = choices
        cast(forms.ChoiceField, self.fields["mention"]).choices = [("", _("none")), *mentions]
        if not mentions:
            del self.fields["mention"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
