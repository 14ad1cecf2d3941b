"""Validators shared by forms: addresses Fédère will call on a user's behalf, and numbers typed the French way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from federe.core import netsafe


def validate_outgoing_url(value: str) -> None:
    """Refuse, when it is saved, an address that ``netsafe`` would refuse when calling it (loopback, private,
    metadata, other schemes, credentials, a name that does not resolve); the message is netsafe's own."""
    if not value:
        return
    try:
        netsafe.check_url(value)
    except netsafe.NetError as exc:
        raise ValidationError(str(exc), code=exc.code or "refused") from exc


class DecimalCommaField(forms.FloatField):
    """A number that also accepts a decimal comma (``0,6``) whatever the language, shown in the reader's format,
    in a text box so that what was typed is shown back as it was when it is refused (a browser's number box
    empties itself on ``0,6``)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"localize": True, **kwargs})

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]  # the stubs type FloatField as int
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}
