"""The Links page's forms: the default for new posts, and the UTM templates (the workspace's or a network's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.links.models import MAX_TEMPLATE, UTM_FIELDS

HELP = {
    "utm_source": _("Where the visitor comes from, e.g. {network}."),
    "utm_medium": _("The kind of link, e.g. social."),
    "utm_campaign": _("The campaign, e.g. post-{post_id} or spring-{date}."),
    "utm_term": _("Usually empty for social posts."),
    "utm_content": _("What sets this link apart, e.g. {channel}."),
}


class SettingsForm(forms.Form):
    shorten_by_default = forms.BooleanField(
        label=_("Shorten links and add tracking in new posts"),
        required=False,
        help_text=_("Each post can still choose. Only posts sent after the change are concerned."),
    )


class PresetForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in UTM_FIELDS:
            self.fields[name] = forms.CharField(
                label=name, required=False, max_length=MAX_TEMPLATE, help_text=HELP[name], strip=True
            )

    def templates(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in UTM_FIELDS}
