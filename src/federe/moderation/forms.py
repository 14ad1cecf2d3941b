"""The rule form: plain fields a moderator understands, turned into a rule definition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federe.inbox.models import Language
from federe.moderation.actions import Choice
from federe.moderation.models import SideAction, Verdict

SCORE_TASKS = ("spam", "toxicity", "negative")

VERDICT_WORDS = {Verdict.HOLD: _("Hold for review"), Verdict.SPAM: _("Mark as spam")}
SIDE_CHOICES = [
    (SideAction.LABEL, _("Add a label (and put in the review queue)")),
    (SideAction.ASSIGN, _("Assign the conversation to a teammate")),
    (SideAction.NOTIFY, _("E-mail the moderators (and put in the review queue)")),
]
ACTION_CHOICES = [*((v, VERDICT_WORDS.get(v, v.label)) for v in Verdict), *SIDE_CHOICES]


def verdict_choices(choices: Sequence[Choice], keep: str = "") -> list[tuple[str, str]]:
    """The verdicts the workspace's channels offer (their union), each saying which channels lack it; ``keep``
    (the rule's current verdict) stays choosable even when no channel offers it any more."""
    listed = [(str(c.verdict), _text(c.verdict, c.lacking)) for c in choices]
    if keep in Verdict.values and keep not in {value for value, _label in listed}:
        listed.append((keep, str(VERDICT_WORDS.get(Verdict(keep), Verdict(keep).label))))
    return listed


def _text(verdict: Verdict, lacking: Sequence[str]) -> str:
    words = str(VERDICT_WORDS.get(verdict, verdict.label))
    if not lacking:
        return words
    return gettext("%(action)s (not on %(channels)s)") % {"action": words, "channels": ", ".join(lacking)}


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Rule name"), max_length=120)
    match = forms.ChoiceField(
        label=_("Apply when"),
        initial="any",
        choices=[("any", _("any condition matches")), ("all", _("all conditions match"))],
    )
    words = forms.CharField(
        label=_("Watched words and phrases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Accents and capitals are ignored; * is a wildcard (gagn*)."),
    )
    min_links = forms.IntegerField(label=_("At least this many links"), required=False, min_value=1)
    contact = forms.BooleanField(label=_("Contains an e-mail address or a phone number"), required=False)
    emoji_only = forms.BooleanField(label=_("Only emoji or symbols"), required=False)
    min_length = forms.IntegerField(label=_("Shorter than (characters)"), required=False, min_value=1)
    max_length = forms.IntegerField(label=_("Longer than (characters)"), required=False, min_value=1)
    languages = forms.MultipleChoiceField(
        label=_("Language is"), required=False, choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    new_author = forms.BooleanField(label=_("Author's first message in this workspace"), required=False)
    min_spam = forms.IntegerField(
        label=_("Spam score at least (%)"), required=False, min_value=1, max_value=100, help_text=_("For example 80.")
    )
    min_toxicity = forms.IntegerField(
        label=_("Toxicity score at least (%)"), required=False, min_value=1, max_value=100
    )
    min_negative = forms.IntegerField(
        label=_("Negative, with a confidence of at least (%)"), required=False, min_value=1, max_value=100
    )
    channels = forms.MultipleChoiceField(
        label=_("On these channels"), required=False, widget=forms.CheckboxSelectMultiple
    )
    action = forms.ChoiceField(label=_("Then"), choices=ACTION_CHOICES)
    label = forms.CharField(label=_("Label"), required=False, max_length=60)
    assignee = forms.ChoiceField(label=_("Teammate"), required=False)

    def __init__(
        self,
        *args: Any,
        channels: Sequence[tuple[int, str]] = (),
        members: Sequence[str] = (),
        verdicts: Sequence[Choice] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        keep = str((kwargs.get("initial") or {}).get("action", ""))
        cast(forms.ChoiceField, self.fields["action"]).choices = [*verdict_choices(verdicts, keep), *SIDE_CHOICES]
        cast(forms.ChoiceField, self.fields["channels"]).choices = [(str(pk), name) for pk, name in channels]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", "—"), *[(name, name) for name in members]]

    def definition(self) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
        data = self.cleaned_data
        conditions: list[dict[str, Any]] = []
        words = [w.strip() for w in data["words"].splitlines() if w.strip()]
        if words:
            conditions.append({"type": "words", "words": words})
        if data["min_links"]:
            conditions.append({"type": "links", "min": data["min_links"]})
        for flag in ("contact", "emoji_only", "new_author"):
            if data[flag]:
                conditions.append({"type": flag})
        if data["min_length"]:
            conditions.append({"type": "length", "min": data["min_length"]})
        if data["max_length"]:
            conditions.append({"type": "length", "max": data["max_length"]})
        if data["languages"]:
            conditions.append({"type": "language", "in": data["languages"]})
        if data["channels"]:
            conditions.append({"type": "channel", "in": [int(c) for c in data["channels"]]})
        for task in SCORE_TASKS:
            if data[f"min_{task}"]:
                conditions.append({"type": "score", "task": task, "min": data[f"min_{task}"] / 100})
        action: dict[str, Any] = {"type": data["action"]}
        if data["action"] == SideAction.LABEL:
            action["label"] = data["label"].strip()
        if data["action"] == SideAction.ASSIGN:
            action["username"] = data["assignee"]
        return data["match"], conditions, [action]


def initial_from(name: str, match: str, conditions: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict:
    initial: dict[str, Any] = {"name": name, "match": match}
    for cond in conditions:
        kind = cond["type"]
        if kind == "words":
            initial["words"] = "\n".join(cond["words"])
        elif kind == "links":
            initial["min_links"] = cond["min"]
        elif kind == "length":
            initial["min_length" if "min" in cond else "max_length"] = cond.get("min", cond.get("max"))
        elif kind == "score" and cond.get("task") in SCORE_TASKS:
            initial[f"min_{cond['task']}"] = round(float(cond["min"]) * 100)
        elif kind in ("language", "channel"):
            initial["languages" if kind == "language" else "channels"] = [str(v) for v in cond["in"]]
        else:
            initial[kind] = True
    if actions:
        initial["action"] = actions[0]["type"]
        initial["label"] = actions[0].get("label", "")
        initial["assignee"] = actions[0].get("username", "")
    return initial
