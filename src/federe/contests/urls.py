from django.urls import path

from federe.contests import certificate_views, views
from federe.core.routing import workspace_path

app_name = "contests"

urlpatterns = [
    workspace_path("contests/", views.contest_list, name="list"),
    workspace_path("contests/new/", views.create, name="create"),
    workspace_path("contests/<int:pk>/", views.detail, name="detail"),
    workspace_path("contests/<int:pk>/edit/", views.edit, name="edit"),
    workspace_path("contests/<int:pk>/entries/", views.entries, name="entries"),
    workspace_path("contests/<int:pk>/collect/", views.collect, name="collect"),
    workspace_path("contests/<int:pk>/entries/<int:entry_pk>/decide/", views.decide, name="decide"),
    workspace_path("contests/<int:pk>/commit/", views.commit, name="commit"),
    workspace_path("contests/<int:pk>/draw/", views.draw, name="draw"),
    workspace_path("contests/<int:pk>/announce/", views.announce_winners, name="announce"),
    workspace_path("contests/<int:pk>/announce/progress/", views.announce_progress, name="announce-progress"),
    # The certificate: no account, the contest's unguessable public id.
    path("draws/<str:public_id>/", certificate_views.certificate, name="certificate"),
    path("draws/<str:public_id>/draw.json", certificate_views.published_json, name="certificate-json"),
    path("draws/<str:public_id>/verify_draw.py", certificate_views.script, name="certificate-script"),
    path("draws/<str:public_id>/rules.pdf", certificate_views.rules_document, name="certificate-rules"),
]
