"""The contest form: dates on the workspace's clock, quiz questions one a line ("Question = answer | other answer")."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from federe.contests import services
from federe.contests.models import Contest, EntryRule
from federe.publishing.forms import local_datetime


def parse_questions(text: str) -> list[tuple[str, list[str]]]:
    """ "Capital of France? = Paris | paris city" per line → [(question, answers)]; a line without "=" is refused."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        question, sep, answers = line.partition("=")
        accepted = [a.strip() for a in answers.split("|") if a.strip()]
        if not sep or not question.strip() or not accepted:
            raise ValidationError(
                _("Line %(line)d: write the question, then “=”, then the accepted answers separated by “|”.")
                % {"line": number}
            )
        found.append((question.strip(), accepted))
    return found


def questions_text(contest: Contest) -> str:
    return "\n".join(f"{q.text} = {' | '.join(q.answers)}" for q in contest.questions.all())


class ContestForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    start_day = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_at = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_day = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_at = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    channels = forms.TypedMultipleChoiceField(
        label=_("Channels"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every channel."),
    )
    rule = forms.ChoiceField(label=_("People enter with"), choices=EntryRule.choices)
    term = forms.CharField(label=_("Hashtag or keyword"), max_length=100, required=False)
    reply_to = forms.IntegerField(
        label=_("Message people reply to (its number in the inbox)"),
        required=False,
        min_value=1,
        help_text=_("For a reply rule, and for a quiz asked in a message."),
    )
    questions = forms.CharField(
        label=_("Quiz questions"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: the question, “=”, then the accepted answers separated by “|”."),
    )
    winners_count = forms.IntegerField(
        label=_("Number of winners"), min_value=1, max_value=services.MAX_WINNERS, initial=1
    )
    exclude_staff = forms.BooleanField(label=_("Exclude the workspace's own accounts"), required=False, initial=True)
    exclude_blocked = forms.BooleanField(label=_("Exclude banned people"), required=False, initial=True)
    min_account_days = forms.IntegerField(
        label=_("Exclude people first seen fewer than this many days before the start"),
        required=False,
        min_value=1,
        max_value=3650,
    )
    public_source = forms.CharField(
        label=_("Source of the public random value"),
        max_length=300,
        required=False,
        help_text=_("Announced now, read at the draw: e.g. the first drand round after the end (its address)."),
    )
    document = forms.FileField(
        label=_("Rules document (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args: Any, channels: list[tuple[int, str]], zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["channels"].choices = channels  # type: ignore[attr-defined]

    def clean_document(self) -> bytes | None:
        """The PDF's bytes, checked here so that a wrong file creates nothing (the service checks again)."""
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        data = upload.read(services.MAX_DOCUMENT_BYTES + 1)
        if not data.startswith(b"%PDF-") or len(data) > services.MAX_DOCUMENT_BYTES:
            raise ValidationError(_("Attach the rules as a PDF file of at most 10 MB."))
        return bytes(data)

    def clean_questions(self) -> list[tuple[str, list[str]]]:
        return parse_questions(self.cleaned_data.get("questions") or "")

    def fields_out(self) -> services.Fields:
        d = self.cleaned_data
        try:
            starts = local_datetime(d["start_day"], d["start_at"], self.zone)
            ends = local_datetime(d["end_day"], d["end_at"], self.zone)
        except ValidationError as exc:
            raise ValidationError({"start_day": exc.messages}) from exc
        return services.Fields(
            name=d["name"],
            starts_at=starts,
            ends_at=ends,
            rule=d["rule"],
            term=d.get("term") or "",
            reply_to_id=d.get("reply_to"),
            channel_ids=list(d.get("channels") or []),
            winners_count=d["winners_count"],
            exclude_staff=d["exclude_staff"],
            exclude_blocked=d["exclude_blocked"],
            min_account_days=d.get("min_account_days"),
            public_source=d.get("public_source") or "",
            questions=d["questions"],
        )


def initial_of(contest: Contest) -> dict[str, Any]:
    zone = ZoneInfo(contest.workspace.timezone)
    start, end = contest.starts_at.astimezone(zone), contest.ends_at.astimezone(zone)
    return {
        "name": contest.name,
        "start_day": start.date(),
        "start_at": start.time().replace(second=0, microsecond=0),
        "end_day": end.date(),
        "end_at": end.time().replace(second=0, microsecond=0),
        "channels": [c.pk for c in contest.channels.all()],
        "rule": contest.rule,
        "term": contest.term,
        "reply_to": contest.reply_to_id,
        "questions": questions_text(contest),
        "winners_count": contest.winners_count,
        "exclude_staff": contest.exclude_staff,
        "exclude_blocked": contest.exclude_blocked,
        "min_account_days": contest.min_account_days,
        "public_source": contest.public_source,
    }


class DrawForm(forms.Form):
    public_value = forms.CharField(
        label=_("Public random value"),
        max_length=500,
        help_text=_("As published by its source, e.g. a drand round's randomness."),
    )
    source = forms.CharField(
        label=_("Where it was published"), max_length=500, help_text=_("An address or a description anyone can check.")
    )


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=300)


class AnnounceForm(forms.Form):
    text = forms.CharField(label=_("Announcement"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
