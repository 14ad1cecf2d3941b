"""The one router of /api/v1/people/…, shared by its modules (one router keeps the routes in one ordered list),
and the person lookup they share."""

from __future__ import annotations

from ninja import Router

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.people import queries
from federe.people.models import Person

router = Router()


def person_in(request: ApiRequest, person_id: Id) -> Person:
    """A person of the token's workspace; any other id is a 404 (Person.DoesNotExist, mapped by api.errors)."""
    return queries.person(request.workspace, person_id)
