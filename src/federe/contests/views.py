"""The contest pages of a workspace: the list, create and edit, one contest (commit, draw, announce), the entries'
review. Services decide (``contests/services.py``); these views only translate forms and refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, may
from federe.connections.queries import connections_of
from federe.contests import announce, forms, queries, services
from federe.contests.models import Contest, Entry, Stage
from federe.contests.words import entry_status
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest


def _contest(request: WorkspaceRequest, pk: int) -> Contest:
    try:
        return queries.contest(request.workspace, pk)
    except Contest.DoesNotExist as exc:
        raise Http404 from exc


def _form(request: WorkspaceRequest, **kwargs: Any) -> forms.ContestForm:
    channels = [(c.pk, c.name) for c in connections_of(request.workspace)]
    return forms.ContestForm(channels=channels, zone=request.workspace.timezone, **kwargs)


def _render_form(request: WorkspaceRequest, form: forms.ContestForm, contest: Contest | None, status: int) -> Any:
    context = {"workspace": request.workspace, "nav": "posts", "form": form, "contest": contest}
    return render(request, "contests/edit.html", context, status=status)


@workspace_page()
def contest_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    context = {
        "workspace": request.workspace,
        "nav": "posts",
        "contests": list(queries.contests(request.workspace)),
        "may_edit": may(request, request.workspace, Perm.PUBLISH),
    }
    return render(request, "contests/list.html", context)


def _save(request: WorkspaceRequest, form: forms.ContestForm, contest: Contest | None) -> Contest | None:
    """The form's contest created or changed, its PDF attached; None (errors on the form) when refused."""
    try:
        fields = form.fields_out()
        if contest is None:
            contest = services.add(workspace=request.workspace, fields=fields, by=request.user)
        else:
            contest = services.change(contest=contest, fields=fields, by=request.user)
        document = form.cleaned_data.get("document")
        if document:
            services.attach_rules_document(contest=contest, data=document, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        add_errors(form, exc)
        return None
    return contest


@workspace_page(Perm.PUBLISH)
def create(request: WorkspaceRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _render_form(
            request,
            _form(request, initial={"winners_count": 1, "exclude_staff": True, "exclude_blocked": True}),
            None,
            200,
        )
    form = _form(request, data=request.POST, files=request.FILES)
    contest = _save(request, form, None) if form.is_valid() else None
    if contest is None:
        return _render_form(request, form, None, 422)
    flash.success(request, _("Contest “%(name)s” created.") % {"name": contest.name})
    return redirect("contests:detail", slug=slug, pk=contest.pk)


@workspace_page(Perm.PUBLISH)
def edit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    if request.method != "POST":
        return _render_form(request, _form(request, initial=forms.initial_of(contest)), contest, 200)
    form = _form(request, data=request.POST, files=request.FILES)
    saved = _save(request, form, contest) if form.is_valid() else None
    if saved is None:
        return _render_form(request, form, contest, 422)
    flash.success(request, _("Contest “%(name)s” saved.") % {"name": saved.name})
    return redirect("contests:detail", slug=slug, pk=pk)


@workspace_page()
def detail(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    context = {
        "workspace": request.workspace,
        "nav": "posts",
        "contest": contest,
        "questions": list(contest.questions.all()),
        "channels": list(contest.channels.all()),
        "winners": announce.winners(contest),
        "counts": queries.counts(contest),
        "may_edit": may(request, request.workspace, Perm.PUBLISH),
        "draw_form": forms.DrawForm(initial={"source": contest.public_source}),
        "announce_form": forms.AnnounceForm(),
        **_announcement_context(request, contest),
    }
    return render(request, "contests/detail.html", context)


@workspace_page()
def entries(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    show = request.GET.get("show", "")
    show = show if show in ("eligible", "excluded") else ""
    rows = [(e, entry_status(e)) for e in queries.entries(contest, show)[:2000]]
    context = {
        "workspace": request.workspace,
        "nav": "posts",
        "contest": contest,
        "rows": rows,
        "show": show,
        "may_edit": may(request, request.workspace, Perm.PUBLISH) and contest.stage != Stage.DRAWN,
    }
    return render(request, "contests/entries.html", context)


def _refused(request: WorkspaceRequest, exc: ValidationError | PermissionDenied) -> None:
    flash.error(request, error_text(exc))


@workspace_page(post=True)
def collect(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    try:
        found = services.collect_entries(contest=contest, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        total = sum(found.by_reason.values())
        flash.success(request, ngettext("%(count)d entry found.", "%(count)d entries found.", total) % {"count": total})
    return redirect("contests:entries", slug=slug, pk=pk)


@workspace_page(post=True)
def decide(request: WorkspaceRequest, slug: str, pk: int, entry_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    try:
        entry = queries.entry(contest, entry_pk)
    except Entry.DoesNotExist as exc:
        raise Http404 from exc
    exclude = request.POST.get("decision") != "include"
    try:
        services.decide_entry(entry=entry, exclude=exclude, note=request.POST.get("note", "")[:1000], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        flash.success(request, _("Entry excluded.") if exclude else _("Entry reinstated."))
    return redirect("contests:entries", slug=slug, pk=pk)


def _confirmed(
    request: WorkspaceRequest, pk: int, *, consequence: str, label: str, act: Callable[[Contest], str]
) -> HttpResponse:
    """A POST that cannot be undone: asked again without its confirmation, else done (its message or refusal)."""
    contest = _contest(request, pk)
    back = reverse("contests:detail", kwargs={"slug": request.workspace.slug, "pk": pk})
    if not is_confirmed(request):
        return ask_again(request, consequence=consequence, confirm_label=label, back=back)
    try:
        done = act(contest)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        flash.success(request, done)
    return redirect(back)


@workspace_page(post=True)
def commit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    def act(contest: Contest) -> str:
        services.commit(contest=contest, by=request.user)
        return _("Commitment published.")

    consequence = _("The rules are frozen and the commitment is published; they cannot change afterwards.")
    return _confirmed(request, pk, consequence=consequence, label=_("Publish the commitment"), act=act)


@workspace_page(post=True)
def draw(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    def act(contest: Contest) -> str:
        form = forms.DrawForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Give the public random value and where it was published."))
        value, source = form.cleaned_data["public_value"], form.cleaned_data["source"]
        services.run_draw(contest=contest, public_value=value, source=source, by=request.user)
        return _("The draw is done; the certificate shows it to everyone.")

    consequence = _("The entries are frozen, the seed is revealed and the winners are drawn, once and for all.")
    return _confirmed(request, pk, consequence=consequence, label=_("Draw"), act=act)


@workspace_page(post=True)
def announce_winners(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    def act(contest: Contest) -> str:
        run = announce.announce_winners(contest=contest, text=request.POST.get("text", "")[:5000], by=request.user)
        text = ngettext(
            "Sending the announcement to %(count)d winner…", "Sending the announcement to %(count)d winners…", run.total
        )
        return text % {"count": run.total}

    consequence = _("Each winner gets this text as a public reply on their channel.")
    return _confirmed(request, pk, consequence=consequence, label=_("Announce"), act=act)


@workspace_page()
def announce_progress(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """The announcement's progress, asked again every few seconds by the page while the worker sends it."""
    return render(request, "core/_send_run.html", _announcement_context(request, _contest(request, pk)))


def _announcement_context(request: WorkspaceRequest, contest: Contest) -> dict[str, Any]:
    run, progress = announce.latest(contest)
    poll = reverse("contests:announce-progress", args=[request.workspace.slug, contest.pk])
    return {"workspace": request.workspace, "run": run, "progress": progress, "poll_url": poll}
