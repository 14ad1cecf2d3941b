"""Routes of a workspace page: every app's ``urls.py`` builds them here, so the prefix lives once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

#: Every page of a workspace sits under its slug; the views take ``slug`` first.
WORKSPACE_PREFIX = "w/<slug:slug>/"


def workspace_path(route: str, view: Callable[..., Any], name: str) -> URLPattern:
    """A route under ``/w/<slug>/``: the only way an app declares a workspace page."""
    return path(WORKSPACE_PREFIX + route, view, name=name)
