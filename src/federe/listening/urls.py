from federe.core.routing import workspace_path
from federe.listening import views

app_name = "listening"

urlpatterns = [
    workspace_path("listening/", views.dashboard, name="dashboard"),
    workspace_path("listening/share-of-voice.csv", views.voice_export, name="voice-csv"),
    workspace_path("listening/queries/new/", views.query_edit, name="query-new"),
    workspace_path("listening/queries/preview/", views.query_preview, name="preview"),
    workspace_path("listening/queries/<int:pk>/", views.query_detail, name="query"),
    workspace_path("listening/queries/<int:pk>/edit/", views.query_edit, name="query-edit"),
    workspace_path("listening/queries/<int:pk>/delete/", views.query_delete, name="query-delete"),
    workspace_path("listening/mentions/<int:pk>/escalate/", views.mention_escalate, name="escalate"),
    workspace_path("listening/alerts/", views.alert_settings, name="alerts"),
]
