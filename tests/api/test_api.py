"""The REST API end to end, with real tokens made by ``create_api_token``."""

from __future__ import annotations

import json
from datetime import timedelta

import polib
import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver
from django.utils import timezone, translation

from federe.accounts.models import Membership, Role
from federe.accounts.permissions import ROLE_PERMS, Perm
from federe.accounts.services import create_api_token, revoke_api_token
from federe.connections.models import Connection
from federe.core.models import AuditEvent
from federe.inbox.models import Conversation, ConversationStatus, Message, Reply, ReplyState

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Api:
    """The Django test client with a Bearer token and JSON bodies."""

    def __init__(self, client, raw_token: str | None, language: str | None = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if raw_token is not None:
            self.headers["Authorization"] = f"Bearer {raw_token}"
        if language:
            self.headers["Accept-Language"] = language

    def get(self, path: str, params: dict | None = None):
        return self.client.get(API + path, params or {}, headers=self.headers)

    def post(self, path: str, body: object = None):
        return self.client.post(
            API + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "field"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"].strip()
    if field is not None:
        assert error["field"] == field
    return error


@pytest.fixture(autouse=True)
def _back_to_default_language():
    yield
    translation.deactivate()  # a request with Accept-Language: fr leaves French active in this thread


@pytest.fixture
def raw_token(owner, workspace):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    return raw


@pytest.fixture
def api(client, raw_token):
    return Api(client, raw_token)


def token_of_role(member_factory, workspace, role: str) -> tuple[object, str]:
    user = member_factory(role)
    _token, raw = create_api_token(user=user, workspace=workspace, name=f"{role} token")
    return user, raw


# --- authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer nonsense", "Bearer fed_not-a-real-token", "Basic dXNlcjpwYXNz", "Token fed_x"],
)
def test_missing_or_bad_token_is_401_json(client, raw_token, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    for path in ("/workspaces", "/connections", "/messages", "/conversations"):
        response = client.get(API + path, headers=headers)
        assert_error(response, 401, "unauthorized")


def test_a_valid_token_is_accepted_and_its_use_recorded(api, raw_token, owner, workspace):
    token = owner.api_tokens.get()
    assert token.last_used_at is None
    assert api.get("/workspaces").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert raw_token not in (token.digest, token.prefix)  # only its hash is stored


def test_a_revoked_token_is_401(client, api, owner):
    assert api.get("/workspaces").status_code == 200
    revoke_api_token(token=owner.api_tokens.get(), by=owner)
    assert_error(api.get("/workspaces"), 401, "unauthorized")
    assert_error(api.post("/connections", {"name": "x", "network": "dummy"}), 401, "unauthorized")
    assert not Connection.objects.filter(name="x").exists()


def test_a_token_stops_working_when_its_owner_leaves_the_workspace(api, owner, workspace):
    assert api.get("/workspaces").status_code == 200
    Membership.objects.filter(user=owner, workspace=workspace).delete()
    assert_error(api.get("/workspaces"), 401, "unauthorized")


def test_a_token_of_a_deactivated_user_is_401(api, owner):
    owner.is_active = False
    owner.save()
    assert_error(api.get("/workspaces"), 401, "unauthorized")


# --- schema ---------------------------------------------------------------------------------------


def _api_routes() -> set[str]:
    """Every route of the API as mounted in the URLconf, in OpenAPI spelling."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api-v1":
            routes = set()
            for pattern in entry.url_patterns:
                route = str(pattern.pattern)
                if pattern.name in ("openapi-json", "openapi-view", "api-root") or not route:
                    continue
                for part in route.split("/"):
                    if part.startswith("<"):
                        name = part.strip("<>").split(":")[-1]
                        route = route.replace(part, "{" + name + "}")
                routes.add(f"{API}/{route}")
            return routes
    raise AssertionError("the API is not mounted")


def test_openapi_schema_is_served_and_lists_every_path(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Fédère API"
    routes = _api_routes()
    assert len(routes) >= 10
    assert routes == set(schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security"), f"{method.upper()} {path} is not protected by a token"


def test_docs_page_is_served(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


# --- workspaces -----------------------------------------------------------------------------------


def test_workspaces_lists_the_token_workspace_only(api, workspace, other_workspace):
    response = api.get("/workspaces")
    assert response.status_code == 200
    assert response.json() == [{"slug": workspace.slug, "name": workspace.name}]


# --- connections ----------------------------------------------------------------------------------


def test_connections_list(api, connection, other_workspace):
    _ws, _owner, _rival = other_workspace
    response = api.get("/connections")
    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == [connection.pk]
    row = rows[0]
    assert row["name"] == connection.name and row["network"] == "dummy" and row["enabled"] is True
    assert "reply" in row["capabilities"] and row["capabilities"] == sorted(row["capabilities"])
    assert "credentials" not in row and "credentials_encrypted" not in row and "config" not in row
    detail = api.get(f"/connections/{connection.pk}")
    assert detail.status_code == 200 and detail.json() == row


def test_create_connection(api, workspace, owner):
    response = api.post(
        "/connections",
        {
            "name": "  Forum  ",
            "network": "dummy",
            "config": {"brand": "Acme", "total": 5},
            "credentials": {"token": "s3cret-value"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    created = Connection.objects.get(pk=body["id"])
    assert created.workspace == workspace and created.name == "Forum" == body["name"]
    assert created.credentials == {"token": "s3cret-value"}
    assert "s3cret-value" not in created.credentials_encrypted
    assert "s3cret-value" not in response.content.decode()
    event = AuditEvent.objects.get(verb="connection.created", object_id=str(created.pk))
    assert event.actor == owner and "s3cret-value" not in json.dumps(event.details)
    assert api.get(f"/connections/{created.pk}").json()["name"] == "Forum"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "", "network": "dummy"}, "name"),
        ({"name": "   ", "network": "dummy"}, "name"),
        ({"network": "dummy"}, "name"),
        ({"name": "Blog", "network": "myspace"}, "network"),
        ({"name": "Blog"}, "network"),
        ({"name": "Acme blog", "network": "dummy"}, "name"),  # the ``connection`` fixture's name
        ({"name": "Blog", "network": "dummy", "credentials": {"token": "wrong"}}, "credentials"),
        ({"name": "x" * 121, "network": "dummy"}, "name"),
    ],
)
def test_create_connection_validation_errors_are_422(api, connection, payload, field):
    before = Connection.objects.count()
    assert_error(api.post("/connections", payload), 422, "invalid", field)
    assert Connection.objects.count() == before


def test_a_name_used_in_another_workspace_is_free(api, workspace, other_workspace):
    _ws, _owner, rival = other_workspace
    response = api.post("/connections", {"name": rival.name, "network": "dummy"})
    assert response.status_code == 201
    assert Connection.objects.get(pk=response.json()["id"]).workspace == workspace


def _compiled_french_catalogue(tmp_path) -> polib.POFile:
    """Compile the project's French catalogue, as ``federe compiletranslations`` does, into tmp_path."""
    source = settings.LOCALE_PATHS[0] / "fr" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(source))
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalogue.save_as_mofile(str(target / "django.mo"))
    return catalogue


@pytest.mark.parametrize(
    ("payload", "english"),
    [
        ({"name": "   ", "network": "dummy"}, "Give the channel a name."),
        ({"name": "Blog", "network": "myspace"}, "Unknown network."),
        ({"name": "Acme blog", "network": "dummy"}, "A channel with this name already exists in this workspace."),
    ],
)
def test_validation_messages_follow_accept_language(
    client, raw_token, connection, settings, tmp_path, payload, english
):
    catalogue = _compiled_french_catalogue(tmp_path)
    settings.LOCALE_PATHS = [tmp_path]  # resets Django's translation caches
    en = assert_error(Api(client, raw_token, "en").post("/connections", payload), 422, "invalid")
    fr = assert_error(Api(client, raw_token, "fr").post("/connections", payload), 422, "invalid")
    assert en["message"] == english
    assert fr["field"] == en["field"]
    entry = catalogue.find(english)
    if entry is not None and entry.translated() and not entry.fuzzy:
        assert fr["message"] == entry.msgstr != english
    else:  # not translated yet: French falls back to the English text
        with translation.override("fr"):
            assert fr["message"] == translation.gettext(english)


def test_the_french_message_is_the_catalogue_s(client, raw_token, connection, settings, tmp_path):
    """The wiring, independent of how far the real catalogue is: Accept-Language picks the translation."""
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "fr"}
    catalogue.append(polib.POEntry(msgid="Unknown network.", msgstr="Réseau inconnu (test)."))
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    catalogue.save_as_mofile(str(tmp_path / "fr" / "LC_MESSAGES" / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]
    payload = {"name": "Blog", "network": "myspace"}
    assert (
        assert_error(Api(client, raw_token, "fr").post("/connections", payload), 422, "invalid", "network")["message"]
        == "Réseau inconnu (test)."
    )
    assert (
        assert_error(Api(client, raw_token, "fr-FR,fr;q=0.9").post("/connections", payload), 422, "invalid")["message"]
        == "Réseau inconnu (test)."
    )
    assert (
        assert_error(Api(client, raw_token, "en").post("/connections", payload), 422, "invalid")["message"]
        == "Unknown network."
    )
    assert (
        assert_error(Api(client, raw_token).post("/connections", payload), 422, "invalid")["message"]
        == "Unknown network."
    )


def test_api_errors_follow_accept_language(client, raw_token, settings, tmp_path):
    catalogue = _compiled_french_catalogue(tmp_path)
    settings.LOCALE_PATHS = [tmp_path]
    english = "Send a valid API token: Authorization: Bearer <token>."
    fr = assert_error(Api(client, None, "fr").get("/workspaces"), 401, "unauthorized")
    en = assert_error(Api(client, None, "en").get("/workspaces"), 401, "unauthorized")
    assert en["message"] == english
    entry = catalogue.find(english)
    if entry is not None and entry.translated() and not entry.fuzzy:
        assert fr["message"] == entry.msgstr != english
    else:
        assert fr["message"] == english


def test_sync_request_is_202_and_moves_next_sync_at(api, connection, owner):
    connection.next_sync_at = timezone.now() + timedelta(hours=3)
    connection.save()
    before = timezone.now()
    response = api.post(f"/connections/{connection.pk}/sync")
    assert response.status_code == 202
    assert response.json() == {"queued": True}
    connection.refresh_from_db()
    assert before <= connection.next_sync_at <= timezone.now()
    assert (
        AuditEvent.objects.filter(verb="connection.sync_requested", actor=owner, object_id=str(connection.pk)).count()
        == 1
    )


def test_unknown_connection_is_404(api, connection):
    missing = Connection.objects.order_by("-pk").first().pk + 1000
    assert_error(api.get(f"/connections/{missing}"), 404, "not_found")
    assert_error(api.post(f"/connections/{missing}/sync"), 404, "not_found")


# --- messages and conversations -------------------------------------------------------------------


@pytest.fixture
def inbox(synced, workspace, other_workspace):
    """Two channels in the workspace (one synced), a held message, and a second tenant."""
    second = Connection.objects.create(
        workspace=workspace, network="dummy", name="Acme forum", config={**synced.config, "seed": 3, "total": 30}
    )
    from federe.connections.services import sync_connection

    sync_connection(second.pk)
    held = Message.objects.filter(connection=synced).order_by("posted_at")[5]
    Message.objects.filter(pk=held.pk).update(network_status="held")
    closed = Conversation.objects.filter(connection=second).order_by("pk").first()
    Conversation.objects.filter(pk=closed.pk).update(status=ConversationStatus.CLOSED)
    return {"first": synced, "second": second, "held": held, "closed": closed}


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()]


def test_messages_list_and_filters(api, workspace, inbox):
    scoped = Message.objects.filter(workspace=workspace)
    everything = _ids(api.get("/messages", {"limit": 500}))
    assert len(everything) == scoped.count() == 80
    assert everything == list(scoped.order_by("-posted_at", "-id").values_list("pk", flat=True))

    by_channel = _ids(api.get("/messages", {"channel": inbox["second"].pk, "limit": 500}))
    assert set(by_channel) == set(scoped.filter(connection=inbox["second"]).values_list("pk", flat=True))
    assert len(by_channel) == 30

    for language in ("fr", "en"):
        rows = api.get("/messages", {"language": language, "limit": 500}).json()
        expected = scoped.filter(language=language)
        assert expected.exists()
        assert {row["id"] for row in rows} == set(expected.values_list("pk", flat=True))
        assert {row["language"] for row in rows} == {language}

    closed = _ids(api.get("/messages", {"status": "closed", "limit": 500}))
    assert set(closed) == set(inbox["closed"].messages.values_list("pk", flat=True)) and closed

    held = api.get("/messages", {"held": "true"}).json()
    assert inbox["held"].pk in {row["id"] for row in held}
    assert {row["network_status"] for row in held} == {"held"}
    assert len(held) == scoped.filter(network_status="held").count()


def test_messages_pagination(api, workspace, inbox):
    first = _ids(api.get("/messages", {"limit": 7}))
    second = _ids(api.get("/messages", {"limit": 7, "offset": 7}))
    assert len(first) == len(second) == 7
    assert first + second == _ids(api.get("/messages", {"limit": 14}))


@pytest.mark.parametrize("limit", [0, -1, 501, 10_000])
def test_limit_outside_1_to_500_is_422(api, inbox, limit):
    for path in ("/messages", "/conversations"):
        assert_error(api.get(path, {"limit": limit}), 422, "invalid", "limit")


@pytest.mark.parametrize("limit", [1, 500])
def test_limit_bounds_are_inclusive(api, inbox, limit):
    assert len(_ids(api.get("/messages", {"limit": limit}))) == min(limit, 80)


def test_wrongly_typed_query_is_422(api, inbox):
    assert_error(api.get("/messages", {"channel": "abc"}), 422, "invalid", "channel")
    assert_error(api.get("/messages", {"limit": "many"}), 422, "invalid", "limit")


def test_conversations_list_and_filters(api, workspace, inbox):
    scoped = Conversation.objects.filter(workspace=workspace)
    assert set(_ids(api.get("/conversations", {"limit": 500}))) == set(scoped.values_list("pk", flat=True))
    only_closed = api.get("/conversations", {"status": "closed"}).json()
    assert [row["id"] for row in only_closed] == [inbox["closed"].pk]
    assert only_closed[0]["status"] == "closed"
    second = set(_ids(api.get("/conversations", {"channel": inbox["second"].pk, "limit": 500})))
    assert second == set(scoped.filter(connection=inbox["second"]).values_list("pk", flat=True))
    held = _ids(api.get("/conversations", {"held": "true"}))
    assert inbox["held"].conversation_id in held


def test_conversation_detail(api, synced):
    conv = Conversation.objects.filter(connection=synced).order_by("pk").first()
    response = api.get(f"/conversations/{conv.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == conv.pk and body["title"] == conv.title and body["status"] == conv.status
    assert body["connection_id"] == synced.pk and body["assignee"] is None
    expected = list(conv.messages.order_by("posted_at", "id").values_list("pk", flat=True))
    assert [m["id"] for m in body["messages"]] == expected and expected
    first = conv.messages.order_by("posted_at", "id").first()
    assert body["messages"][0]["body_text"] == first.body_text
    assert body["messages"][0]["author"] == str(first.author)


def test_a_body_that_is_not_json_is_400_json(api, synced):
    message = Message.objects.filter(connection=synced).first()
    response = api.client.post(
        f"{API}/messages/{message.pk}/reply", "{not json", content_type="application/json", headers=api.headers
    )
    assert_error(response, 400, "bad_request")
    assert Reply.objects.count() == 0


def test_a_path_id_that_is_not_a_number_is_an_error_json(api, synced):
    error = assert_error(api.post("/messages/abc/reply", {"body": "hi"}), 422, "invalid")
    assert error["field"] == "message_id"
    assert Reply.objects.count() == 0


def test_unknown_conversation_and_message_are_404(api, synced):
    missing = Message.objects.order_by("-pk").first().pk + 1000
    assert_error(api.get(f"/conversations/{missing}"), 404, "not_found")
    assert_error(api.post(f"/conversations/{missing}/status", {"status": "closed"}), 404, "not_found")
    assert_error(api.post(f"/messages/{missing}/reply", {"body": "hello"}), 404, "not_found")


# --- replying -------------------------------------------------------------------------------------


def test_reply_is_201_and_appears_in_the_conversation(api, synced, owner):
    message = Message.objects.filter(connection=synced).order_by("posted_at")[3]
    response = api.post(f"/messages/{message.pk}/reply", {"body": "Merci pour votre message !"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "sent" and body["error"] == "" and body["attempts"] == 1
    sent = body["message"]
    assert sent["direction"] == "out" and sent["body_text"] == "Merci pour votre message !"
    assert sent["conversation_id"] == message.conversation_id and sent["author"] == owner.username
    reply = Reply.objects.get(pk=body["id"])
    assert reply.state == ReplyState.SENT and reply.in_reply_to == message and reply.author == owner

    detail = api.get(f"/conversations/{message.conversation_id}").json()
    assert detail["status"] == "answered"
    assert detail["messages"][-1]["id"] == sent["id"]
    assert AuditEvent.objects.filter(verb="reply.sent", object_id=str(message.conversation_id)).count() == 1


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "   \n "}, {}, {"body": "x" * 10_001}])
def test_invalid_reply_is_422_and_sends_nothing(api, synced, body):
    message = Message.objects.filter(connection=synced).first()
    before = Message.objects.count()
    assert_error(api.post(f"/messages/{message.pk}/reply", body), 422, "invalid", "body")
    assert Reply.objects.count() == 0 and Message.objects.count() == before


def test_reply_failure_is_502_and_the_draft_is_kept_with_its_error(api, synced):
    synced.config = {**synced.config, "fail_replies": "server_error"}
    synced.save()
    message = Message.objects.filter(connection=synced).first()
    before = Message.objects.count()
    response = api.post(f"/messages/{message.pk}/reply", {"body": "Nous regardons cela."})
    assert response.status_code == 502
    body = response.json()
    assert body["state"] == "failed" and body["message"] is None and body["attempts"] == 1
    assert "internal error (HTTP 500)" in body["error"]
    reply = Reply.objects.get(pk=body["id"])
    assert reply.state == ReplyState.FAILED and reply.error == body["error"]
    assert reply.body_text == "Nous regardons cela."
    assert Message.objects.count() == before
    message.conversation.refresh_from_db()
    assert message.conversation.status == ConversationStatus.NEW
    assert AuditEvent.objects.filter(verb="reply.failed").count() == 1


# --- assigning and status -------------------------------------------------------------------------


def test_assign_a_member_then_unassign(api, synced, member_factory):
    cm = member_factory(Role.COMMUNITY_MANAGER)
    conv = Conversation.objects.filter(connection=synced).first()
    response = api.post(f"/conversations/{conv.pk}/assign", {"assignee": cm.username})
    assert response.status_code == 200
    assert response.json()["assignee"] == cm.username and response.json()["status"] == "assigned"
    conv.refresh_from_db()
    assert conv.assignee == cm and conv.status == ConversationStatus.ASSIGNED

    response = api.post(f"/conversations/{conv.pk}/assign", {"assignee": None})
    assert response.status_code == 200 and response.json()["assignee"] is None
    conv.refresh_from_db()
    assert conv.assignee is None and conv.status == ConversationStatus.NEW


def test_assign_through_a_message(api, synced, owner):
    message = Message.objects.filter(connection=synced).order_by("posted_at")[4]
    response = api.post(f"/messages/{message.pk}/assign", {"assignee": owner.username})
    assert response.status_code == 200 and response.json()["id"] == message.conversation_id
    message.conversation.refresh_from_db()
    assert message.conversation.assignee == owner


def test_assign_a_non_member_is_422(api, synced, user_factory, other_workspace):
    _ws, rival_owner, _conn = other_workspace
    stranger = user_factory()
    conv = Conversation.objects.filter(connection=synced).first()
    for name in (stranger.username, rival_owner.username, "nobody-at-all"):
        assert_error(api.post(f"/conversations/{conv.pk}/assign", {"assignee": name}), 422, "invalid", "assignee")
    conv.refresh_from_db()
    assert conv.assignee is None and conv.status == ConversationStatus.NEW
    assert not AuditEvent.objects.filter(verb="conversation.assigned").exists()


@pytest.mark.parametrize("status", list(ConversationStatus.values))
def test_set_status(api, synced, status):
    conv = Conversation.objects.filter(connection=synced).order_by("-pk").first()
    response = api.post(f"/conversations/{conv.pk}/status", {"status": status})
    assert response.status_code == 200 and response.json()["status"] == status
    conv.refresh_from_db()
    assert conv.status == status


@pytest.mark.parametrize("payload", [{"status": "archived"}, {"status": ""}, {}, {"status": 3}])
def test_bad_status_is_422(api, synced, payload):
    conv = Conversation.objects.filter(connection=synced).first()
    assert_error(api.post(f"/conversations/{conv.pk}/status", payload), 422, "invalid", "status")
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.NEW


# --- roles ----------------------------------------------------------------------------------------


def test_a_client_token_reads_but_cannot_act(client, synced, workspace, member_factory):
    user, raw = token_of_role(member_factory, workspace, Role.CLIENT)
    api = Api(client, raw)
    message = Message.objects.filter(connection=synced).first()
    conv = message.conversation
    assert api.get("/messages").status_code == 200
    assert api.get(f"/conversations/{conv.pk}").status_code == 200
    assert api.get("/connections").status_code == 200

    assert_error(api.post(f"/messages/{message.pk}/reply", {"body": "hi"}), 403, "forbidden")
    assert_error(api.post(f"/conversations/{conv.pk}/assign", {"assignee": user.username}), 403, "forbidden")
    assert_error(api.post(f"/messages/{message.pk}/assign", {"assignee": None}), 403, "forbidden")
    assert_error(api.post(f"/conversations/{conv.pk}/status", {"status": "closed"}), 403, "forbidden")
    assert_error(api.post("/connections", {"name": "Client's", "network": "dummy"}), 403, "forbidden")
    assert_error(api.post(f"/connections/{synced.pk}/sync"), 403, "forbidden")

    conv.refresh_from_db()
    assert conv.status == ConversationStatus.NEW and conv.assignee is None
    assert Reply.objects.count() == 0
    assert not Connection.objects.filter(name="Client's").exists()


@pytest.mark.parametrize("role", list(Role.values))
def test_every_role_through_the_api(client, synced, workspace, member_factory, role):
    user, raw = token_of_role(member_factory, workspace, role)
    api = Api(client, raw)
    perms = ROLE_PERMS[role]
    message = Message.objects.filter(connection=synced).first()
    calls = [
        (Perm.REPLY, 201, lambda: api.post(f"/messages/{message.pk}/reply", {"body": "hi"})),
        (Perm.ASSIGN, 200, lambda: api.post(f"/messages/{message.pk}/assign", {"assignee": user.username})),
        (Perm.ASSIGN, 200, lambda: api.post(f"/conversations/{message.conversation_id}/status", {"status": "closed"})),
        (Perm.SYNC, 202, lambda: api.post(f"/connections/{synced.pk}/sync")),
        (Perm.MANAGE_CONNECTIONS, 201, lambda: api.post("/connections", {"name": f"{role} ch", "network": "dummy"})),
    ]
    for perm, allowed, call in calls:
        response = call()
        if perm in perms:
            assert response.status_code == allowed, (perm, response.content)
        else:
            assert_error(response, 403, "forbidden")
    assert Connection.objects.filter(name=f"{role} ch").exists() == (Perm.MANAGE_CONNECTIONS in perms)
    assert Reply.objects.filter(author=user).exists() == (Perm.REPLY in perms)
