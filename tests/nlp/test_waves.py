from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.nlp import minhash, wave_index, waves
from federe.nlp.models import Wave
from federe.nlp.waves import RESCORE_STEP, wave_score
from tests.nlp.test_pipeline_and_ingest import item

PROMO = "Super article ! Pour gagner de l'argent facilement, allez voir mon profil {n}, ça marche vraiment"


def test_minhash_finds_near_duplicates_and_ignores_short_or_different_texts():
    a = minhash.signature(PROMO.format(n=1))
    b = minhash.signature(PROMO.format(n=22) + " !!")
    c = minhash.signature("Je ne suis pas d'accord avec la conclusion, les chiffres de 2024 disent autre chose.")
    assert a is not None and b is not None and c is not None
    assert minhash.similarity(a, b) > 0.6
    assert minhash.similarity(a, c) < 0.2
    assert set(minhash.bands(a)) & set(minhash.bands(b))
    assert minhash.signature("merci !") is None


def test_minhash_folds_like_every_other_matcher():
    # Was "cœur a łodz straße": ligatures, Ł and ß were left as they are, unlike listening and moderation.
    assert minhash.fold("Cœur à Łódź — Straße ’n°42") == "coeur a lodz strasse n 0"
    spam = "Ｇａｇｎｅｚ un iPhone gratuit ici, offre limitée à Łódź, réponse rapide"
    plain = "gagnez un iphone gratuit ici, offre limitee a lodz, reponse rapide"
    assert minhash.similarity(minhash.signature(spam), minhash.signature(plain)) == 1.0


def test_wave_score_adds_evidence_for_size_and_authors():
    alone, _ = wave_score([0.3], 1, 1)
    crowd, bonus = wave_score([0.3, 0.3, 0.3, 0.3, 0.3], 5, 5)
    assert alone == pytest.approx(0.3)
    assert bonus == pytest.approx(0.7 * math.log(5) * 2)
    assert crowd > 0.8


def test_near_duplicates_from_several_authors_form_one_wave_scored_together(connection):
    ingest_items(connection, [item(1, "Bonjour, quelqu'un sait quand sort la prochaine version ?", "regular")])
    ingest_items(connection, [item(n, PROMO.format(n=n), f"bot{n}") for n in range(2, 5)])
    wave = Wave.objects.get()
    members = Message.objects.filter(wave=wave)
    assert sorted(members.values_list("external_id", flat=True)) == ["m2", "m3", "m4"]
    assert (wave.size, wave.authors) == (3, 3)
    own = [m.nlp["own_spam_score"] for m in members]
    expected, _ = wave_score(own, 3, 3)
    assert all(m.spam_score == pytest.approx(expected) for m in members)
    assert all(m.spam_score > max(own) for m in members)
    assert Message.objects.get(external_id="m1").wave is None

    # A later copy joins the same wave; the score is recomputed from the members' own scores, not compounded.
    ingest_items(connection, [item(9, PROMO.format(n=9), "bot9", minutes=60)])
    wave.refresh_from_db()
    members = Message.objects.filter(wave=wave)
    assert wave.size == 4 and members.count() == 4 and Wave.objects.count() == 1
    expected, _ = wave_score([m.nlp["own_spam_score"] for m in members], 4, 4)
    assert all(m.spam_score == pytest.approx(expected) for m in members)


def test_two_similar_messages_are_not_yet_a_wave(connection):
    ingest_items(connection, [item(n, PROMO.format(n=n), f"bot{n}") for n in range(1, 3)])
    assert not Wave.objects.exists()
    assert not Message.objects.filter(wave__isnull=False).exists()


_A = "super article pour gagner de l argent facilement allez voir mon profil"
_B = "offre exclusive du jour avec un cadeau gratuit pour chaque visiteur rapide"
_C = "cliquez sur le lien en bio et recevez votre bon d achat sans attendre"
# Two templates too far apart to be one wave (similarity about 0.44), and a text near both (0.59 and 0.84):
# it merges their waves.
AB, BC, ABC = f"{_A} {_B} {{n}}", f"{_B} {_C} {{n}}", f"{_A} {_B} {_C} {{n}}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pages=st.lists(
        st.lists(st.tuples(st.sampled_from([AB, AB, BC, BC, ABC]), st.integers(0, 4), st.integers(0, 900)), max_size=6),
        min_size=1,
        max_size=5,
    )
)
def test_a_wave_s_size_authors_and_dates_are_those_of_its_members(connection, pages):
    """Pages of near-duplicates from a few authors (repeated ones too), late messages, and texts that may bridge two
    waves: after each page, each wave's counters equal a count over its members."""
    Message.objects.filter(workspace=connection.workspace).delete()
    Wave.objects.filter(workspace=connection.workspace).delete()
    n = 0
    for page in pages:
        items = []
        for text, author, minutes in page:
            n += 1
            items.append(item(n, text.format(n=n), f"bot{author}", minutes=minutes + 1))
        ingest_items(connection, items)
        for wave in Wave.objects.filter(workspace=connection.workspace):
            members = Message.objects.filter(wave=wave)
            assert (wave.size, wave.authors) == (members.count(), members.values("author").distinct().count())
            assert wave.first_seen_at == min(m.posted_at for m in members)
            assert wave.last_seen_at == max(m.posted_at for m in members)
            assert all(abs(m.spam_score - wave.score) < RESCORE_STEP for m in members)


def test_pruning_deletes_only_band_rows_older_than_the_window_and_detection_is_unchanged(connection):
    from datetime import timedelta

    from django.utils import timezone

    from federe.nlp.models import WaveSignature

    ingest_items(connection, [item(n, PROMO.format(n=n), f"bot{n}") for n in range(1, 3)])
    old = set(WaveSignature.objects.values_list("pk", flat=True))
    WaveSignature.objects.update(created_at=timezone.now() - wave_index.WINDOW - timedelta(minutes=1))
    ingest_items(connection, [item(3, PROMO.format(n=3), "bot3")])  # the two are out of the window: no wave yet
    assert not Wave.objects.exists()
    kept = set(WaveSignature.objects.values_list("pk", flat=True)) - old

    assert wave_index.prune() == len(old) and wave_index.prune() == 0
    assert set(WaveSignature.objects.values_list("pk", flat=True)) == kept
    ingest_items(connection, [item(n, PROMO.format(n=n), f"bot{n}") for n in range(4, 6)])  # with 3: a wave
    assert sorted(Message.objects.filter(wave__isnull=False).values_list("external_id", flat=True)) == [
        "m3",
        "m4",
        "m5",
    ]


def test_pruning_reads_a_batch_at_a_time_oldest_first(connection, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from federe.nlp import wave_index
    from federe.nlp.models import WaveSignature

    monkeypatch.setattr(wave_index, "PRUNE_BATCH", 3)
    ingest_items(connection, [item(n, PROMO.format(n=n), f"bot{n}") for n in range(1, 3)])  # 8 bands each
    ids = sorted(WaveSignature.objects.values_list("pk", flat=True))
    stale = ids[:11]
    WaveSignature.objects.filter(pk__in=stale).update(
        created_at=timezone.now() - wave_index.WINDOW - timedelta(hours=1)
    )
    assert wave_index.prune() == 11
    assert sorted(WaveSignature.objects.values_list("pk", flat=True)) == ids[11:]


def test_a_band_s_candidates_are_its_newest_rows_in_the_window(connection):
    from datetime import timedelta

    from django.utils import timezone

    from federe.nlp import wave_index
    from federe.nlp.models import WaveSignature

    ingest_items(
        connection, [item(n, f"texte numéro {n} assez long pour être signé, vraiment", f"a{n}") for n in range(6)]
    )
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    WaveSignature.objects.all().delete()
    now = timezone.now()
    rows = [(7, pk) for pk in ids[:5]] + [(9, ids[5])]
    wave_index.insert(connection.workspace_id, rows)
    WaveSignature.objects.filter(message_id=ids[4]).update(created_at=now - wave_index.WINDOW - timedelta(minutes=1))
    found = wave_index.latest(connection.workspace_id, [7, 9, 11])
    assert found == {7: [ids[3], ids[2]], 9: [ids[5]]}  # ids[4] is newest but out of the window


def _template(k: int) -> str:
    """A spam text of its own for each k, far from the others (random letters, seeded; digits would be folded)."""
    import random

    draw = random.Random(k)
    return " ".join("".join(draw.choices("abcdefghijklmnopqrstuvwxyz", k=6)) for _ in range(12)) + " {n}"


@pytest.mark.parametrize("count", [1, 5])
def test_a_page_joining_many_waves_costs_the_statements_of_one(connection, monkeypatch, count):
    """Was one wave at a time: eight statements or so per wave a page touched (a page of a spam campaign touching
    forty waves cost 10 s of a 27 s run on PostgreSQL); then the page's new members were updated after their
    insert. Now they are stored with their wave, and the waves are written together."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    first = [
        item(k * 3 + c + 1, _template(k).format(n=k * 3 + c), f"bot{k}-{c}") for k in range(count) for c in range(3)
    ]
    ingest_items(connection, first)
    statements: list[int] = []
    store = waves._store

    def counted(*args, **kwargs):
        with CaptureQueriesContext(db) as queries:
            store(*args, **kwargs)
        statements.append(len(queries))

    monkeypatch.setattr(waves, "_store", counted)
    later = [item(100 + k, _template(k).format(n=100 + k), f"late{k}", minutes=2) for k in range(count)]
    ingest_items(connection, later)
    found = Wave.objects.filter(workspace=connection.workspace)
    assert found.count() == count and all(w.size == 4 for w in found)
    assert all(Message.objects.get(external_id=f"m{100 + k}").wave_id for k in range(count))
    # waves read, authors already present, members of waves whose score moved rescored, waves saved
    assert statements == [4]
