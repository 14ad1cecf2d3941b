"""The skeleton every workspace page shares, written once.

A page of ``/w/<slug>/…`` needs a logged-in member of that workspace; anybody else gets a 404 (a workspace
one is not in does not exist, so slugs reveal nothing). ``workspace_page`` does that lookup, sets the typed
``request.workspace`` and ``request.membership``, and (when asked) refuses a role without the page's permission
with the "Not allowed" page. Actions keep their permission checks in the services: a refused action comes back as
a message (``core.refusals.error_text``) or as form errors (``add_errors``), the same way on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from federe.accounts.models import Membership
from federe.accounts.permissions import Perm, has_perm
from federe.core.requests import WorkspaceRequest

P = ParamSpec("P")
WorkspaceView = Callable[Concatenate[WorkspaceRequest, P], HttpResponseBase]
PlainView = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def forbidden(request: WorkspaceRequest) -> HttpResponse:
    """The "Not allowed" page: the member may see the workspace, not this page."""
    return render(request, "core/forbidden.html", {"workspace": request.workspace}, status=403)


def _enter(request: HttpRequest, slug: str) -> WorkspaceRequest:
    """The request, now carrying the workspace of ``slug`` and the user's membership in it; 404 for a non-member."""
    membership = get_object_or_404(
        Membership.objects.select_related("workspace"), user=request.user, workspace__slug=slug
    )
    typed: Any = request
    typed.workspace = membership.workspace
    typed.membership = membership
    return typed


def workspace_page(perm: Perm | None = None, *, post: bool = False) -> Callable[[WorkspaceView[P]], PlainView[P]]:
    """A view of one workspace: login, membership (else 404), then ``perm`` if given (else the 403 page).

    ``post=True`` answers 405 to anything but POST, checked before the workspace is looked up, as before.
    """

    def decorate(view: WorkspaceView[P]) -> PlainView[P]:
        @wraps(view)
        def page(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            typed = _enter(request, str(kwargs["slug"]))
            if perm is not None and not has_perm(typed.user, typed.workspace, perm):
                return forbidden(typed)
            return view(typed, *args, **kwargs)

        checked = require_POST(page) if post else page
        return login_required(checked)

    return decorate


def add_errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """A service's refusal shown on the form: on its field when the form has it, above the form otherwise."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))
