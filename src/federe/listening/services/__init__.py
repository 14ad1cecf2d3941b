"""Listening's services: what changes listening's rows. ``queries`` (save, delete, preview), ``mentions`` (matching
at ingest, back-fill), ``alerts`` (spikes and their alerts), ``escalation`` (a mention handed to a teammate). Share
of voice and opinion leaders are read in ``voice.py``; alerts are delivered by ``delivery.py``.

The public names are re-exported here: views, the API, ingest, the demo and many tests call ``services.save_query``
and the like, and the split is about reading this code, not about its callers."""

from __future__ import annotations

from federe.listening.services.alerts import (
    alert_settings,
    check_spikes,
    describe,
    is_spike,
    save_alert_settings,
    spike_figures,
)
from federe.listening.services.escalation import escalate
from federe.listening.services.mentions import backfill, match_doc, match_messages, matcher_for
from federe.listening.services.queries import brand_for, check_query, delete_query, preview, save_query

__all__ = [
    "alert_settings",
    "backfill",
    "brand_for",
    "check_query",
    "check_spikes",
    "delete_query",
    "describe",
    "escalate",
    "is_spike",
    "match_doc",
    "match_messages",
    "matcher_for",
    "preview",
    "save_alert_settings",
    "save_query",
    "spike_figures",
]
