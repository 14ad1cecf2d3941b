"""The campaign pages' forms: only typing; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.accounts.models import Workspace
from federe.campaigns.models import MAX_NAME, Metric
from federe.campaigns.services import MAX_CATEGORY, Fields, LineFields
from federe.contests.models import Contest
from federe.core.money import parse_amount
from federe.events.models import Event
from federe.links.models import ShortLink
from federe.listening.models import SavedQuery
from federe.publishing.models import Post

CHOICES_SHOWN = 200


def _choices(rows: Any) -> list[tuple[int, str]]:
    return [(row.pk, str(row)[:80]) for row in rows[:CHOICES_SHOWN]]


class CampaignForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=MAX_NAME, error_messages={"required": _("Give the campaign a name.")}
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the first day."), "invalid": _("Give a date such as 2026-12-01.")},
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the last day."), "invalid": _("Give a date such as 2026-12-31.")},
    )
    post_ids = forms.TypedMultipleChoiceField(
        label=_("Posts"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    link_ids = forms.TypedMultipleChoiceField(
        label=_("Short links"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The short links of its posts belong to it already."),
    )
    query_ids = forms.TypedMultipleChoiceField(
        label=_("Listening queries"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their mentions during the campaign's dates are its mentions."),
    )
    contest_ids = forms.TypedMultipleChoiceField(
        label=_("Contests"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    event_ids = forms.TypedMultipleChoiceField(
        label=_("Events"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, workspace: Workspace, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invalid = _("Choose posts, links, queries, contests and events of this workspace.")
        posts = Post.objects.filter(workspace=workspace, deleted_at__isnull=True).order_by("-id")
        links = ShortLink.objects.filter(workspace=workspace, post__isnull=True).order_by("-id")
        queries = SavedQuery.objects.filter(workspace=workspace).order_by("name")
        contests = Contest.objects.filter(workspace=workspace).order_by("-starts_at")
        events = Event.objects.filter(workspace=workspace).order_by("-starts_at")
        kinds = [("post_ids", posts), ("link_ids", links), ("query_ids", queries)]
        for name, rows in [*kinds, ("contest_ids", contests), ("event_ids", events)]:
            field = self.fields[name]
            assert isinstance(field, forms.TypedMultipleChoiceField)
            field.choices = _choices(rows)
            field.error_messages["invalid_choice"] = invalid

    def fields_value(self) -> Fields:
        return Fields(**self.cleaned_data)


class AmountField(forms.CharField):
    """An amount as people type it (``1 234,50``): a Decimal, or the reason in words."""

    def __init__(self, currency: str = "EUR", **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(max_length=40, **kwargs)

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_amount(text, self.currency)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class LineForm(forms.Form):
    category = forms.CharField(label=_("Category"), max_length=MAX_CATEGORY)
    planned = AmountField(label=_("Planned"), required=False)
    spent = AmountField(label=_("Spent"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, currency: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("planned", "spent"):
            field = self.fields[name]
            assert isinstance(field, AmountField)
            field.currency = currency
            field.help_text = currency

    def line(self) -> LineFields:
        data = self.cleaned_data
        return LineFields(data["category"], data["planned"] or Decimal(0), data["spent"] or Decimal(0), data["note"])


class GoalsForm(forms.Form):
    """One optional target per measure."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for metric, label in Metric.choices:
            self.fields[metric] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                error_messages={
                    "invalid": _("Give a number, such as 500."),
                    "min_value": _("A target cannot be negative."),
                },
            )

    def targets(self) -> dict[str, Decimal | None]:
        return {metric: self.cleaned_data.get(metric) for metric in Metric.values}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}))
