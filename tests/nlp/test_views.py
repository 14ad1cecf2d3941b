from __future__ import annotations

from django.urls import reverse

from federe.accounts.models import Role
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.nlp.models import Label, WorkspaceModel
from tests.nlp.test_learning import _community, _decide_all
from tests.nlp.test_pipeline_and_ingest import item


def test_models_page_learn_now_and_rollback(client, connection, owner, settings):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    _decide_all(_community(connection), owner)
    client.force_login(owner)
    page = client.get(reverse("nlp:models", args=["acme"]))
    assert page.status_code == 200 and b"Learn now" in page.content and b"40 labels" in page.content
    response = client.post(reverse("nlp:train", args=["acme"]), {"task": "spam"}, follow=True)
    said = "Version 1 is learned. Checked on your 40 moderation decisions in 5 rounds, each on a part it had not seen"
    assert said.encode() in response.content and b"so it is switched on." in response.content
    row = WorkspaceModel.objects.get(task="spam", version=1)
    page = client.get(reverse("nlp:models", args=["acme"]), HTTP_ACCEPT_LANGUAGE="fr")
    check = row.metrics["check"]
    new, old = (f"{check[k]:.2f}".replace(".", ",") for k in ("candidate", "current"))  # French decimals
    french = (
        "Vérifié sur vos 40 décisions de modération en 5 tours, chacun sur une partie qu’il n’avait pas vue : "
        "le nouveau "
        f"modèle obtient {new}, l’actuel {old}, il est donc activé."
    )
    assert french in page.content.decode()
    client.post(reverse("nlp:activate", args=["acme"]), {"task": "spam", "version": "shipped"})
    assert not WorkspaceModel.objects.filter(active=True).exists()
    response = client.post(reverse("nlp:activate", args=["acme"]), {"task": "spam", "version": "abc"}, follow=True)
    assert b"This version does not exist." in response.content
    response = client.post(reverse("nlp:train", args=["acme"]), {"task": "sentiment"}, follow=True)
    assert b"Not enough labels to learn yet" in response.content


def test_the_queue_explains_scores(client, connection, owner):
    ingest_items(connection, [item(1, "WIN a FREE iPhone!!! http://win.example")])
    Message.objects.update(review="pending")
    client.force_login(owner)
    page = client.get(reverse("moderation:queue", args=["acme"]))
    assert b"Why these scores?" in page.content and b"contains a link" in page.content


def test_a_tone_correction_from_the_thread_is_a_label(client, connection, owner, member_factory):
    ingest_items(connection, [item(1, "Bon, on verra bien ce que ça donne")])
    message = Message.objects.get()
    client.force_login(owner)
    thread = client.get(reverse("inbox:thread", args=["acme", message.conversation_id]))
    assert b'name="sentiment" value="negative"' in thread.content
    client.post(reverse("nlp:sentiment", args=["acme", message.pk]), {"sentiment": "negative"})
    assert Label.objects.get(message=message).value == "negative"
    client.force_login(member_factory(Role.CLIENT))
    response = client.post(reverse("nlp:sentiment", args=["acme", message.pk]), {"sentiment": "positive"}, follow=True)
    assert Label.objects.get(message=message).value == "negative"
    assert response.status_code == 200
