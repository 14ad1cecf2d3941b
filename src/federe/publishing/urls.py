from django.urls import path

from federe.core.routing import workspace_path
from federe.publishing import (
    approval_views,
    besttime_views,
    calendar_views,
    client_views,
    import_views,
    queue_views,
    views,
)

app_name = "publishing"

urlpatterns = [
    workspace_path("posts/", views.post_list, name="list"),
    workspace_path("posts/new/", views.compose, name="compose"),
    workspace_path("posts/calendar/", calendar_views.calendar_page, name="calendar"),
    workspace_path("posts/calendar/move/", calendar_views.move, name="calendar-move"),
    workspace_path("posts/limits/", views.limits, name="limits"),
    workspace_path("posts/approvals/", approval_views.workflow, name="workflow"),
    workspace_path("posts/import/", import_views.post_import, name="import"),
    workspace_path("posts/import/sample.csv", import_views.import_sample, name="import-sample"),
    workspace_path("posts/queue/", queue_views.queue, name="queue"),
    workspace_path("posts/queue/next/", queue_views.queue_next, name="queue-next"),
    workspace_path("posts/queue/<int:pk>/remove/", queue_views.queue_remove, name="queue-remove"),
    workspace_path("posts/best-time/", besttime_views.best_time, name="best-time"),
    workspace_path("posts/media/<int:pk>/", views.media, name="media"),
    workspace_path("posts/<int:pk>/", views.post_detail, name="post"),
    workspace_path("posts/<int:pk>/edit/", views.compose, name="edit"),
    workspace_path("posts/<int:pk>/submit/", approval_views.submit, name="submit"),
    workspace_path("posts/<int:pk>/decide/", approval_views.decide, name="decide"),
    workspace_path("posts/<int:pk>/links/", approval_views.link_create, name="link-create"),
    workspace_path("posts/<int:pk>/links/<int:link_id>/revoke/", approval_views.link_revoke, name="link-revoke"),
    # The client's page: no account, the post's id and the link's token.
    path("approve/<int:post_id>/<str:token>/", client_views.review, name="client"),
    path("approve/<int:post_id>/<str:token>/images/<int:media_id>/", client_views.image, name="client-image"),
]
