"""The REST API at /api/v1/. Each domain adds a router here."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.operation import Operation

from federe.api.v1 import errors
from federe.api.v1.analytics import router as analytics_router
from federe.api.v1.auth import TokenAuth
from federe.api.v1.besttime import router as besttime_router
from federe.api.v1.campaigns import router as campaigns_router
from federe.api.v1.connections import router as connections_router
from federe.api.v1.contests import router as contests_router
from federe.api.v1.events import router as events_router
from federe.api.v1.inbox import router as inbox_router
from federe.api.v1.inbox_bulk import router as inbox_bulk_router
from federe.api.v1.links import router as links_router
from federe.api.v1.listening import router as listening_router
from federe.api.v1.members import router as members_router
from federe.api.v1.moderation import router as moderation_router
from federe.api.v1.notes import router as notes_router
from federe.api.v1.parsing import NulRefusingParser
from federe.api.v1.people import router as people_router
from federe.api.v1.post_import import router as post_import_router
from federe.api.v1.posts import router as posts_router
from federe.api.v1.queue import router as queue_router
from federe.api.v1.reports import router as reports_router
from federe.api.v1.saved_filters import router as saved_filters_router
from federe.api.v1.saved_replies import router as saved_replies_router
from federe.api.v1.search import router as search_router
from federe.api.v1.sla_policies import router as sla_policies_router
from federe.api.v1.tickets import router as tickets_router
from federe.api.v1.webhooks import router as webhooks_router
from federe.api.v1.workspaces import router as workspaces_router


class FedereApi(NinjaAPI):
    """Operation ids name the domain (``federe_api_v1_people_list_people``), not the module inside it, so that a
    domain that grows into a package (people: persons, merges…) keeps the ids clients were generated from."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        domain = operation.view_func.__module__.split(".")[:4]
        return "_".join([*domain, operation.view_func.__name__])


api = FedereApi(
    title="Fédère API",
    version="1",
    description="Every call is scoped to the workspace of the token: Authorization: Bearer <token>.",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    # Swagger UI from this server's static files; no validator badge (it would load an image from elsewhere).
    docs=Swagger(settings={"validatorUrl": None}),
    parser=NulRefusingParser(),
)
errors.install(api)
api.add_router("/workspaces", workspaces_router, tags=["workspaces"])
api.add_router("/connections", connections_router, tags=["connections"])
api.add_router("/", inbox_router, tags=["inbox"])
api.add_router("/moderation", moderation_router, tags=["moderation"])
api.add_router("/listening", listening_router, tags=["listening"])
api.add_router("/people", people_router, tags=["people"])
api.add_router("/members", members_router, tags=["members"])
api.add_router("/posts/best-time", besttime_router, tags=["posts"])  # before /posts/{post_id}
api.add_router("/posts/import", post_import_router, tags=["posts"])
api.add_router("/posts", posts_router, tags=["posts"])
api.add_router("/queue", queue_router, tags=["posts"])
api.add_router("/links", links_router, tags=["links"])
api.add_router("/webhooks", webhooks_router, tags=["webhooks"])
api.add_router("/saved-replies", saved_replies_router, tags=["saved replies"])
api.add_router("/notes", notes_router, tags=["inbox"])
api.add_router("/search", search_router, tags=["search"])
api.add_router("/tickets", tickets_router, tags=["tickets"])
api.add_router("/inbox/bulk", inbox_bulk_router, tags=["inbox"])
api.add_router("/saved-filters", saved_filters_router, tags=["inbox"])
api.add_router("/sla-policies", sla_policies_router, tags=["SLA policies"])
api.add_router("/campaigns", campaigns_router, tags=["campaigns"])
api.add_router("/analytics", analytics_router, tags=["analytics"])
api.add_router("/contests", contests_router, tags=["contests"])
api.add_router("/events", events_router, tags=["events"])
api.add_router("/reports", reports_router, tags=["reports"])
