from federe.core.routing import workspace_path
from federe.inbox import views

app_name = "inbox"

urlpatterns = [
    workspace_path("inbox/", views.inbox, name="list"),
    workspace_path("inbox/<int:pk>/", views.thread, name="thread"),
    workspace_path("inbox/<int:pk>/reply/", views.reply, name="reply"),
    workspace_path("inbox/<int:pk>/replies/<int:reply_pk>/retry/", views.retry, name="retry"),
    workspace_path("inbox/<int:pk>/status/", views.change_status, name="status"),
    workspace_path("inbox/<int:pk>/assign/", views.assign, name="assign"),
]
