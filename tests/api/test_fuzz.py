"""Property-based fuzzing of the whole API from its own OpenAPI schema: no input may answer 5xx.

Schemathesis turns /api/v1/openapi.json into Hypothesis strategies, positive (fits the schema) and negative
(does not); each case is sent in-process through Django's test client with an owner's token, against a workspace
with a synced channel. ``make test`` runs a quick pass; `.ci/run` runs the long one as its own step:
``make test-fuzz`` (FUZZ_EXAMPLES=40 examples per operation and mode).
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from federe.accounts.services import create_api_token
from federe.api.v1.api import api

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def send(client: Client, case, token: str):
    """The case, prepared as an HTTP request, sent through Django's test client."""
    data = case.as_transport_kwargs(base_url="http://testserver")
    data["headers"] = {**data["headers"], "Authorization": f"Bearer {token}"}
    data.pop("cookies", None)
    prepared = requests.Request(**data).prepare()
    headers = {k: v for k, v in prepared.headers.items() if k.lower() not in ("content-type", "content-length")}
    path = prepared.path_url
    return client.generic(
        prepared.method,
        path,
        data=prepared.body or b"",
        content_type=prepared.headers.get("Content-Type", "application/octet-stream"),
        headers=headers,
    )


def fuzz(operation, mode: GenerationMode, client: Client, token: str) -> str | None:
    """Run one operation's cases; the first 5xx (after Hypothesis shrinks it) as a line of text, else None."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def no_5xx(case) -> None:
        response = send(client, case, token)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query} headers={case.headers} body={case.body!r}"
            f" -> {response.status_code}: {response.content[:300]!r}"
        )

    try:
        no_5xx()
    except AssertionError as exc:
        return str(exc).splitlines()[0]
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_answers_5xx(mode, synced, owner, workspace):
    """Every operation, one after the other on one workspace; every operation that answered 5xx is listed."""
    token = create_api_token(user=owner, workspace=workspace, name="fuzz")[1]
    client = Client(raise_request_exception=False)
    failures = [line for op in OPERATIONS if (line := fuzz(op, mode, client, token))]
    assert not failures, "\n".join(failures)
