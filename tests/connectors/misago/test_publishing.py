"""Publishing on the recorded forum (fake.py): a post is a new thread, started once whatever the retries."""

from __future__ import annotations

import pytest

from federe.connectors.errors import Permanent
from federe.connectors.misago.replies import marker
from federe.connectors.types import OutgoingPost
from federe.publishing.checks import VariantInput, variant_problems
from tests.connectors.misago.fake import FakeMisago, serving
from tests.connectors.misago.kit import KIT


def post(key: str = "delivery-7", title: str = "Horaires d'été", **options: str) -> OutgoingPost:
    return OutgoingPost(
        "<p>Ouvert</p>", idempotency_key=key, title=title, body_text="Ouvert **lundi**", options=options
    )


def started(forum: FakeMisago) -> list[tuple[str, str]]:
    return [(method, path) for method, path in forum.calls if method == "POST" and path == "/api/threads/"]


def test_a_post_starts_one_thread_with_the_title_the_text_and_the_marker():
    with serving() as forum:
        result = KIT.build().publish(post())
    assert len(forum.started) == 1
    thread = forum.threads[int(result.external_id)]
    assert thread["title"] == "Horaires d'été" and thread["category"] == 3  # the first category it may post in
    first = thread["post_set"]["results"][0]["content"]
    assert first.startswith("<p>Ouvert **lundi**") and marker("delivery-7") in first
    assert result.url == f"https://forum.example.org/t/thread/{result.external_id}/"


def test_a_retry_with_the_same_key_finds_the_thread_instead_of_starting_another():
    with serving() as forum:
        first = KIT.build().publish(post())
        found = KIT.build().find_published(post())  # the worker died before recording the answer
        again = KIT.build().publish(post())  # or the answer was lost: the same delivery once more
        other = KIT.build().publish(post(key="delivery-8"))  # another delivery, same title: its own thread
    assert found is not None and found.external_id == first.external_id == again.external_id
    assert other.external_id != first.external_id
    assert len(started(forum)) == 2


def test_nothing_found_before_the_first_attempt():
    with serving() as forum:
        assert KIT.build().find_published(post()) is None
    assert started(forum) == []


def test_the_thread_goes_to_the_chosen_category_when_the_channel_follows_it():
    with serving() as forum:
        connector = KIT.build()
        connector.config["targets"] = ["4", "3"]
        first = connector.publish(post())
        second = connector.publish(post(key="other", category="3"))
        third = connector.publish(post(key="third", category="99"))  # not followed: the channel's first
    assert [forum.threads[int(r.external_id)]["category"] for r in (first, second, third)] == [4, 3, 4]


def test_misagos_refusal_is_passed_on_in_its_words_and_nothing_is_sent_without_a_title():
    with serving() as forum:
        with pytest.raises(Permanent) as refused:
            KIT.build().publish(post(title="x" * 120))
        with pytest.raises(Permanent):
            KIT.build().publish(post(title="  "))
    assert "90 characters" in refused.value.message
    assert len(started(forum)) == 1


def test_the_composer_knows_misagos_title_rules():
    rules = KIT.build().post_rules
    assert variant_problems(VariantInput(connection_id=1, body_text="Ouvert lundi", title=""), rules) == [
        "this network needs a title."
    ]
    assert "at least 5" in variant_problems(VariantInput(connection_id=1, body_text="Ouvert", title="Abc"), rules)[0]
    assert "at most 90" in variant_problems(VariantInput(connection_id=1, body_text="Ouvert", title="T" * 91), rules)[0]
    assert variant_problems(VariantInput(connection_id=1, body_text="Ouvert", title="Horaires"), rules) == []
