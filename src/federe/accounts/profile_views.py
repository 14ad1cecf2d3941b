"""The user's own profile page (/profile/): identity, language, timezone, e-mails received, password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federe.accounts import profile as profiles
from federe.accounts.forms import PasswordForm, ProfileForm
from federe.core.pages import add_errors
from federe.core.requests import AuthedRequest


def _initial(request: AuthedRequest) -> dict[str, object]:
    user = request.user
    fields = [*ProfileForm.base_fields]
    return {name: getattr(user, name) for name in fields}


def _render(request: AuthedRequest, form: ProfileForm, password_form: PasswordForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "password_form": password_form, "nav": "profile"}
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            profiles.update_profile(user=request.user, profile=profiles.Profile(**form.cleaned_data))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Profile saved."))
            response = redirect("accounts:profile")
            if form.cleaned_data["language"]:  # the choice wins over the browser's earlier switch
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
    return _render(request, form, PasswordForm(), status=422 if form.errors else 200)


@login_required
@require_POST
def change_password(request: AuthedRequest) -> HttpResponse:
    password_form = PasswordForm(request.POST)
    if password_form.is_valid():
        try:
            profiles.change_password(
                user=request.user, current=password_form.cleaned_data["current"], new=password_form.cleaned_data["new"]
            )
        except ValidationError as exc:
            add_errors(password_form, exc)
        else:
            update_session_auth_hash(request, request.user)  # stay logged in here; other sessions end
            flash.success(request, _("Password changed."))
            return redirect("accounts:profile")
    return _render(request, ProfileForm(initial=_initial(request)), password_form, status=422)
