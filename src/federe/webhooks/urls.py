from federe.core.routing import workspace_path
from federe.webhooks import views

app_name = "webhooks"

urlpatterns = [
    workspace_path("webhooks/", views.page, name="page"),
    workspace_path("webhooks/new/", views.create, name="create"),
    workspace_path("webhooks/<int:pk>/", views.edit, name="edit"),
    workspace_path("webhooks/<int:pk>/rotate/", views.rotate, name="rotate"),
    workspace_path("webhooks/<int:pk>/delete/", views.delete, name="delete"),
    workspace_path("webhooks/<int:pk>/test/", views.test, name="test"),
    workspace_path("webhooks/deliveries/<int:pk>/replay/", views.replay, name="replay"),
]
