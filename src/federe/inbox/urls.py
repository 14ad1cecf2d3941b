from federe.core.routing import workspace_path
from federe.inbox import note_views, views

app_name = "inbox"

urlpatterns = [
    workspace_path("inbox/", views.inbox, name="list"),
    workspace_path("inbox/<int:pk>/", views.thread, name="thread"),
    workspace_path("inbox/<int:pk>/reply/", views.reply, name="reply"),
    workspace_path("inbox/<int:pk>/replies/<int:reply_pk>/retry/", views.retry, name="retry"),
    workspace_path("inbox/<int:pk>/status/", views.change_status, name="status"),
    workspace_path("inbox/<int:pk>/assign/", views.assign, name="assign"),
    # internal notes (inbox/note_views.py)
    workspace_path("inbox/<int:pk>/notes/", note_views.add, name="note-add"),
    workspace_path("inbox/<int:pk>/notes/<int:note_pk>/edit/", note_views.edit, name="note-edit"),
    workspace_path("inbox/<int:pk>/notes/<int:note_pk>/delete/", note_views.delete, name="note-delete"),
]
