from federe.campaigns import budget_views, views
from federe.core.routing import workspace_path

app_name = "campaigns"

urlpatterns = [
    workspace_path("campaigns/", views.campaign_list, name="list"),
    workspace_path("campaigns/new/", views.create, name="create"),
    workspace_path("campaigns/<int:pk>/", views.campaign_page, name="campaign"),
    workspace_path("campaigns/<int:pk>/edit/", views.edit, name="edit"),
    workspace_path("campaigns/<int:pk>/delete/", views.delete, name="delete"),
    workspace_path("campaigns/<int:pk>/mentions/", views.mentions, name="mentions"),
    workspace_path("campaigns/<int:pk>/goals/", views.goals, name="goals"),
    workspace_path("campaigns/<int:pk>/budget/", budget_views.budget, name="budget"),
    workspace_path("campaigns/<int:pk>/budget/<int:line_id>/delete/", budget_views.line_delete, name="line-delete"),
    workspace_path("campaigns/<int:pk>/budget/import/", budget_views.spend_import, name="spend-import"),
    workspace_path("campaigns/<int:pk>/budget/sample.csv", budget_views.spend_sample, name="spend-sample"),
]
