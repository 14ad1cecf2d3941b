"""Connecting a channel: a name, a network, then the fields that network declares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.connectors import registry
from federe.connectors.base import SetupField


def network_choices() -> list[tuple[str, str]]:
    return [(cls.key, str(cls.label)) for cls in registry.available()]


def _form_field(spec: SetupField) -> forms.Field:
    widget: forms.Widget
    if spec.kind == "password":
        widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        return forms.CharField(label=spec.label, help_text=spec.help, required=False, widget=widget)
    if spec.kind == "choice":
        return forms.ChoiceField(
            label=spec.label, help_text=spec.help, required=False, choices=spec.choices, initial=spec.choices[0][0]
        )
    if spec.kind == "url":
        return forms.URLField(label=spec.label, help_text=spec.help, required=False, assume_scheme="https")
    return forms.CharField(label=spec.label, help_text=spec.help, required=False, max_length=200)


class ConnectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, error_messages={"required": _("Give the channel a name.")})
    network = forms.ChoiceField(label=_("Network"), choices=network_choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: list[tuple[Any, list[str]]] = []
        for cls in registry.available():
            names = []
            for spec in cls.setup_fields:
                field_name = f"{cls.key}__{spec.name}"
                self.fields[field_name] = _form_field(spec)
                names.append(field_name)
            self.groups.append((cls, names))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        network = data.get("network")
        if not network:
            return data
        for spec in registry.connector_class(network).setup_fields:
            field_name = f"{network}__{spec.name}"
            if spec.required and not data.get(field_name):
                self.add_error(field_name, _("This field is required."))
        return data

    def config_and_credentials(self) -> tuple[dict[str, str], dict[str, str]]:
        network = self.cleaned_data["network"]
        config: dict[str, str] = {}
        credentials: dict[str, str] = {}
        for spec in registry.connector_class(network).setup_fields:
            value = (self.cleaned_data.get(f"{network}__{spec.name}") or "").strip()
            if value:
                (credentials if spec.secret else config)[spec.name] = value
        return config, credentials
