"""Forms of the team, invitation and profile pages: they parse; the services in team.py and profile.py decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from federe.accounts.models import EmailChoice, Role
from federe.accounts.profile import timezones
from federe.core.money import CURRENCIES


class AddMemberForm(forms.Form):
    who = forms.CharField(
        label=_("User name or e-mail"),
        max_length=254,
        help_text=_("Someone without an account receives an invitation link by e-mail."),
        error_messages={"required": _("Give a user name or an e-mail address.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MODERATOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class JoinForm(forms.Form):
    """A new account made from an invitation (the e-mail is the invitation's)."""

    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            raise ValidationError({"password_again": _("The two passwords differ.")})
        return data


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Enter a valid e-mail address.")},
    )
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("The browser's")), *settings.LANGUAGES])
    timezone = forms.CharField(
        label=_("Timezone"),
        max_length=64,
        required=False,
        help_text=_("Dates and times are shown in it, e.g. Europe/Paris. Empty: the server's."),
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
    )
    notify_assignments = forms.BooleanField(label=_("a thread or a mention is handed to me"), required=False)
    notify_reviews = forms.BooleanField(label=_("a rule flags messages for review"), required=False)
    notify_digests = forms.BooleanField(label=_("the people digest (newcomers, gone quiet, back)"), required=False)
    notify_alerts = forms.BooleanField(label=_("listening alerts sent to my address"), required=False)
    notify_publishing = forms.BooleanField(
        label=_("what happens to my posts, and posts awaiting my approval"), required=False
    )
    notify_note_mentions = forms.TypedChoiceField(
        label=_("a teammate mentions me in a note"), choices=EmailChoice.choices, required=False, empty_value="now"
    )
    notify_assigned = forms.TypedChoiceField(
        label=_("a thread is assigned to me"), choices=EmailChoice.choices, required=False, empty_value="now"
    )
    notify_sla_breach = forms.TypedChoiceField(
        label=_("a thread is about to miss its response or resolution target"),
        choices=EmailChoice.choices,
        required=False,
        empty_value="now",
    )
    notify_ticket_updated = forms.TypedChoiceField(
        label=_("an escalation to another team is updated"),
        choices=EmailChoice.choices,
        required=False,
        empty_value="now",
    )
    notify_alert_fired = forms.TypedChoiceField(
        label=_("a listening alert fires"), choices=EmailChoice.choices, required=False, empty_value="now"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezones = timezones()

    @property
    def notification_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("notify_")]

    @property
    def identity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("notify_")]


class PasswordForm(forms.Form):
    current = forms.CharField(label=_("Current password"), widget=forms.PasswordInput, strip=False)
    new = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    new_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new") and data.get("new") != data.get("new_again"):
            raise ValidationError({"new_again": _("The two passwords differ.")})
        return data


class WorkspaceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Give the workspace a name.")}
    )
    timezone = forms.CharField(
        label=_("Timezone"),
        max_length=64,
        help_text=_("The team's clock, e.g. Europe/Paris: dates are typed and shown in it, summer time included."),
        error_messages={"required": _("Choose a timezone from the list, such as Europe/Paris.")},
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[(code, code) for code in CURRENCIES],
        required=False,  # a form without it (an older script) keeps the workspace's
        help_text=_("Campaign budgets are kept in it (ISO 4217 code). Amounts already typed are not converted."),
        error_messages={"invalid_choice": _("Choose a currency from the list (ISO 4217 code, such as EUR).")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezones = timezones()
        from federe.nlp.deep.choices import offered

        # The deep tier's encoder: offered only where there is a choice (the optional one installed, with its heads).
        choices = offered()
        if len(choices) > 1:
            self.fields["deep_encoder"] = forms.ChoiceField(
                label=_("Text analysis model"),
                choices=[
                    (c.name, format_html('{}<span class="help choice-help">{} {}</span>', c.label, c.what, c.speed))
                    for c in choices
                ],
                widget=forms.RadioSelect,
                required=False,  # a form without it keeps the workspace's
                help_text=_(
                    "Refines the spam, toxicity and tone scores in the background. Changing it loses nothing: "
                    "scores already stored stay until re-scored, and recent messages are re-scored with the new one."
                ),
                error_messages={"invalid_choice": _("Choose one of the text analysis models listed.")},
            )
