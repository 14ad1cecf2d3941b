from federe.core.routing import workspace_path
from federe.inbox import list_views, note_views, views

app_name = "inbox"

urlpatterns = [
    workspace_path("inbox/", views.inbox, name="list"),
    workspace_path("inbox/<int:pk>/", views.thread, name="thread"),
    workspace_path("inbox/<int:pk>/reply/", views.reply, name="reply"),
    workspace_path("inbox/<int:pk>/replies/<int:reply_pk>/retry/", views.retry, name="retry"),
    workspace_path("inbox/<int:pk>/status/", views.change_status, name="status"),
    workspace_path("inbox/<int:pk>/assign/", views.assign, name="assign"),
    # the list's bulk actions and saved filters (inbox/list_views.py)
    workspace_path("inbox/bulk/", list_views.bulk, name="bulk"),
    workspace_path("inbox/filters/", list_views.filters_page, name="filters"),
    workspace_path("inbox/filters/save/", list_views.filter_save, name="filter-save"),
    workspace_path("inbox/filters/<int:pk>/rename/", list_views.filter_rename, name="filter-rename"),
    workspace_path("inbox/filters/<int:pk>/delete/", list_views.filter_delete, name="filter-delete"),
    workspace_path("inbox/<int:pk>/priority/", views.change_priority, name="priority"),
    # internal notes (inbox/note_views.py)
    workspace_path("inbox/<int:pk>/notes/", note_views.add, name="note-add"),
    workspace_path("inbox/<int:pk>/notes/<int:note_pk>/edit/", note_views.edit, name="note-edit"),
    workspace_path("inbox/<int:pk>/notes/<int:note_pk>/delete/", note_views.delete, name="note-delete"),
]
