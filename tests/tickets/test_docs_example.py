"""docs/escalation.md's sender, run as written, with the inbound secret the page showed, against the live server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from federe.inbox.models import Message
from federe.tickets import services
from federe.tickets.models import Team

DOC = Path(__file__).resolve().parents[2] / "docs" / "escalation.md"


def doc_example() -> dict:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code, "docs/escalation.md lost its Python example"
    namespace: dict = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


@pytest.mark.django_db(transaction=True)
def test_the_documented_sender_moves_a_ticket_with_the_secret_the_page_showed(
    client, live_server, workspace, owner, synced
):
    client.force_login(owner)
    response = client.post(
        reverse("tickets:team-create", args=[workspace.slug]),
        {"kind": "support", "name": "IT", "email": "it@example.org", "webhook_url": "", "language": "en"},
    )
    (secret,) = re.findall(r"whsec_[A-Za-z0-9+/=]+", response.content.decode())
    team = Team.objects.get()
    ticket = services.create_ticket(message=Message.objects.filter(direction="in").first(), team=team, by=owner)
    page = client.get(reverse("tickets:teams", args=[workspace.slug])).content.decode()
    path = reverse("tickets:hook", args=[team.public_id])
    assert path in page  # the address the page shows, on this server
    send_update = doc_example()["send_update"]
    answer = send_update(live_server.url + path, secret, {"ticket": ticket.pk, "status": "in_progress"})
    assert answer == {"ticket": ticket.pk, "status": "in_progress", "changed": True, "duplicate": False}
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
