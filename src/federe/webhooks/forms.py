from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.webhooks import events


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=1000,
        help_text=_("An https address that receives each event as a signed POST."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.org/hooks/federe"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=lambda: [(name, str(label)) for name, label in events.EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
