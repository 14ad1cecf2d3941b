from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.inbox.models import ConversationStatus, Priority
from federe.inbox.services import MAX_REPLY_LENGTH


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Write a reply, sent on the channel as the brand")}),
        error_messages={"required": _("Write something before sending.")},
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ConversationStatus.choices)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(required=False)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
