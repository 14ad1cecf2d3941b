from federe.core.routing import workspace_path
from federe.replies import views

app_name = "replies"

urlpatterns = [
    workspace_path("saved-replies/", views.page, name="list"),
    workspace_path("saved-replies/<int:pk>/", views.edit, name="edit"),
    workspace_path("saved-replies/<int:pk>/delete/", views.remove, name="delete"),
    workspace_path("inbox/<int:pk>/saved-replies/", views.picker, name="picker"),
    workspace_path("inbox/<int:pk>/saved-replies/<int:reply_pk>/", views.insert, name="insert"),
]
