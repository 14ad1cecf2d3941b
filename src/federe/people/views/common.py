"""What every people page shares: the person looked up in the workspace, the tabs and their permissions."""

from __future__ import annotations

from django.http import Http404

from federe.accounts.models import Workspace
from federe.accounts.permissions import has_perm
from federe.core.requests import AuthedRequest
from federe.people import queries
from federe.people.models import Person
from federe.people.permissions import PEOPLE_EDIT, PEOPLE_SETTINGS


def person_of(workspace: Workspace, pk: int) -> Person:
    """The person of this workspace (merged ones too, so their old links still answer); 404 otherwise."""
    try:
        return queries.person(workspace, pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc


def people_nav(request: AuthedRequest, workspace: Workspace, tab: str) -> dict:
    """The context of the people tabs: which tab is open, the suggestions badge, what the role may change."""
    return {
        "workspace": workspace,
        "nav": "people",
        "tab": tab,
        "open_suggestions": queries.suggestions(workspace).count(),
        "can_edit": has_perm(request.user, workspace, PEOPLE_EDIT),
        "can_settings": has_perm(request.user, workspace, PEOPLE_SETTINGS),
    }
