from federe.core.routing import workspace_path
from federe.sla import views

app_name = "sla"

urlpatterns = [
    workspace_path("inbox/sla/", views.page, name="page"),
    workspace_path("inbox/sla/<int:pk>/", views.edit, name="edit"),
    workspace_path("inbox/sla/<int:pk>/move/", views.move, name="move"),
    workspace_path("inbox/sla/<int:pk>/delete/", views.remove, name="delete"),
]
