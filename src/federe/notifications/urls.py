from federe.core.routing import workspace_path
from federe.notifications import views

app_name = "notifications"

urlpatterns = [
    workspace_path("notifications/", views.notifications, name="list"),
    workspace_path("notifications/bell/", views.bell, name="bell"),
    workspace_path("notifications/read-all/", views.read_all, name="read-all"),
    workspace_path("notifications/<int:pk>/open/", views.open_notification, name="open"),
]
