"""The URL conf: each app brings its own ``urls.py`` and namespace (``inbox:thread``, ``people:person``...)."""

from django.contrib import admin
from django.urls import include, path

from federe.api.v1.api import api

urlpatterns = [
    path("", include("federe.core.urls")),
    path("", include("federe.accounts.urls")),
    path("", include("federe.connections.urls")),
    path("", include("federe.inbox.urls")),
    path("", include("federe.moderation.urls")),
    path("", include("federe.nlp.urls")),
    path("", include("federe.people.urls")),
    path("", include("federe.listening.urls")),
    path("", include("federe.publishing.urls")),
    path("", include("federe.links.urls")),
    path("", include("federe.webhooks.urls")),
    path("", include("federe.replies.urls")),
    path("", include("federe.search.urls")),
    path("", include("federe.notifications.urls")),
    path("", include("federe.tickets.urls")),
    path("", include("federe.sla.urls")),
    path("", include("federe.campaigns.urls")),
    path("", include("federe.analytics.urls")),
    path("", include("federe.contests.urls")),
    path("", include("federe.events.urls")),
    path("", include("federe.reports.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
