"""/api/v1/people/…: persons, their timeline, notes, tags and fields, merges, signals, scoring, privacy.

One module per part, all on one router (``routes.router``). The person routes (``/{person_id}``…) are imported
last so that named paths such as ``/signals`` are matched first.
"""

from __future__ import annotations

from federe.api.v1.people import engagement, merges, persons  # noqa: F401  (registers their routes, in order)
from federe.api.v1.people.routes import router

__all__ = ["router"]
