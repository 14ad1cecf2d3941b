from django.urls import path

from federe.core.routing import workspace_path
from federe.links import views

app_name = "links"

urlpatterns = [
    workspace_path("links/", views.page, name="page"),
    workspace_path("links/settings/", views.save_settings, name="settings"),
    workspace_path("links/presets/", views.save_preset, name="preset"),
    workspace_path("links/example/", views.example, name="example"),
    # The short links themselves: no account, no workspace in the address.
    path("l/<path:code>", views.follow, name="follow"),
]
