from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from federe.accounts import profile_views, team_views
from federe.accounts import views as accounts_views
from federe.api.v1.api import api
from federe.connections import views as connection_views
from federe.core import views as core_views
from federe.inbox import views as inbox_views
from federe.listening import views as listening_views
from federe.moderation import views as moderation_views
from federe.nlp import views as nlp_views
from federe.people import views as people_views

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
    path("moderation/rules/<int:pk>/delete/", moderation_views.rule_delete, name="rule-delete"),
    path("people/", people_views.people_list, name="people"),
    path("people/export.csv", people_views.people_export, name="people-export"),
    path("people/suggestions/", people_views.suggestion_list, name="people-suggestions"),
    path("people/suggestions/refresh/", people_views.suggestion_refresh, name="people-suggestions-refresh"),
    path("people/suggestions/<int:pk>/decide/", people_views.suggestion_decide, name="people-suggestion-decide"),
    path("people/merges/<int:pk>/undo/", people_views.merge_undo, name="people-merge-undo"),
    path("people/signals/", people_views.signal_list, name="people-signals"),
    path("people/signals/digest/", people_views.signal_digest, name="people-digest"),
    path("people/scoring/", people_views.scoring_settings, name="people-settings"),
    path("people/scoring/recompute/", people_views.scoring_recompute, name="people-recompute"),
    path("people/segments/", people_views.segment_save, name="people-segment-save"),
    path("people/segments/<int:pk>/delete/", people_views.segment_delete, name="people-segment-delete"),
    path("people/<int:pk>/", people_views.person_detail, name="person"),
    path("people/<int:pk>/notes/", people_views.person_note, name="person-note"),
    path("people/<int:pk>/notes/<int:note_pk>/delete/", people_views.person_note_delete, name="person-note-delete"),
    path("people/<int:pk>/tags/", people_views.person_tag, name="person-tag"),
    path("people/<int:pk>/tags/<int:tag_pk>/remove/", people_views.person_untag, name="person-untag"),
    path("people/<int:pk>/fields/", people_views.person_field, name="person-field"),
    path("people/<int:pk>/export.json", people_views.person_export, name="person-export"),
    path("people/<int:pk>/erase/", people_views.person_erase, name="person-erase"),
    path("moderation/models/", nlp_views.models_page, name="nlp-models"),
    path("moderation/models/train/", nlp_views.train_now, name="nlp-train"),
    path("moderation/models/activate/", nlp_views.activate, name="nlp-activate"),
    path("inbox/messages/<int:pk>/sentiment/", nlp_views.correct_sentiment, name="message-sentiment"),
    path("listening/", listening_views.dashboard, name="listening"),
    path("listening/share-of-voice.csv", listening_views.voice_export, name="listening-voice-csv"),
    path("listening/queries/new/", listening_views.query_edit, name="listening-query-new"),
    path("listening/queries/preview/", listening_views.query_preview, name="listening-preview"),
    path("listening/queries/<int:pk>/", listening_views.query_detail, name="listening-query"),
    path("listening/queries/<int:pk>/edit/", listening_views.query_edit, name="listening-query-edit"),
    path("listening/queries/<int:pk>/delete/", listening_views.query_delete, name="listening-query-delete"),
    path("listening/mentions/<int:pk>/escalate/", listening_views.mention_escalate, name="listening-escalate"),
    path("listening/alerts/", listening_views.alert_settings, name="listening-alerts"),
    path("activity/", core_views.activity, name="activity"),
    path("tokens/", accounts_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", accounts_views.revoke_token, name="token-revoke"),
    path("team/", team_views.team_page, name="team"),
    path("team/<int:pk>/role/", team_views.change_role, name="team-member"),
    path("team/<int:pk>/remove/", team_views.remove_member, name="team-remove"),
    path("team/invitations/<int:pk>/withdraw/", team_views.revoke_invitation, name="team-invitation-revoke"),
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
    path("profile/", profile_views.profile, name="profile"),
    path("profile/password/", profile_views.change_password, name="profile-password"),
    path("invitation/<str:token>/", team_views.accept_invitation, name="invitation"),
    path("healthz", core_views.health, name="health"),
    path("hooks/sync/<int:pk>/<str:token>/", connection_views.sync_hook, name="sync-hook"),
    path("w/<slug:slug>/", include(workspace_patterns)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
