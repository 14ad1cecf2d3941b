from __future__ import annotations

from contextlib import suppress

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from federe.accounts import services
from federe.accounts.models import ApiToken, User
from federe.core.pages import workspace_page
from federe.core.requests import WorkspaceRequest


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=80,
        error_messages={"required": gettext_lazy("Give the token a name, such as the script that uses it.")},
    )


@workspace_page()
def tokens(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.create_api_token(
            user=request.user, workspace=workspace, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    mine = ApiToken.objects.filter(workspace=workspace, user=request.user).order_by("-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {
            "workspace": workspace,
            "nav": "tokens",
            "form": form,
            "tokens": mine,
            "new_token": new_token,
        },
    )


@workspace_page(post=True)
def revoke_token(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    token = get_object_or_404(ApiToken, workspace=workspace, user=request.user, pk=pk)
    services.revoke_api_token(token=token, by=request.user)
    flash.success(request, _("Token revoked."))
    return redirect("accounts:tokens", slug=slug)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The language switch: remembered in the browser, and in the profile of a logged-in user."""
    user = request.user
    if isinstance(user, User):  # logged in (an anonymous visitor is only remembered by the cookie)
        with suppress(ValidationError):  # Django's view below ignores an unknown language too
            services.set_language(user=user, language=request.POST.get("language", ""))
    return set_language(request)
