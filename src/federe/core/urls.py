from django.urls import path

from federe.core import views
from federe.core.routing import workspace_path

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    workspace_path("", views.overview, name="overview"),
    workspace_path("activity/", views.activity, name="activity"),
]
