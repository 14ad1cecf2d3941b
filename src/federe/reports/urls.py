from django.urls import path

from federe.core.routing import workspace_path
from federe.reports import transparency_views, views

app_name = "reports"

urlpatterns = [
    workspace_path("reports/", views.template_list, name="list"),
    workspace_path("reports/new/", views.create, name="create"),
    workspace_path("reports/transparency/", transparency_views.page, name="transparency"),
    workspace_path("reports/transparency.csv", transparency_views.csv, name="transparency-csv"),
    workspace_path("reports/transparency.pdf", transparency_views.pdf, name="transparency-pdf"),
    workspace_path("reports/<int:pk>/", views.edit, name="edit"),
    workspace_path("reports/<int:pk>/delete/", views.delete, name="delete"),
    workspace_path("reports/<int:pk>/share/", views.share, name="share"),
    workspace_path("reports/<int:pk>/revoke/", views.revoke, name="revoke"),
    workspace_path("reports/<int:pk>/resume/", views.resume, name="resume"),
    workspace_path("reports/<int:pk>/report/", views.preview, name="preview"),
    workspace_path("reports/<int:pk>/report.pdf", views.pdf, name="pdf"),
    # A shared report: no account, a signed token that expires (reports/sharing.py).
    path("reports/shared/<str:token>/", views.shared, name="shared"),
    path("reports/shared/<str:token>/report.pdf", views.shared_pdf, name="shared-pdf"),
]
