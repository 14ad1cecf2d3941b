"""A handful of saved replies in French and English for the demo workspaces."""

from __future__ import annotations

from typing import Any

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.replies import services

# (folder, title, language, body, only on the first channel)
REPLIES = [
    ("Accueil", "Merci", "fr", "Bonjour {{author.first_name}}, merci pour votre message ! {{agent.name}}", False),
    ("Welcome", "Thanks", "en", "Hi {{author.first_name}}, thank you for your message! {{agent.name}}", False),
    (
        "Commandes",
        "Suivi de commande",
        "fr",
        "Bonjour {{author.first_name}}, votre commande {{ask:numéro de commande}} est en route. "
        "Nous vous tenons au courant ici, sur {{channel.name}}.",
        False,
    ),
    (
        "Orders",
        "Order follow-up",
        "en",
        "Hi {{author.first_name}}, your order {{ask:order number}} is on its way. We will keep you posted here on "
        "{{channel.name}}.",
        False,
    ),
    ("Accueil", "Horaires", "fr", "Nous sommes ouverts du mardi au dimanche, de 8 h à 18 h.", True),
    ("Welcome", "Opening hours", "en", "We are open Tuesday to Sunday, 8 am to 6 pm.", True),
]


def load(workspace: Workspace, owner: Any) -> None:
    first = Connection.objects.filter(workspace=workspace).order_by("pk").first()
    for folder, title, language, body, scoped in REPLIES:
        fields = services.Fields(
            title=title,
            language=language,
            body=body,
            folder=folder,
            connection_id=first.pk if scoped and first else None,
        )
        services.add(workspace=workspace, fields=fields, by=owner)
