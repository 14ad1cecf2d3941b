"""Realistic demo data: two workspaces, dummy channels, a few hundred FR and EN messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from federe.accounts import services as accounts
from federe.accounts import team
from federe.accounts.models import Role, Workspace
from federe.connections import services as connections
from federe.connections.models import Connection
from federe.contests import demo as contests_demo
from federe.events import demo as events_demo
from federe.inbox import demo as notes_demo
from federe.inbox import services as inbox
from federe.inbox.models import Conversation
from federe.moderation import services as moderation
from federe.people.demo import animate_people
from federe.replies import demo as saved_replies_demo
from federe.reports import demo as reports_demo
from federe.sla import demo as sla_demo

DEMO_PASSWORD = "demo"  # noqa: S105 - local demo only, printed on start
DAY = 24 * 3600

# (workspace slug, name, [(channel name, brand, french share, history seconds, items in history, seed)])
WORKSPACES = [
    (
        "cafe-lumiere",
        "Café Lumière",
        [
            ("Blog Café Lumière", "Café Lumière", 0.8, 14 * DAY, 110, 11),
            ("Forum des fans", "Café Lumière", 0.7, 14 * DAY, 90, 12),
            ("Chat communauté", "Café Lumière", 0.6, 2 * 3600, 60, 13),
            # A public forum watched for competitive intelligence, where a competitor is discussed.
            ("Forum Lyon Gourmand (veille)", "La Brûlerie", 0.9, 14 * DAY, 70, 14),
        ],
    ),
    (
        "velocite",
        "VéloCité (client de l'agence Nova)",
        [
            ("VéloCité Community", "VéloCité", 0.3, 14 * DAY, 80, 21),
            ("Liste des cyclistes", "VéloCité", 0.5, 14 * DAY, 50, 22),
        ],
    ),
]
INVITED = "nouvelle.recrue@example.org"
TEAM = [("camille", Role.COMMUNITY_MANAGER, "fr"), ("max", Role.MODERATOR, "en"), ("client", Role.CLIENT, "fr")]


def _user(username: str, language: str) -> Any:
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    return user or accounts.create_user(username, DEMO_PASSWORD, language=language)


def load_demo(say: Callable[[str], None] = print) -> bool:
    """Create the demo data; returns False when it is already there."""
    if Workspace.objects.filter(slug=WORKSPACES[0][0]).exists():
        say("Demo data already loaded.")
        return False
    demo = _user("demo", "")
    team = [(_user(name, lang), role) for name, role, lang in TEAM]
    now = timezone.now()
    for slug, name, channels in WORKSPACES:
        workspace = accounts.create_workspace(name=name, slug=slug, owner=demo)
        for user, role in team:
            accounts.add_member(workspace=workspace, user=user, role=role, by=demo)
        _rules(workspace, demo)
        for channel, brand, french, history, count, seed in channels:
            interval = history / count
            connection = connections.create_connection(
                workspace=workspace,
                network="dummy",
                name=channel,
                by=demo,
                config={
                    "seed": seed,
                    "brand": brand,
                    "french_share": french,
                    "page_size": 200,
                    "interval_seconds": interval,
                    "start": (now - timedelta(seconds=history)).isoformat(),
                },
                credentials={"token": f"demo-token-{seed}"},
            )
            outcome = connections.sync_connection(connection.pk, worker_id="demo")
            stored = outcome.run.stored if outcome else 0
            say(f"  {name} / {channel}: {stored} messages")
        _animate(workspace, demo, team[0][0])
        _published(workspace, demo, french=channels[0][2], seed=channels[0][5])
        animate_people(workspace, demo, team[0][0])  # scores, suggestions, notes, tags (people.demo)
        _listening(workspace, demo, channels[0][1])
        _campaign(workspace, demo)
        saved_replies_demo.load(workspace, demo)
        notes_demo.load(workspace, {user.get_username(): user for user, _role in team})
        contests_demo.load(workspace, demo)
        events_demo.load(workspace, demo)
        reports_demo.load(workspace, demo, language="fr" if slug == WORKSPACES[0][0] else "en")
        sla_demo.load(workspace, demo, language="fr" if slug == WORKSPACES[0][0] else "en")
    _invitation(Workspace.objects.get(slug=WORKSPACES[0][0]), demo, say)
    return True


def _published(workspace: Workspace, owner: Any, *, french: float, seed: int) -> None:
    """Eight weeks of the brand's posts on its first channel, with their answers (publishing.demo)."""
    from federe.publishing.demo import publish_history

    channel = Connection.objects.filter(workspace=workspace).order_by("id").first()
    if channel is not None:
        publish_history(workspace, channel, owner, seed=seed, lang="fr" if french >= 0.5 else "en")


def _campaign(workspace: Workspace, owner: Any) -> None:
    """A running campaign with its posts, a link, the brand's query, goals and budget (campaigns.demo)."""
    from federe.campaigns.demo import load

    load(workspace, owner)


def _invitation(workspace: Workspace, owner: Any, say: Callable[[str], None]) -> None:
    """A teammate invited by e-mail who has not answered yet: the Team page shows it, the link works."""
    invitation = team.invite(
        workspace=workspace, email=INVITED, role=Role.MODERATOR, by=owner, base_url=settings.FEDERE_BASE_URL
    )
    link = team.invitation_link(invitation, settings.FEDERE_BASE_URL)
    say(f"  {workspace.name}: invitation waiting for {INVITED}: {link}")


def _listening(workspace: Workspace, owner: Any, brand: str) -> None:
    """Saved listening queries: the brand, a competitor where there is one, and a topic."""
    from federe.listening import services as listening

    first_word = brand.split()[-1]
    listening.save_query(workspace=workspace, by=owner, name=brand, kind="brand", text=f'"{brand}" OR {first_word}')
    if workspace.slug == "cafe-lumiere":
        listening.save_query(
            workspace=workspace, by=owner, name="La Brûlerie", kind="competitor", text='"la brûlerie" OR brulerie'
        )
    listening.save_query(
        workspace=workspace, by=owner, name="Livraison / delivery", kind="topic", text="livraison OR delivery OR livr*"
    )


def _rules(workspace: Workspace, owner: Any) -> None:
    """The rules a community manager sets up on day one."""
    moderation.save_rule(
        workspace=workspace,
        by=owner,
        name="Spam : gains faciles",
        match="any",
        conditions=[{"type": "words", "words": ["gagn*", "free followers", "crypto*", "$5000*"]}],
        actions=[{"type": "spam"}],
    )
    moderation.save_rule(
        workspace=workspace,
        by=owner,
        name="Insultes",
        match="any",
        conditions=[{"type": "words", "words": ["idiot*", "incapable*", "arnaque", "nul"]}],
        actions=[{"type": "hold"}],
    )
    moderation.save_rule(
        workspace=workspace,
        by=owner,
        name="Coordonnées personnelles",
        match="any",
        conditions=[{"type": "contact"}],
        actions=[{"type": "label", "label": "coordonnées"}],
    )


def _animate(workspace: Workspace, owner: Any, cm: Any) -> None:
    """A team at work: some threads assigned, some answered, one closed."""
    threads = list(Conversation.objects.filter(workspace=workspace).order_by("-last_message_at")[:12])
    for index, conversation in enumerate(threads):
        if index % 4 == 1:
            inbox.assign(conversation=conversation, assignee=cm, by=owner)
        elif index % 4 == 2:
            text = (
                "Merci pour votre message ! Nous regardons cela et revenons vers vous rapidement."
                if conversation.language == "fr"
                else "Thanks for reaching out! We're looking into it and will get back to you shortly."
            )
            inbox.send_reply(conversation=conversation, text=text, by=cm)
        elif index == 11:
            inbox.set_status(conversation=conversation, status="closed", by=owner)
