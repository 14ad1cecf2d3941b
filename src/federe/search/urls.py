from federe.core.routing import workspace_path
from federe.search import views

app_name = "search"

urlpatterns = [
    workspace_path("inbox/search/", views.results, name="results"),
]
