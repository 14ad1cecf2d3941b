from django.contrib.auth import views as auth_views
from django.urls import path

from federe.accounts import profile_views, settings_views, team_views, views
from federe.core.routing import workspace_path

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.switch_language, name="set-language"),
    path("profile/", profile_views.profile, name="profile"),
    path("profile/password/", profile_views.change_password, name="password"),
    path("invitation/<str:token>/", team_views.accept_invitation, name="invitation"),
    workspace_path("tokens/", views.tokens, name="tokens"),
    workspace_path("tokens/<int:pk>/revoke/", views.revoke_token, name="token-revoke"),
    workspace_path("settings/", settings_views.settings_page, name="settings"),
    workspace_path("team/", team_views.team_page, name="team"),
    workspace_path("team/<int:pk>/role/", team_views.change_role, name="team-member"),
    workspace_path("team/<int:pk>/remove/", team_views.remove_member, name="team-remove"),
    workspace_path("team/invitations/<int:pk>/withdraw/", team_views.revoke_invitation, name="invitation-revoke"),
]
