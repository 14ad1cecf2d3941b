"""People in the demo: computed scores, one automatic merge, merge suggestions, notes, tags, a field, a segment."""

from __future__ import annotations

from collections import Counter
from typing import Any

from federe.accounts.models import Workspace
from federe.people import services
from federe.people.engagement import community, scoring
from federe.people.identities import suggestions
from federe.people.models import Identity, Person
from federe.people.queries import PeopleFilters


def animate_people(workspace: Workspace, owner: Any, cm: Any) -> None:
    scoring.recompute(workspace)
    # A network that gives e-mail addresses (a mailing list, say) shows the same member on two channels:
    # the same address plus the same handle and name is enough to merge automatically (and undoably).
    handles = Counter(Identity.objects.filter(workspace=workspace).exclude(handle="").values_list("handle", flat=True))
    shared = [h for h, n in handles.most_common() if n >= 2 and not h.startswith(("promo", "crypto", "free"))]
    if shared:
        handle = shared[-1]
        Identity.objects.filter(workspace=workspace, handle=handle).update(email=f"{handle}@example.org")
    suggestions.refresh_suggestions(workspace)
    scoring.recompute(workspace)
    top = list(Person.objects.filter(workspace=workspace, merged_into__isnull=True).order_by("-score")[:3])
    texts = [
        ("ambassadeur", "Rencontré au salon de Lyon : prêt à animer un atelier. Le recontacter en mars."),
        ("bêta-testeur", "A signalé deux bugs précis le mois dernier ; le remercier quand le correctif sort."),
        ("VIP", "Client fidèle depuis 2019, très suivi sur le forum."),
    ]
    for person, (tag, note) in zip(top, texts, strict=False):
        services.add_tag(person=person, name=tag, by=cm)
        services.add_note(person=person, body=note, by=cm)
    if top:
        services.set_field(person=top[0], name="ville", value="Lyon", by=cm)
    services.save_segment(
        workspace=workspace,
        name="Réguliers et champions",
        filters=PeopleFilters(levels=("regular", "champion")),
        by=owner,
    )
    community.refresh(workspace)
