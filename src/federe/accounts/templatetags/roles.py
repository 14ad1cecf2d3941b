"""``{% can "perm" as name %}``: may the user of this request do P in the page's workspace?

The one way templates decide whether to show a write control. It asks ``accounts.permissions``, the table
the services enforce, so a page never offers what the server would refuse.
"""

from __future__ import annotations

from typing import Any

from django import template

from federe.accounts.permissions import Perm, may

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, perm: str, workspace: Any = None) -> bool:
    request = context.get("request")
    workspace = workspace or context.get("workspace")
    if request is None or workspace is None:
        return False
    return may(request, workspace, Perm(perm))
