from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, has_perm
from federe.accounts.queries import members_who_can
from federe.connections.queries import connections_of
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import AuthedRequest, WorkspaceRequest
from federe.inbox.models import Message
from federe.moderation import actions, menu, queries, services
from federe.moderation.backtest import Backtest, broad_notice
from federe.moderation.effects import CONFIRMED_VERDICTS, network_effect
from federe.moderation.forms import RuleForm, initial_from
from federe.moderation.models import Rule, Verdict
from federe.nlp.explain import explain_messages


def _queue_context(request: AuthedRequest, workspace: Workspace, just_decided: list[int] | None = None) -> dict:
    page = Paginator(queries.queue(workspace), 50).get_page(request.GET.get("page"))
    explained = explain_messages(workspace.pk, list(page))
    for message in page:
        shown: Any = message  # attributes for the template, computed for this page only
        shown.explained = explained.get(message.pk, [])
    menu.attach(page)
    return {
        "workspace": workspace,
        "nav": "moderation",
        "page": page,
        "just_decided": queries.decided(workspace, just_decided or []),
        "can_moderate": has_perm(request.user, workspace, Perm.MODERATE),
        "bulk": menu.common_items(page),
    }


@workspace_page()
def review_queue(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    return render(request, "moderation/queue.html", _queue_context(request, workspace))


def _queue_answer(
    request: AuthedRequest, workspace: Workspace, decided: list[int] | None = None, status: int = 200
) -> HttpResponse:
    if request.htmx:
        return render(request, "moderation/_queue.html", _queue_context(request, workspace, decided), status=status)
    if status != 200:
        return render(request, "moderation/queue.html", _queue_context(request, workspace), status=status)
    return redirect("moderation:queue", slug=workspace.slug)


def _back_to(request: AuthedRequest) -> str | None:
    """The page a thread's action menu came from (``next``), when it is one of ours."""
    target = request.POST.get("next", "")
    ok = target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if ok else None


@workspace_page(post=True)
def decide(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    action = request.POST.get("action", "")
    back = _back_to(request)
    if action not in Verdict.values:
        flash.error(request, _("Unknown action."))
        return _queue_answer(request, workspace, status=400)
    ids = [n for i in request.POST.getlist("ids") if (n := whole_number(i)) is not None]
    chosen = list(
        Message.objects.filter(workspace=workspace, pk__in=ids).select_related("connection", "author", "conversation")
    )
    if not chosen:
        flash.error(request, _("Select at least one message."))
        return redirect(back) if back else _queue_answer(request, workspace)
    if action in CONFIRMED_VERDICTS and not is_confirmed(request):
        effects = " ".join(sorted({network_effect(action, m) for m in chosen}))
        label = Verdict(action).label
        return ask_again(
            request,
            consequence=effects,
            confirm_label=str(label),
            back=back or reverse("moderation:queue", args=[slug]),
        )
    try:
        services.decide(messages=chosen, action=action, by=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
        return redirect(back) if back else _queue_answer(request, workspace, status=400)
    if back:
        flash.success(request, _("Done: %(action)s.") % {"action": Verdict(action).label})
        return redirect(back)
    return _queue_answer(request, workspace, [m.pk for m in chosen])


def _rule(workspace: Workspace, pk: int) -> Rule:
    try:
        return queries.rule_of(workspace, pk)
    except Rule.DoesNotExist as exc:
        raise Http404 from exc


def _rule_form(request: AuthedRequest, workspace: Workspace, initial: dict | None = None) -> RuleForm:
    connections = list(connections_of(workspace))
    channels = [(c.pk, c.name) for c in connections]
    members = [m.user.get_username() for m in members_who_can(workspace, Perm.REPLY)]
    verdicts = actions.rule_choices(connections)
    return RuleForm(request.POST or None, initial=initial, channels=channels, members=members, verdicts=verdicts)


def _rules_page(
    request: AuthedRequest, workspace: Workspace, broad: tuple[Rule, Backtest] | None = None
) -> HttpResponse:
    return render(
        request,
        "moderation/rules.html",
        {
            "workspace": workspace,
            "nav": "rules",
            "rules": queries.rules_of(workspace),
            "can_moderate": has_perm(request.user, workspace, Perm.MODERATE),
            "broad_rule": broad[0] if broad else None,
            "broad": broad[1] if broad else None,
        },
    )


@workspace_page()
def rule_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    return _rules_page(request, request.workspace)


@workspace_page()
def rule_edit(request: WorkspaceRequest, slug: str, pk: int | None = None) -> HttpResponse:
    workspace = request.workspace
    rule = None
    initial = None
    if pk is not None:
        rule = _rule(workspace, pk)
        current = rule.current
        initial = initial_from(rule.name, current.match, current.conditions, current.actions)
    form = _rule_form(request, workspace, initial)
    if request.method == "POST" and form.is_valid():
        match, conditions, actions = form.definition()
        try:
            rule = services.save_rule(
                workspace=workspace,
                by=request.user,
                name=form.cleaned_data["name"],
                match=match,
                conditions=conditions,
                actions=actions,
                rule=rule,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            flash.success(request, _("Rule saved as version %(n)d.") % {"n": rule.current.number})
            if rule.too_broad:  # type: ignore[attr-defined]
                flash.warning(request, broad_notice(rule.too_broad))  # type: ignore[attr-defined]
            return redirect("moderation:rule-edit", slug=slug, pk=rule.pk)
    return render(
        request,
        "moderation/rule_form.html",
        {
            "workspace": workspace,
            "nav": "rules",
            "form": form,
            "rule": rule,
            "versions": rule.versions.select_related("created_by").order_by("-number") if rule else [],
        },
    )


@workspace_page(post=True)
def rule_backtest(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    form = _rule_form(request, workspace)
    result, error = None, ""
    if form.is_valid():
        match, conditions, actions = form.definition()
        try:
            result = services.backtest(workspace=workspace, match=match, conditions=conditions, actions=actions)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Fix the form first.")
    return render(request, "moderation/_backtest.html", {"result": result, "error": error, "workspace": workspace})


@workspace_page(post=True)
def rule_toggle(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    rule = _rule(workspace, pk)
    anyway = request.POST.get("anyway") == "yes"
    try:
        services.set_rule_enabled(rule=rule, enabled=not rule.enabled, by=request.user, anyway=anyway)
    except services.RuleTooBroad as exc:
        return _rules_page(request, workspace, broad=(rule, exc.result))
    except PermissionDenied as exc:
        flash.error(request, str(exc))
    return redirect("moderation:rules", slug=slug)


def rule_delete_effect(name: str) -> str:
    return _(
        "The rule “%(name)s” and all its versions are deleted; the decisions it made stay, and nothing changes on"
        " the networks. This cannot be undone."
    ) % {"name": name}


@workspace_page(post=True)
def rule_delete(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    rule = _rule(workspace, pk)
    if not is_confirmed(request):
        back = reverse("moderation:rule-edit", args=[slug, pk])
        return ask_again(
            request, consequence=rule_delete_effect(rule.name), confirm_label=_("Delete this rule"), back=back
        )
    try:
        services.delete_rule(rule=rule, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, str(exc))
        return redirect("moderation:rule-edit", slug=slug, pk=pk)
    flash.success(request, _("Rule deleted."))
    return redirect("moderation:rules", slug=slug)


@workspace_page(post=True)
def rule_move(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    rule = _rule(workspace, pk)
    steps = {"up": -1, "down": 1}
    direction = request.POST.get("direction", "")
    if direction not in steps:
        return HttpResponse(_("Move a rule up or down."), status=400, content_type="text/plain; charset=utf-8")
    try:
        services.move_rule(rule=rule, step=steps[direction], by=request.user)
    except PermissionDenied as exc:
        flash.error(request, str(exc))
    return redirect("moderation:rules", slug=slug)
