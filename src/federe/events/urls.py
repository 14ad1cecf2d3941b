from django.urls import path

from federe.core.routing import workspace_path
from federe.events import public_views, views

app_name = "events"

urlpatterns = [
    workspace_path("events/", views.event_list, name="list"),
    workspace_path("events/new/", views.create, name="create"),
    workspace_path("events/<int:pk>/", views.detail, name="detail"),
    workspace_path("events/<int:pk>/edit/", views.edit, name="edit"),
    workspace_path("events/<int:pk>/posts/", views.schedule_posts, name="posts"),
    workspace_path("events/<int:pk>/collect/", views.collect, name="collect"),
    workspace_path("events/<int:pk>/check-in/", views.check_in_list, name="check-in-list"),
    workspace_path("events/<int:pk>/check-in/<int:registration_pk>/", views.check_in, name="check-in"),
    workspace_path("events/<int:pk>/registrations/<int:registration_pk>/cancel/", views.cancel, name="cancel"),
    workspace_path("events/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    workspace_path("events/<int:pk>/follow-up/progress/", views.follow_up_progress, name="follow-up-progress"),
    # The registration page: no account, the event's unguessable public id.
    path("e/<str:public_id>/", public_views.register, name="register"),
]
