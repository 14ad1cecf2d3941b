from __future__ import annotations

import json
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from federe.accounts.models import Workspace
from federe.accounts.permissions import has_perm
from federe.accounts.queries import workspace_for
from federe.connections.queries import connections_of
from federe.core.charts import category_chart
from federe.core.confirm import ask_again, is_confirmed
from federe.core.csvexport import csv_response
from federe.core.params import whole_number
from federe.core.requests import AuthedRequest
from federe.inbox.models import Language
from federe.people import analytics, privacy, queries, services, timelines
from federe.people.engagement import community, scoring
from federe.people.identities import evidence, merging, suggestions
from federe.people.models import (
    Level,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    ScoringSettings,
    Segment,
    SuggestionStatus,
    Tag,
)
from federe.people.permissions import PEOPLE_EDIT, PEOPLE_EXPORT, PEOPLE_SETTINGS, PERSON_ERASE, PERSON_EXPORT


def _errors(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _person(workspace: Workspace, pk: int) -> Person:
    try:
        return queries.person(workspace, pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc


def _filters(request: AuthedRequest, workspace: Workspace) -> tuple[queries.PeopleFilters, Segment | None]:
    """The list's filters: a saved segment (?segment=ID) or the query string."""
    raw = request.GET.get("segment", "")
    number = whole_number(raw)
    segment = queries.segment_of(workspace, number) if number is not None else None
    if raw and segment is None:
        raise Http404  # not a segment of this workspace
    if segment is not None:
        stored = queries.PeopleFilters.from_params(segment.filters)
        extra = queries.PeopleFilters.from_params(request.GET)
        return queries.PeopleFilters(**{**stored.__dict__, "q": extra.q, "sort": extra.sort}), segment
    return queries.PeopleFilters.from_params(request.GET), None


def _nav(request: AuthedRequest, workspace: Workspace, tab: str) -> dict:
    return {
        "workspace": workspace,
        "nav": "people",
        "tab": tab,
        "open_suggestions": queries.suggestions(workspace).count(),
        "can_edit": has_perm(request.user, workspace, PEOPLE_EDIT),
        "can_settings": has_perm(request.user, workspace, PEOPLE_SETTINGS),
    }


RETENTION_WEEKS = [(7 * k - 6, 7 * k) for k in range(1, 14)]


def _retention_chart(workspace: Any) -> Any:
    """The 90-day retention curve of every cohort together, by week, cached for 15 minutes (it reads every post)."""
    key = f"people-retention-{workspace.pk}"
    points = cache.get(key)
    if points is None:
        overall = analytics.retention_overall(analytics.retention_curve(workspace, windows=RETENTION_WEEKS))
        points = [(str(end), round(share * 100)) for (_start, end), _seen, share in overall if share is not None]
        cache.set(key, points, 15 * 60)
    if not points:
        return None
    return category_chart(points, title=_("Members who posted again, by week after their first post (%)"))


@login_required
def people_list(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    filters, segment = _filters(request, workspace)
    for error in filters.errors:
        flash.error(request, error)
    page = Paginator(queries.with_identities(queries.persons(workspace, filters)), 50).get_page(request.GET.get("page"))
    distribution = queries.level_distribution(workspace)
    query = {k: v for k, v in request.GET.lists() if k != "page"}
    context = {
        **_nav(request, workspace, "list"),
        "page": page,
        "filters": filters,
        "segment": segment,
        "segments": queries.segments_of(workspace),
        "connections": connections_of(workspace),
        "tags": queries.tags_of(workspace),
        "languages": Language.choices,
        "levels": Level.choices,
        "sorts": [
            ("score", _("Score")),
            ("reach", _("Reach")),
            ("last_seen", _("Last seen")),
            ("first_seen", _("First seen")),
            ("name", _("Name")),
        ],
        "distribution": distribution,
        "chart": category_chart([(label, n) for _v, label, n in distribution], title=_("Persons by level")),
        "retention": _retention_chart(workspace),
        "query": urlencode(query, doseq=True),
        "can_export": has_perm(request.user, workspace, PEOPLE_EXPORT),
        "formula": scoring.explain(scoring.settings_for(workspace)),
    }
    if request.htmx and request.htmx.target == "people-table":
        return render(request, "people/_table.html", context)
    return render(request, "people/list.html", context)


@login_required
def people_export(request: AuthedRequest, slug: str) -> HttpResponse:
    """The list (with its filters or segment) as CSV, streamed."""
    workspace = workspace_for(request.user, slug)
    if not has_perm(request.user, workspace, PEOPLE_EXPORT):
        return render(request, "core/forbidden.html", {"workspace": workspace}, status=403)
    filters, _segment = _filters(request, workspace)
    return csv_response(f"people-{workspace.slug}.csv", queries.EXPORT_HEADER, queries.export_rows(workspace, filters))


@login_required
def person_detail(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    before = request.GET.get("before", "")
    try:
        timeline = timelines.timeline(workspace, person, before=before)
    except ValidationError as exc:
        flash.error(request, _errors(exc))
        timeline = timelines.timeline(workspace, person)
    context = {
        **_nav(request, workspace, "list"),
        "person": person,
        "timeline": timeline,
    }
    if request.htmx and request.htmx.target and request.htmx.target.startswith("timeline"):
        return render(request, "people/_timeline.html", context)
    context.update(
        {
            "identities": queries.identities_of(person),
            "tag_links": queries.tag_links_of(person),
            "fields": queries.fields_of(person),
            "notes": queries.notes_of(person),
            "suggestions": queries.suggestions_for(person),
            "merges": queries.merges_of(person),
            "tags": queries.tags_of(workspace),
            "can_export_person": has_perm(request.user, workspace, PERSON_EXPORT),
            "can_erase": has_perm(request.user, workspace, PERSON_ERASE),
            "settings": scoring.settings_for(workspace),
        }
    )
    return render(request, "people/person.html", context)


def _back_to_person(workspace: Workspace, person: Person, anchor: str = "") -> HttpResponse:
    return redirect(reverse("people:person", args=[workspace.slug, person.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def person_note(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    try:
        services.add_note(person=person, body=request.POST.get("body", ""), by=request.user)
        flash.success(request, _("Note added."))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    return _back_to_person(workspace, person, "notes")


@login_required
@require_POST
def person_note_delete(request: AuthedRequest, slug: str, pk: int, note_pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    note = Note.objects.filter(workspace=workspace, person=person, pk=note_pk).select_related("person").first()
    if note is None:
        raise Http404
    try:
        services.delete_note(note=note, by=request.user)
        flash.success(request, _("Note deleted."))
    except PermissionDenied as exc:
        flash.error(request, _errors(exc))
    return _back_to_person(workspace, person, "notes")


@login_required
@require_POST
def person_tag(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    try:
        services.add_tag(person=person, name=request.POST.get("name", ""), by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    return _back_to_person(workspace, person, "tags")


@login_required
@require_POST
def person_untag(request: AuthedRequest, slug: str, pk: int, tag_pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    tag = Tag.objects.filter(workspace=workspace, pk=tag_pk).first()
    if tag is None:
        raise Http404
    try:
        services.remove_tag(person=person, tag=tag, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, _errors(exc))
    return _back_to_person(workspace, person, "tags")


@login_required
@require_POST
def person_field(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    try:
        services.set_field(
            person=person, name=request.POST.get("name", ""), value=request.POST.get("value", ""), by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    return _back_to_person(workspace, person, "fields")


@login_required
def person_export(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    try:
        data = privacy.export_person(person=person, by=request.user)
    except PermissionDenied:
        return render(request, "core/forbidden.html", {"workspace": workspace}, status=403)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response


@login_required
@require_POST
def person_erase(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    person = _person(workspace, pk)
    try:
        counts = privacy.erase_person(person=person, by=request.user, confirm=request.POST.get("confirm", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
        return _back_to_person(workspace, person, "privacy")
    flash.success(
        request,
        _("Erased: identities %(identities)d, messages anonymised %(messages)d, notes %(notes)d.") % counts,
    )
    return redirect("people:list", slug=slug)


# --------------------------------------------------------------------------- merges


@login_required
def suggestion_list(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    page = Paginator(queries.suggestions(workspace), 30).get_page(request.GET.get("page"))
    rows = [
        {
            "suggestion": s,
            "signals": [(evidence.describe(signal), signal["weight"]) for signal in s.signals],
            "confidence": evidence.confidence(s.total),
        }
        for s in page
    ]
    context = {
        **_nav(request, workspace, "suggestions"),
        "page": page,
        "rows": rows,
        "merges": queries.merges(workspace)[:30],
        "rejected": queries.suggestions(workspace, SuggestionStatus.REJECTED)[:20],
        "settings": scoring.settings_for(workspace),
        "weights": evidence.WEIGHTS,
        "min_total": evidence.MIN_TOTAL,
    }
    return render(request, "people/suggestions.html", context)


@login_required
@require_POST
def suggestion_refresh(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    try:
        result = services.refresh_suggestions(workspace=workspace, by=request.user)
        flash.success(
            request,
            ngettext("%(created)d new suggestion.", "%(created)d new suggestions.", result.created)
            % {"created": result.created}
            + " "
            + ngettext("%(auto)d merged automatically.", "%(auto)d merged automatically.", result.auto_merged)
            % {"auto": result.auto_merged},
        )
    except PermissionDenied as exc:
        flash.error(request, _errors(exc))
    return redirect("people:suggestions", slug=slug)


def _next(request: AuthedRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/w/") and "//" not in target:
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def suggestion_decide(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    try:
        suggestion = queries.suggestion_of(workspace, pk)
    except MergeSuggestion.DoesNotExist as exc:
        raise Http404 from exc
    action = request.POST.get("action", "")
    keep = request.POST.get("keep", "")
    try:
        if action == "accept":
            record = suggestions.accept_suggestion(suggestion, by=request.user, keep=whole_number(keep))
            flash.success(
                request,
                _("Merged %(absorbed)s into %(kept)s. You can undo it at any time.")
                % {"absorbed": record.absorbed.display_name, "kept": record.kept.display_name},
            )
        elif action == "reject":
            suggestions.reject_suggestion(suggestion, by=request.user)
            flash.success(request, _("Noted: these are two different persons."))
        else:
            flash.error(request, _("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    return _next(request, reverse("people:suggestions", args=[slug]))


@login_required
@require_POST
def merge_undo(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    try:
        record = queries.merge_of(workspace, pk)
    except Merge.DoesNotExist as exc:
        raise Http404 from exc
    try:
        merging.unmerge(record, by=request.user)
        flash.success(
            request,
            _("Merge undone: %(absorbed)s is a separate person again.") % {"absorbed": record.absorbed.display_name},
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    return _next(request, reverse("people:suggestions", args=[slug]))


# --------------------------------------------------------------------------- signals, settings, segments


@login_required
def signal_list(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    context = {
        **_nav(request, workspace, "signals"),
        "lists": community.all_signals(workspace),
        "settings": scoring.settings_for(workspace),
    }
    return render(request, "people/signals.html", context)


@login_required
@require_POST
def signal_digest(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    if not has_perm(request.user, workspace, PEOPLE_EDIT):
        flash.error(request, _("Your role in this workspace does not allow this."))
    else:
        sent = community.send_digest(workspace, by=request.user)
        flash.success(
            request,
            ngettext("Digest sent to %(n)d member of the team.", "Digest sent to %(n)d members of the team.", sent)
            % {"n": sent},
        )
    return redirect("people:signals", slug=slug)


@login_required
def scoring_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    current = scoring.settings_for(workspace)
    values = {name: getattr(current, name) for name in ScoringSettings.EDITABLE_FIELDS}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        submitted = {name: request.POST[name] for name in ScoringSettings.EDITABLE_FIELDS if name in request.POST}
        try:
            services.update_settings(workspace=workspace, values=submitted, by=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
            values = {**values, **submitted}  # the form comes back with what was typed
            status = 422
            flash.error(request, _("Nothing was saved: fix the fields marked below."))
        except PermissionDenied as exc:
            flash.error(request, _errors(exc))
            status = 403
        else:
            flash.success(request, _("Saved; every score was recomputed."))
            return redirect("people:settings", slug=slug)
    fields = [
        (name, ScoringSettings._meta.get_field(name).verbose_name, values[name], errors.get(name, []))
        for name in ScoringSettings.EDITABLE_FIELDS
    ]
    context = {
        **_nav(request, workspace, "settings"),
        "fields": fields,
        "formula": scoring.explain(current),
        "settings": current,
    }
    return render(request, "people/settings.html", context, status=status)


@login_required
@require_POST
def scoring_recompute(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    try:
        result = services.recompute(workspace=workspace, by=request.user)
        flash.success(
            request,
            ngettext("Recomputed %(n)d person in %(s)s s.", "Recomputed %(n)d persons in %(s)s s.", result.persons)
            % {"n": result.persons, "s": formats.number_format(result.seconds, 1)},
        )
    except PermissionDenied as exc:
        flash.error(request, _errors(exc))
    return redirect("people:settings", slug=slug)


@login_required
@require_POST
def segment_save(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    filters = queries.PeopleFilters.from_params(request.POST)
    try:
        segment = services.save_segment(
            workspace=workspace, name=request.POST.get("name", ""), filters=filters, by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
        return redirect(reverse("people:list", args=[slug]) + "?" + urlencode(filters.query_params(), doseq=True))
    flash.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
    return redirect(reverse("people:list", args=[slug]) + f"?segment={segment.pk}")


def segment_delete_effect(name: str) -> str:
    return _("The segment “%(name)s” is deleted; the people in it are kept and nothing changes on the networks.") % {
        "name": name
    }


@login_required
@require_POST
def segment_delete(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    segment = queries.segment_of(workspace, pk)
    if segment is None:
        raise Http404
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=segment_delete_effect(segment.name),
            confirm_label=_("Delete the segment"),
            back=reverse("people:list", args=[slug]) + f"?segment={segment.pk}",
        )
    try:
        services.delete_segment(segment=segment, by=request.user)
        flash.success(request, _("Segment deleted."))
    except PermissionDenied as exc:
        flash.error(request, _errors(exc))
    return redirect("people:list", slug=slug)
