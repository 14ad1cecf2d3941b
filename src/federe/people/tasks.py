"""Background work for people: take ids, safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_people_task(workspace_id: int) -> dict[str, int] | None:
    """Look for new merge suggestions (merging the obvious ones if the workspace allows it) and refresh the
    "gone quiet" and "back" signals. Queued by people.engagement.scoring at most every few minutes per workspace."""
    from federe.accounts.models import Workspace
    from federe.people.engagement import community
    from federe.people.identities import suggestions

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return None
    found = suggestions.refresh_suggestions(workspace)
    marked = community.refresh(workspace)
    return {"suggested": found.created, "auto_merged": found.auto_merged, **marked}
