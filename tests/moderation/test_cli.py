from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from federe.inbox.models import Message
from federe.moderation import services

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("moderation", *args, stdout=out)
    return out.getvalue()


def test_rules_backtest_queue_and_decide(synced, owner, workspace):
    rule = services.save_rule(
        workspace=workspace,
        by=owner,
        name="Links",
        match="any",
        conditions=[{"type": "links", "min": 1}],
        actions=[{"type": "hold"}],
    )
    assert "Links" in run("rules", "--workspace", workspace.slug)
    assert "matched" in run("backtest", "--workspace", workspace.slug, "--rule", str(rule.pk))
    held = Message.objects.filter(connection=synced, review="pending").first()
    assert str(held.pk) in run("queue", "--workspace", workspace.slug)
    out = run(
        "decide",
        "--workspace",
        workspace.slug,
        "--action",
        "approve",
        "--as",
        owner.username,
        "--messages",
        str(held.pk),
    )
    assert f"{held.pk}: approve -> done" in out
    held.refresh_from_db()
    assert held.network_status == "published"


def test_clear_errors(workspace, owner):
    with pytest.raises(CommandError, match="No workspace"):
        run("rules", "--workspace", "nope")
    with pytest.raises(CommandError, match="--as"):
        run("decide", "--workspace", workspace.slug, "--action", "spam", "--messages", "1")
    with pytest.raises(CommandError, match="--rule"):
        run("backtest", "--workspace", workspace.slug, "--rule", "999")
