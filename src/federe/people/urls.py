from federe.core.routing import workspace_path
from federe.people.views import directory, engagement, merges, person

app_name = "people"

urlpatterns = [
    workspace_path("people/", directory.people_list, name="list"),
    workspace_path("people/export.csv", directory.people_export, name="export"),
    workspace_path("people/suggestions/", merges.suggestion_list, name="suggestions"),
    workspace_path("people/suggestions/refresh/", merges.suggestion_refresh, name="suggestions-refresh"),
    workspace_path("people/suggestions/<int:pk>/decide/", merges.suggestion_decide, name="suggestion-decide"),
    workspace_path("people/merges/<int:pk>/undo/", merges.merge_undo, name="merge-undo"),
    workspace_path("people/signals/", engagement.signal_list, name="signals"),
    workspace_path("people/signals/digest/", engagement.signal_digest, name="digest"),
    workspace_path("people/scoring/", engagement.scoring_settings, name="settings"),
    workspace_path("people/scoring/recompute/", engagement.scoring_recompute, name="recompute"),
    workspace_path("people/segments/", directory.segment_save, name="segment-save"),
    workspace_path("people/segments/<int:pk>/delete/", directory.segment_delete, name="segment-delete"),
    workspace_path("people/<int:pk>/", person.person_detail, name="person"),
    workspace_path("people/<int:pk>/notes/", person.person_note, name="person-note"),
    workspace_path("people/<int:pk>/notes/<int:note_pk>/delete/", person.person_note_delete, name="person-note-delete"),
    workspace_path("people/<int:pk>/tags/", person.person_tag, name="person-tag"),
    workspace_path("people/<int:pk>/tags/<int:tag_pk>/remove/", person.person_untag, name="person-untag"),
    workspace_path("people/<int:pk>/fields/", person.person_field, name="person-field"),
    workspace_path("people/<int:pk>/export.json", person.person_export, name="person-export"),
    workspace_path("people/<int:pk>/erase/", person.person_erase, name="person-erase"),
]
