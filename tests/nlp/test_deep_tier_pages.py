"""The deep tier on the pages: "refined" scores and their words in the review queue, on demand; the models page's
progress; another workspace sees none of it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from federe.accounts.models import Role
from federe.inbox.ingest import ingest_page
from federe.inbox.models import Message
from federe.nlp.models import DeepPending
from federe.nlp.refine import backfill, queue, scoring, why
from tests.factories import MembershipFactory
from tests.nlp.test_deep_tier import Scorer, item


@pytest.fixture
def refined(connection, monkeypatch):
    monkeypatch.setattr(queue, "_installed", lambda: True)
    with transaction.atomic():
        ingest_page(connection, [item(1, "Vous êtes des zorglub, vraiment")])
    scoring.run_batch(Scorer())
    Message.objects.update(review="pending")
    return Message.objects.get()


def test_leave_one_word_out_finds_the_word_that_moved_the_score():
    pushes = why.word_pushes(Scorer(), "Vous êtes des zorglub", "fr", {})
    assert pushes["toxicity"][0] == ["zorglub", pytest.approx(0.89)]  # 0.93 with it, 0.04 without
    assert [word for word, _ in pushes["toxicity"]] == ["zorglub"]  # no other word moves it


def test_the_queue_says_refined_and_explains_on_demand(client, owner, refined, django_capture_on_commit_callbacks):
    client.force_login(owner)
    page = client.get(reverse("moderation:queue", args=["acme"]))
    assert b"refined" in page.content and b"Toxicity 93" in page.content
    assert b"Show which words moved them" in page.content
    url = reverse("nlp:why", args=["acme", refined.pk])
    with django_capture_on_commit_callbacks(execute=False) as asked:
        answer = client.post(url)
    assert answer.status_code == 200 and b"Working out which words" in answer.content and len(asked) == 1
    assert why.explain(Scorer(), refined.pk)  # what the worker's task does
    answer = client.get(url)
    assert b"zorglub" in answer.content and b"Working out" not in answer.content


def test_why_is_for_refined_messages_of_ones_own_workspace(client, owner, refined, other_workspace):
    _, rival_owner, _ = other_workspace
    client.force_login(rival_owner)
    assert client.post(reverse("nlp:why", args=["acme", refined.pk])).status_code == 404
    assert client.post(reverse("nlp:why", args=["rival", refined.pk])).status_code == 404
    rival_message = Message.objects.filter(workspace__slug="rival").first()
    answer = client.post(reverse("nlp:why", args=["rival", rival_message.pk]))
    assert answer.status_code == 200 and b"not refined yet" in answer.content
    client.force_login(owner)
    assert client.get(reverse("nlp:why", args=["acme", 10**12])).status_code == 404


def test_the_models_page_shows_the_backfill_progress_of_its_workspace_only(
    client, owner, connection, refined, other_workspace, member_factory
):
    backfill.start("test-2", connection.workspace)
    rival, rival_owner, _ = other_workspace
    DeepPending.objects.filter(workspace_id=rival.pk).delete()  # its sync queued them: as if stored before the tier
    rival_total = backfill.start("test-2", rival).total
    assert rival_total > 1
    viewer = member_factory(Role.ANALYST)
    client.force_login(viewer)
    page = client.get(reverse("nlp:models", args=["acme"]))
    assert page.status_code == 200
    assert b"Refining stored messages:" in page.content and b"0 of 1 message" in page.content
    part = client.get(reverse("nlp:deep", args=["acme"]))
    assert b'hx-trigger="every 5s"' in part.content and b"0 of 1 message" in part.content
    client.force_login(rival_owner)
    assert client.get(reverse("nlp:deep", args=["acme"])).status_code == 404
    assert f"0 of {rival_total} messages".encode() in client.get(reverse("nlp:deep", args=["rival"])).content


def test_the_models_page_says_when_the_encoder_is_missing(client, owner, settings):
    settings.FEDERE_NLP_DEEP = False
    client.force_login(owner)
    page = client.get(reverse("nlp:models", args=["acme"]))
    assert b"The multilingual encoder is not installed on this server" in page.content


def test_french_readers_read_the_refined_words_in_french(client, refined):
    user = MembershipFactory(workspace=refined.workspace, role=Role.OWNER, user__language="fr").user
    client.force_login(user)
    page = client.get(reverse("moderation:queue", args=["acme"]))
    assert "affiné".encode() in page.content and b"Montrer les mots" in page.content
