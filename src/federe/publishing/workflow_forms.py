"""The workspace's approval workflow as a form: the setting, and up to ``STEP_SLOTS`` steps (a step without a name
is left out), each with its approvers among the members and its mode."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.accounts.models import Membership, Workspace
from federe.publishing import approvals
from federe.publishing.models.approvals import ApprovalStep, StepMode

STEP_SLOTS = 3


class WorkflowForm(forms.Form):
    required = forms.BooleanField(label=_lazy("Posts need approval before they go out"), required=False)
    allow_self_approval = forms.BooleanField(label=_lazy("Authors may approve their own posts"), required=False)
    link_days = forms.IntegerField(label=_lazy("Client links expire after (days)"), min_value=1, max_value=90)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        config = approvals.settings_for(workspace)
        steps = list(ApprovalStep.objects.filter(workspace=workspace).prefetch_related("approvers"))
        initial: dict[str, Any] = {
            "required": config.required,
            "allow_self_approval": config.allow_self_approval,
            "link_days": config.link_days,
        }
        for n, step in enumerate(steps[:STEP_SLOTS], start=1):
            initial |= {
                f"step_{n}_name": step.name,
                f"step_{n}_mode": step.mode,
                f"step_{n}_approvers": [u.pk for u in step.approvers.all()],
            }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")
        choices = [(m.user_id, f"{m.user.get_username()} ({m.get_role_display()})") for m in members]
        for n in range(1, STEP_SLOTS + 1):
            self.fields[f"step_{n}_name"] = forms.CharField(
                label=_lazy("Step %(n)d: name") % {"n": n}, max_length=100, required=False
            )
            self.fields[f"step_{n}_mode"] = forms.ChoiceField(
                label=_lazy("Who must approve"), choices=StepMode.choices, initial=StepMode.ANY
            )
            self.fields[f"step_{n}_approvers"] = forms.TypedMultipleChoiceField(
                label=_lazy("Approvers"),
                coerce=int,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def steps(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"step_{n}_name"], self[f"step_{n}_mode"], self[f"step_{n}_approvers"]]
            for n in range(1, STEP_SLOTS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for n in range(1, STEP_SLOTS + 1):
            if data.get(f"step_{n}_name", "").strip() and not data.get(f"step_{n}_approvers"):
                self.add_error(f"step_{n}_approvers", _("Each step needs at least one approver."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        steps = [
            approvals.StepSpec(
                name=data[f"step_{n}_name"].strip(),
                mode=data[f"step_{n}_mode"],
                approver_ids=tuple(data[f"step_{n}_approvers"]),
            )
            for n in range(1, STEP_SLOTS + 1)
            if data.get(f"step_{n}_name", "").strip()
        ]
        return {
            "required": data["required"],
            "allow_self_approval": data["allow_self_approval"],
            "link_days": data["link_days"],
            "steps": steps,
        }
