from django.urls import path

from federe.core.routing import workspace_path
from federe.tickets import views

app_name = "tickets"

urlpatterns = [
    workspace_path("escalation/", views.teams_page, name="teams"),
    workspace_path("escalation/new/", views.create_team, name="team-create"),
    workspace_path("escalation/<int:pk>/", views.edit_team, name="team-edit"),
    workspace_path("escalation/<int:pk>/rotate/", views.rotate_team_secret, name="team-rotate"),
    workspace_path("escalation/<int:pk>/delete/", views.delete_team, name="team-delete"),
    workspace_path("inbox/<int:pk>/escalate/", views.escalate, name="escalate"),
    workspace_path("tickets/<int:pk>/status/", views.change_status, name="status"),
    path("hooks/tickets/<str:public_id>/", views.hook, name="hook"),
]
