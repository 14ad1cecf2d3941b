from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.connectors import registry


def network_choices() -> list[tuple[str, str]]:
    return [(cls.key, cls.label) for cls in registry.available()]


class ConnectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, error_messages={"required": _("Give the channel a name.")})
    network = forms.ChoiceField(label=_("Network"), choices=network_choices)
    token = forms.CharField(
        label=_("Access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted; never shown again."),
    )
    brand = forms.CharField(label=_("Brand name (dummy network)"), max_length=80, required=False)
