"""The places a channel follows on its network (rooms, lists: ``Connector.targets_label``), chosen on its page.

``fetch_targets`` asks the network, on demand and outside any database transaction (netsafe refuses a call
inside one); ``choose_targets`` keeps the chosen ids in ``config["targets"]``, for those who manage channels,
in the activity log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.connections.runtime import connected
from federe.connectors import registry
from federe.connectors.errors import ConnectorError
from federe.connectors.types import Target
from federe.core import audit

logger = logging.getLogger(__name__)
MAX_TARGETS = 500


@dataclass(frozen=True)
class Listing:
    targets: list[Target]
    error: str = ""  # why the network could not list them, in words


def chooses_targets(connection: Connection) -> bool:
    try:
        return registry.connector_class(connection.network).targets_label is not None
    except LookupError:
        return False


def chosen(connection: Connection) -> list[str]:
    value = (connection.config or {}).get("targets", [])
    return [str(v) for v in value] if isinstance(value, list) else []


def fetch_targets(connection: Connection) -> Listing:
    """What the network offers to follow, as the channel's credentials see it; a failure is said, not raised."""
    try:
        with connected(connection) as connector:
            return Listing(list(connector.list_targets()))
    except ConnectorError as exc:
        return Listing([], exc.message)
    except Exception:  # a connector's bug must not make the page a 500: say so, log it (no credentials in repr)
        logger.exception("Listing the targets of connection %s failed", connection.pk)
        return Listing([], _("The network's answer could not be read. Try again later."))


@transaction.atomic
def choose_targets(*, connection: Connection, ids: list[str], listed: list[Target], by: Any) -> list[str]:
    """Keep ``ids`` (each among ``listed``, in their order) as the places the channel follows."""
    require(by, connection.workspace, Perm.MANAGE_CONNECTIONS)
    known = [t.id for t in listed]
    wanted = set(ids)
    if len(wanted) > MAX_TARGETS or not wanted <= set(known):
        raise ValidationError({"targets": _("Choose among the places listed.")})
    kept = [tid for tid in known if tid in wanted]
    locked = Connection.objects.select_for_update().get(pk=connection.pk)
    before = chosen(locked)
    locked.config = {**locked.config, "targets": kept}
    locked.save(update_fields=["config", "updated_at"])
    audit.record(
        "connection.targets_chosen",
        workspace=connection.workspace,
        actor=by,
        target=connection,
        details={"targets": kept, "before": before},
    )
    connection.config = locked.config
    return kept
