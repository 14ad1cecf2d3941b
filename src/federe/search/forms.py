"""The search's words and filters as typed on the page, in the API's query string or on the command line: one
form checks them all the same way, each wrong value said in words, and gives a ``SearchQuery``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from federe.accounts.models import Workspace
from federe.accounts.queries import members_of
from federe.connections.queries import connections_of
from federe.inbox.models import ConversationStatus, Label
from federe.nlp.explain import SENTIMENT_NAMES
from federe.search.query import UNASSIGNED, QueryError, SearchQuery

NOBODY = "none"  # the assignee choice for threads assigned to nobody


def _optional_int(value: str) -> int | None:
    return int(value) if value else None  # only ever a value of the choices: ASCII digits


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, strip=True)  # length checked by query.terms
    author = forms.CharField(label=_("Author"), required=False, max_length=100)
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=_optional_int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    sentiment = forms.ChoiceField(label=_("Tone"), required=False)
    label = forms.TypedChoiceField(label=_("Label"), required=False, coerce=_optional_int, empty_value=None)

    def __init__(self, workspace: Workspace, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"id": "inbox-search", "type": "search", "autocomplete": "off"})
        if not (self.data.get("q") or "").strip():  # an empty search page is there to type in (the "/" key lands here)
            self.fields["q"].widget.attrs["autofocus"] = True
        members = [(str(m.user_id), m.user.get_username()) for m in members_of(workspace)]
        labels = [(str(label.pk), label.name) for label in Label.objects.filter(workspace=workspace)]
        self._choices("channel", [("", _("All channels"))] + [(str(c.pk), c.name) for c in connections_of(workspace)])
        self._choices("status", [("", _("Any status")), *ConversationStatus.choices])
        self._choices("assignee", [("", _("Anyone")), (NOBODY, _("Nobody")), *members])
        self._choices("sentiment", [("", _("Any tone")), *SENTIMENT_NAMES.items()])
        self._choices("label", [("", _("Any label")), *labels])

    def _choices(self, name: str, choices: list) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                self.query = self._query(data)
            except QueryError as exc:
                self.add_error("q", exc)
        return data

    def _query(self, data: dict[str, Any]) -> SearchQuery:
        assignee = data.get("assignee") or ""
        query = SearchQuery(
            text=data.get("q") or "",
            author=data.get("author") or "",
            channel=data.get("channel"),
            since=data.get("since"),
            until=data.get("until"),
            status=data.get("status") or "",
            assignee=UNASSIGNED if assignee == NOBODY else (int(assignee) if assignee else None),
            sentiment=data.get("sentiment") or "",
            label=data.get("label"),
        )
        return query if query.is_empty else query.parsed()

    def first_error(self) -> str:
        """The first error, prefixed by its field's label (for the API and the command line)."""
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            return f"{label}: {errors[0]}" if label else str(errors[0])
        return ""
