from federe.core.routing import workspace_path
from federe.moderation import views

app_name = "moderation"

urlpatterns = [
    workspace_path("moderation/", views.review_queue, name="queue"),
    workspace_path("moderation/decide/", views.decide, name="decide"),
    workspace_path("moderation/rules/", views.rule_list, name="rules"),
    workspace_path("moderation/rules/new/", views.rule_edit, name="rule-new"),
    workspace_path("moderation/rules/backtest/", views.rule_backtest, name="rule-backtest"),
    workspace_path("moderation/rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    workspace_path("moderation/rules/<int:pk>/toggle/", views.rule_toggle, name="rule-toggle"),
    workspace_path("moderation/rules/<int:pk>/move/", views.rule_move, name="rule-move"),
    workspace_path("moderation/rules/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
]
