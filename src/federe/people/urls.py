from federe.core.routing import workspace_path
from federe.people import views

app_name = "people"

urlpatterns = [
    workspace_path("people/", views.people_list, name="list"),
    workspace_path("people/export.csv", views.people_export, name="export"),
    workspace_path("people/suggestions/", views.suggestion_list, name="suggestions"),
    workspace_path("people/suggestions/refresh/", views.suggestion_refresh, name="suggestions-refresh"),
    workspace_path("people/suggestions/<int:pk>/decide/", views.suggestion_decide, name="suggestion-decide"),
    workspace_path("people/merges/<int:pk>/undo/", views.merge_undo, name="merge-undo"),
    workspace_path("people/signals/", views.signal_list, name="signals"),
    workspace_path("people/signals/digest/", views.signal_digest, name="digest"),
    workspace_path("people/scoring/", views.scoring_settings, name="settings"),
    workspace_path("people/scoring/recompute/", views.scoring_recompute, name="recompute"),
    workspace_path("people/segments/", views.segment_save, name="segment-save"),
    workspace_path("people/segments/<int:pk>/delete/", views.segment_delete, name="segment-delete"),
    workspace_path("people/<int:pk>/", views.person_detail, name="person"),
    workspace_path("people/<int:pk>/notes/", views.person_note, name="person-note"),
    workspace_path("people/<int:pk>/notes/<int:note_pk>/delete/", views.person_note_delete, name="person-note-delete"),
    workspace_path("people/<int:pk>/tags/", views.person_tag, name="person-tag"),
    workspace_path("people/<int:pk>/tags/<int:tag_pk>/remove/", views.person_untag, name="person-untag"),
    workspace_path("people/<int:pk>/fields/", views.person_field, name="person-field"),
    workspace_path("people/<int:pk>/export.json", views.person_export, name="person-export"),
    workspace_path("people/<int:pk>/erase/", views.person_erase, name="person-erase"),
]
