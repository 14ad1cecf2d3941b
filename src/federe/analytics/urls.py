from federe.analytics import views
from federe.core.routing import workspace_path

app_name = "analytics"

urlpatterns = [
    workspace_path("analytics/", views.dashboard, name="dashboard"),
    workspace_path("analytics/<slug:family>.csv", views.export, name="csv"),
]
