"""Typed requests for views: what the middleware, the workspace pages and the API's token add to HttpRequest."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from federe.accounts.models import ApiToken, Membership, User, Workspace


class AuthedRequest(HttpRequest):
    """A request behind @login_required, with django-htmx's details."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


class WorkspaceRequest(AuthedRequest):
    """A request to a page of one workspace (``core.pages.workspace_page``): the user is a member of it."""

    workspace: Workspace
    membership: Membership


class ApiRequest(HttpRequest):
    """A request to /api/v1/ that passed ``TokenAuth``: the token's user, its workspace, and the token."""

    user: User  # type: ignore[assignment]
    workspace: Workspace
    auth: ApiToken
