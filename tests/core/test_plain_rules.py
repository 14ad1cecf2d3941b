"""Rules are shown in words: the rules list's "Then" column, the versions of a rule and who decided, in the
reader's language, without the stored codes (hold, min_links, "v3", "any")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from federe.moderation import services

pytestmark = pytest.mark.django_db

CODES = re.compile(r"\b(hold|label|notify|emoji_only|new_author|contact|any|all|length|links)\b|\bv\d+\b")


def _visible_cells(html: str, css: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", " ", cell)
        for _tag, cell in re.findall(rf'<([a-z]+) class="[^"]*\b{css}\b[^"]*"[^>]*>(.*?)</\1>', html, re.S)
    ]


def test_the_rules_list_and_versions_speak_french(client, workspace, owner, synced):
    owner.language = "fr"
    owner.save()
    rule = services.save_rule(
        workspace=workspace,
        name="Liens",
        match="any",
        conditions=[{"type": "links", "min": 2}, {"type": "emoji_only"}, {"type": "channel", "in": [synced.pk]}],
        actions=[{"type": "hold"}],
        by=owner,
    )
    services.save_rule(
        workspace=workspace,
        rule=rule,
        name="Liens",
        match="all",
        conditions=[{"type": "length", "max": 5}, {"type": "score", "task": "spam", "min": 0.8}],
        actions=[{"type": "label", "label": "à revoir"}],
        by=owner,
    )
    client.force_login(owner)

    listing = client.get(reverse("moderation:rules", args=[workspace.slug])).content.decode()
    form = client.get(reverse("moderation:rule-edit", args=[workspace.slug, rule.pk])).content.decode()

    then = _visible_cells(listing, "then")
    assert then == ["Ajouter l’étiquette « à revoir »"]
    assert "version 2" in listing
    versions = " ".join(_visible_cells(form, "version-text"))
    assert "Mettre en attente" in versions or "mettre en attente" in versions, versions
    assert synced.name in versions
    assert "80" in versions
    assert CODES.findall(" ".join(then) + " " + versions) == []
