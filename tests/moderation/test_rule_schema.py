"""Rule definitions go through one typed schema (form and API): a malformed rule never reaches ingest."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from federe.connections.services import sync_connection
from federe.core.models import AuditEvent
from federe.inbox.models import Message
from federe.moderation import services
from federe.moderation.models import Rule, RuleVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Requests made in French leave French active in this thread: the next tests read English."""
    yield
    from django.utils import translation

    translation.activate("en")


def save(workspace, owner, conditions, actions=({"type": "hold"},), match="any"):
    return services.save_rule(
        workspace=workspace, by=owner, name="r", match=match, conditions=list(conditions), actions=list(actions)
    )


@pytest.mark.parametrize(
    "condition",
    [
        {"type": "words", "words": [["x"]]},
        {"type": "words", "words": "gagnez"},
        {"type": "words", "words": [12]},
        {"type": "words", "words": ["ok"], "not": "yes"},
        {"type": "links", "min": "two"},
        {"type": "links", "min": [1]},
        {"type": "length", "min": {"a": 1}},
        {"type": "length"},
        {"type": "language", "in": "fr"},
        {"type": "language", "in": ["klingon"]},
        {"type": "channel", "in": [["1"]]},
        {"type": "score", "task": "spam", "min": [0.5]},
        {"type": "contact", "surprise": 1},
        "words",
        ["words"],
        {"type": ["words"]},
    ],
)
def test_malformed_conditions_are_refused(workspace, owner, condition):
    with pytest.raises(ValidationError) as caught:
        save(workspace, owner, [condition])
    assert "conditions" in caught.value.message_dict
    assert not Rule.objects.exists()


@pytest.mark.parametrize(
    "actions",
    [
        [{"type": "label", "label": ["x"]}],
        [{"type": "assign", "username": 5}],
        ["hold"],
        [{"type": "hold", "extra": True}],
    ],
)
def test_malformed_actions_are_refused(workspace, owner, actions):
    with pytest.raises(ValidationError) as caught:
        save(workspace, owner, [{"type": "emoji_only"}], actions)
    assert "actions" in caught.value.message_dict


@pytest.mark.parametrize("word", ["*", "a*", "**", " . ", "é", "x" * 201])
def test_a_watched_word_needs_two_letters_or_digits_and_at_most_200_characters(workspace, owner, word):
    with pytest.raises(ValidationError) as caught:
        save(workspace, owner, [{"type": "words", "words": ["gagnez", word]}])
    text = " ".join(caught.value.message_dict["conditions"])
    assert "two letters or digits" in text or "200 characters" in text


@pytest.mark.parametrize("word", ["ok", "gagn*", "$5000", "free followers", "x" * 200, "é1"])
def test_reasonable_watched_words_are_accepted(workspace, owner, word):
    rule = save(workspace, owner, [{"type": "words", "words": [word]}])
    assert rule.current.conditions == [{"type": "words", "words": [word]}]


def test_the_form_shows_the_watched_word_error(client, owner, workspace):
    client.force_login(owner)
    response = client.post(
        f"/w/{workspace.slug}/moderation/rules/new/",
        {"name": "All", "match": "any", "words": "*", "action": "hold"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200 and not Rule.objects.exists()
    with translation.override("fr"):
        from django.utils.translation import gettext

        expected = gettext("A watched word or phrase needs at least two letters or digits: “%(word)s” is too broad.")
    assert expected != "A watched word or phrase needs at least two letters or digits: “%(word)s” is too broad."
    assert expected % {"word": "*"} in response.content.decode()


def test_a_rule_broken_in_the_database_is_switched_off_and_ingest_goes_on(connection, owner, workspace, client):
    good = save(workspace, owner, [{"type": "words", "words": ["gagn*", "crypto*"]}], [{"type": "spam"}])
    broken = save(workspace, owner, [{"type": "emoji_only"}])
    # A definition stored before validation existed, or written around it.
    RuleVersion.objects.filter(rule=broken).update(conditions=[{"type": "length", "min": "many"}])
    services.move_rule(rule=broken, step=-1, by=owner)  # it runs first

    outcome = sync_connection(connection.pk)

    assert outcome is not None and outcome.run.error == ""
    assert Message.objects.filter(connection=connection).count() == 50
    assert Message.objects.filter(connection=connection, decisions__rule_version__rule=good).exists()
    broken.refresh_from_db()
    assert broken.enabled is False and broken.broken_at is not None
    assert AuditEvent.objects.filter(verb="rule.switched_off_broken", object_id=str(broken.pk)).count() == 1
    client.force_login(owner)
    rules_page = client.get(f"/w/{workspace.slug}/moderation/rules/").content.decode()
    assert "could not be evaluated" in rules_page
    activity = client.get(f"/w/{workspace.slug}/activity/").content.decode()
    assert "rule.switched_off_broken" in activity or "could not be evaluated" in activity
