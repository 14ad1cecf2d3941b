from federe.core.routing import workspace_path
from federe.nlp import views

app_name = "nlp"

urlpatterns = [
    workspace_path("moderation/models/", views.models_page, name="models"),
    workspace_path("moderation/models/train/", views.train_now, name="train"),
    workspace_path("moderation/models/activate/", views.activate, name="activate"),
    workspace_path("inbox/messages/<int:pk>/sentiment/", views.correct_sentiment, name="sentiment"),
    workspace_path("moderation/models/refined/", views.deep_progress, name="deep"),
    workspace_path("moderation/messages/<int:pk>/why/", views.why_refined, name="why"),
]
