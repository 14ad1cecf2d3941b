from django.urls import path

from federe.connections import views
from federe.core.routing import workspace_path

app_name = "connections"

urlpatterns = [
    path("hooks/sync/<int:pk>/<str:token>/", views.sync_hook, name="sync-hook"),
    workspace_path("channels/", views.channel_list, name="list"),
    workspace_path("channels/<int:pk>/", views.channel_detail, name="detail"),
    workspace_path("channels/<int:pk>/sync/", views.channel_sync, name="sync"),
    workspace_path("channels/<int:pk>/targets/", views.channel_targets, name="targets"),
]
