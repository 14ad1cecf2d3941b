"""The demo's events: one upcoming (a meetup in person, half full, with registrations from its page and a waiting
list) and one past (an online workshop whose attendees were checked in, so its no-shows show)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from federe.accounts.models import Workspace
from federe.events import services
from federe.events.models import Registration

PEOPLE = ["Camille Martin", "Léa Bernard", "Hugo Petit", "Inès Durand", "Noah Leroy", "Jade Moreau", "Lucas Simon"]


def _register(event: Any, names: list[str]) -> list[Registration]:
    done = []
    for name in names:
        email = name.lower().replace(" ", ".").replace("é", "e").replace("è", "e") + "@example.org"
        done.append(services.register_on_page(event=event, name=name, email=email, consent=True).registration)
    return done


def load(workspace: Workspace, owner: Any) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    upcoming = services.add(
        workspace=workspace,
        by=owner,
        fields=services.Fields(
            title="Meetup : la communauté se retrouve",
            description="Rencontre des membres, démonstrations et apéritif.\nEntrée libre sur inscription.",
            starts_at=now + timedelta(days=10, hours=18 - now.hour),
            ends_at=now + timedelta(days=10, hours=21 - now.hour),
            place="La Cantine, 12 rue des Lilas, Nantes",
            capacity=5,
            consent_text="J'accepte que mon nom et mon adresse servent à l'organisation de cet événement.",
            rule="hashtag",
            term="#meetup",
        ),
    )
    _register(upcoming, PEOPLE[:6])  # five seats: the sixth waits
    past = services.add(
        workspace=workspace,
        by=owner,
        fields=services.Fields(
            title="Online workshop: moderating a busy forum",
            starts_at=now - timedelta(days=5, hours=2),
            ends_at=now - timedelta(days=5),
            online=True,
            link="https://meet.example.org/workshop",
            capacity=30,
        ),
    )
    # registered while it was open: the page's checks (open, not ended) are the service's; here the past is given
    past.ends_at, past.starts_at = now + timedelta(hours=1), now - timedelta(days=5, hours=2)
    registrations = _register(past, PEOPLE)
    past.ends_at = now - timedelta(days=5)
    past.save(update_fields=["ends_at"])
    for registration in registrations[:5]:
        services.check_in(registration=registration, by=owner)
