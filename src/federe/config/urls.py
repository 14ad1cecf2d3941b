from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from federe.accounts import views as accounts_views
from federe.api.v1.api import api
from federe.connections import views as connection_views
from federe.core import views as core_views
from federe.inbox import views as inbox_views
from federe.moderation import views as moderation_views
from federe.nlp import views as nlp_views

workspace_patterns = [
    path("", core_views.overview, name="overview"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_views.thread, name="inbox-thread"),
    path("inbox/<int:pk>/reply/", inbox_views.reply, name="inbox-reply"),
    path("inbox/<int:pk>/replies/<int:reply_pk>/retry/", inbox_views.retry, name="inbox-retry"),
    path("inbox/<int:pk>/status/", inbox_views.change_status, name="inbox-status"),
    path("inbox/<int:pk>/assign/", inbox_views.assign, name="inbox-assign"),
    path("channels/", connection_views.channel_list, name="channels"),
    path("channels/<int:pk>/", connection_views.channel_detail, name="channel-detail"),
    path("channels/<int:pk>/sync/", connection_views.channel_sync, name="channel-sync"),
    path("moderation/", moderation_views.review_queue, name="moderation"),
    path("moderation/decide/", moderation_views.decide, name="moderation-decide"),
    path("moderation/rules/", moderation_views.rule_list, name="rules"),
    path("moderation/rules/new/", moderation_views.rule_edit, name="rule-new"),
    path("moderation/rules/backtest/", moderation_views.rule_backtest, name="rule-backtest"),
    path("moderation/rules/<int:pk>/", moderation_views.rule_edit, name="rule-edit"),
    path("moderation/rules/<int:pk>/toggle/", moderation_views.rule_toggle, name="rule-toggle"),
    path("moderation/rules/<int:pk>/move/", moderation_views.rule_move, name="rule-move"),
    path("moderation/models/", nlp_views.models_page, name="nlp-models"),
    path("moderation/models/train/", nlp_views.train_now, name="nlp-train"),
    path("moderation/models/activate/", nlp_views.activate, name="nlp-activate"),
    path("inbox/messages/<int:pk>/sentiment/", nlp_views.correct_sentiment, name="message-sentiment"),
    path("activity/", core_views.activity, name="activity"),
    path("tokens/", accounts_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", accounts_views.revoke_token, name="token-revoke"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", accounts_views.switch_language, name="set_language"),
    path("healthz", core_views.health, name="health"),
    path("hooks/sync/<int:pk>/<str:token>/", connection_views.sync_hook, name="sync-hook"),
    path("w/<slug:slug>/", include(workspace_patterns)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
