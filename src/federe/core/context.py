"""What every page's shell needs: the user's workspaces and the current one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from federe.accounts.queries import workspaces_for

    return {"my_workspaces": list(workspaces_for(user))}
