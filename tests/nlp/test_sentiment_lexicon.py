from __future__ import annotations

import unicodedata

import pytest

from federe.nlp.base import Doc, DocBatch, NotScored, Score
from federe.nlp.sentiment.lexicon import read_lexicon, read_rules, read_words
from federe.nlp.sentiment.params import Params
from federe.nlp.sentiment.scorer import MODEL_ID, LexiconSentiment, lexicon_features, probabilities
from federe.nlp.text import prepare

BACKEND = LexiconSentiment()


def score(text: str, language: str = "fr", *, explain: bool = True) -> Score:
    (result,) = BACKEND.score(DocBatch([Doc(text, language)]), explain=explain)
    assert isinstance(result, Score), result
    return result


def total(text: str, language: str = "fr") -> float:
    return lexicon_features(text, language)["total"]


def features(result: Score) -> list[str]:
    return [c.feature for c in result.explanation]


# --- the lexicon files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sentiment_fr.tsv", "sentiment_en.tsv", "sentiment_emoji.tsv"])
def test_lexicon_files_parse_carry_the_licence_line_and_stay_in_range(name):
    from importlib import resources

    raw = resources.files("federe.nlp").joinpath("data", name).read_text(encoding="utf-8")
    assert raw.splitlines()[0] == "# Written for Fédère; licence: same as the project (AGPL-3.0-or-later)"
    entries = read_lexicon(name)
    body = [line for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    assert len(entries) == len(body), "every entry line is term<TAB>valence, with no duplicate term"
    assert all(line.count("\t") == 1 for line in body)
    assert all(-4 <= v <= 4 for v in entries.values())
    assert all(term == term.strip() and term for term in entries)
    minimum = 200 if name == "sentiment_emoji.tsv" else 700
    assert len(entries) >= minimum
    # Both polarities are there in strength, not a list of positive words with a few negatives.
    assert sum(v > 0 for v in entries.values()) > len(entries) / 4
    assert sum(v < 0 for v in entries.values()) > len(entries) / 4


@pytest.mark.parametrize("name", ["sentiment_rules_fr.tsv", "sentiment_rules_en.tsv", "sentiment_negators.txt"])
def test_function_word_files_carry_the_licence_line_and_parse(name):
    from importlib import resources

    raw = resources.files("federe.nlp").joinpath("data", name).read_text(encoding="utf-8")
    assert raw.splitlines()[0] == "# Written for Fédère; licence: same as the project (AGPL-3.0-or-later)"
    body = [line for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    if name.endswith(".txt"):
        assert read_words(name) >= {"pas", "jamais", "not", "never"}
        return
    rules = read_rules(name)
    assert len(rules) == len(body) >= 60, "every line is term<TAB>role<TAB>factor, with no duplicate term"
    assert all(0 <= abs(factor) <= 3 for _, factor in rules.values())


def test_lexicons_store_accented_french_and_social_vocabulary():
    fr = read_lexicon("sentiment_fr.tsv")
    en = read_lexicon("sentiment_en.tsv")
    emoji = read_lexicon("sentiment_emoji.tsv")
    assert fr["génial"] > 2 and fr["déçu"] < -1 and fr["nul"] < -1 and fr["trop bien"] > 2
    assert "genial" not in fr, "accents are stored; the accent-free lookup is the code's job"
    assert en["wtf"] < 0 and en["meh"] < 0 and en["lol"] > 0 and en["refund"] < 0
    assert emoji[":)"] > 0 and emoji[":("] < 0 and emoji["<3"] > 0 and emoji[":-/"] < 0
    assert emoji["😍"] > 0 and emoji["😡"] < 0


# --- polarity on hand-written sentences --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("C'est génial, merci pour la livraison rapide !", "fr", "positive"),
        ("Service client au top, je recommande", "fr", "positive"),
        ("Trop bien ce nouveau menu", "fr", "positive"),
        ("Toujours pas reçu ma commande, c'est une honte", "fr", "negative"),
        ("L'appli plante à chaque mise à jour, c'est nul", "fr", "negative"),
        ("Remboursez-moi, c'est une arnaque", "fr", "negative"),
        ("La réunion est prévue jeudi à 14h.", "fr", "neutral"),
        ("Vous ouvrez à quelle heure demain ?", "fr", "neutral"),
        ("Thanks for the quick reply, problem solved", "en", "positive"),
        ("Absolutely love the new update", "en", "positive"),
        ("Still waiting for my refund, worst customer service ever", "en", "negative"),
        ("The app keeps crashing, totally useless", "en", "negative"),
        ("The store opens at 9 on Mondays.", "en", "neutral"),
        ("Which plan includes the API?", "en", "neutral"),
    ],
)
def test_everyday_messages(text, language, label):
    result = score(text, language)
    assert result.label == label, (text, result.probs, result.explanation)
    assert result.score == max(result.probs.values())
    assert result.model == MODEL_ID


@pytest.mark.parametrize(
    ("plain", "negated", "language"),
    [
        ("C'est génial", "C'est pas génial", "fr"),
        ("Ce produit est bon", "Ce produit n'est pas bon", "fr"),
        ("J'aime ce produit", "Je n'aime pas ce produit", "fr"),
        ("j'aime", "j'aime pas", "fr"),
        ("Il est content", "Il n'est jamais content", "fr"),
        ("Je suis satisfait", "Je ne suis plus satisfait", "fr"),
        ("This is good", "This is not good", "en"),
        ("I love it", "I don't love it", "en"),
        ("Je recommande", "Je ne recommande pas", "fr"),
        ("J'adore, au top", "J'adore pas, pas au top", "fr"),
        ("Great support", "Never great support", "en"),
        ("I am happy with it", "I am not happy with it", "en"),
        ("I'm happy", "I'm not really happy", "en"),
    ],
)
def test_negation_flips_positive_words(plain, negated, language):
    assert total(plain, language) > 0
    assert total(negated, language) < 0
    assert abs(total(negated, language)) < abs(total(plain, language)), "negation dampens as it flips"


@pytest.mark.parametrize(
    ("plain", "negated", "language"),
    [
        ("C'est mauvais", "C'est pas mauvais", "fr"),
        ("Le service était horrible", "Le service n'était pas horrible", "fr"),
        ("It was bad", "It wasn't bad", "en"),
        ("This is terrible", "This is not terrible", "en"),
    ],
)
def test_negated_negative_words_become_mildly_positive(plain, negated, language):
    assert total(plain, language) < 0
    assert 0 < total(negated, language) < abs(total(plain, language))


def test_negation_has_a_scope_and_stops_at_punctuation():
    near = total("pas vraiment génial", "fr")
    far = total("pas de réponse depuis lundi mais ce produit est génial", "fr")
    assert near < 0
    assert far > 0
    assert total("Not my style. Great service though", "en") > 0


def test_ne_que_restricts_without_negating():
    assert total("Je n'aime que ce café", "fr") > 0
    assert total("Je n'aime pas ce café", "fr") < 0


@pytest.mark.parametrize(
    ("plain", "stronger", "weaker", "language"),
    [
        ("content", "très content", "un peu content", "fr"),
        ("déçu", "vraiment déçu", "un peu déçu", "fr"),
        ("cher", "trop cher", "légèrement cher", "fr"),
        ("good", "really good", "a bit good", "en"),
        ("disappointing", "extremely disappointing", "slightly disappointing", "en"),
    ],
)
def test_intensifiers_and_diminishers(plain, stronger, weaker, language):
    base = total(plain, language)
    assert abs(total(stronger, language)) > abs(base) > abs(total(weaker, language)) > 0
    assert total(stronger, language) * base > 0 and total(weaker, language) * base > 0


def test_intensifier_that_is_also_a_word_stands_alone():
    assert total("super", "fr") > 0
    assert total("super cher", "fr") < total("cher", "fr") < 0


def test_moins_and_less_flip_softly():
    assert total("moins cher qu'ailleurs", "fr") > 0
    assert total("moins bien qu'avant", "fr") < 0
    assert total("less expensive than the others", "en") > 0


@pytest.mark.parametrize(
    ("good_then_bad", "bad_then_good", "language"),
    [
        ("Le produit est bien mais la livraison est nulle", "La livraison est nulle mais le produit est bien", "fr"),
        ("The food was great but the service was awful", "The service was awful but the food was great", "en"),
    ],
)
def test_contrast_what_follows_but_weighs_more(good_then_bad, bad_then_good, language):
    assert score(good_then_bad, language).label == "negative"
    assert score(bad_then_good, language).label == "positive"
    weights = {c.feature: c.weight for c in score(good_then_bad, language).explanation}
    good, bad = ("bien", "nulle") if language == "fr" else ("great", "awful")
    assert abs(weights[bad]) > abs(weights[good])


def test_exclamation_marks_and_capitals_add_emphasis():
    assert total("c'est nul !!!", "fr") < total("c'est nul", "fr") < 0
    assert total("great!!", "en") > total("great", "en") > 0
    assert total("c'est NUL franchement", "fr") < total("c'est nul franchement", "fr") < 0
    # A message all in capitals has no emphasis to read: no word stands out.
    assert total("C'EST NUL", "fr") == pytest.approx(total("c'est nul", "fr"))
    assert "!!" in features(score("super produit !!", "fr"))


@pytest.mark.parametrize(
    ("text", "language", "sign"),
    [
        ("😍", "fr", 1),
        ("😡😡", "en", -1),
        ("merci :)", "fr", 1),
        ("still broken :(", "en", -1),
        ("I love it <3", "en", 1),
        ("hmm :-/", "en", -1),
        (":DDD", "en", 1),
        ("bof :(((", "fr", -1),
        ("xD", "fr", 1),
    ],
)
def test_emoji_and_emoticons(text, language, sign):
    assert total(text, language) * sign > 0


def test_emoji_are_not_negated_and_urls_are_not_emoticons():
    assert lexicon_features("pas 😍", "fr")["emoji_sum"] > 0
    assert lexicon_features("see https://example.com/page", "en")["n_emoji"] == 0


def test_accents_are_optional():
    for accented, plain in [("génial", "genial"), ("déçu", "decu"), ("très déçue", "tres decue")]:
        assert total(accented, "fr") == pytest.approx(total(plain, "fr"))
        assert total(accented, "fr") != 0
    assert total("c'est GÉNIAL", "fr") == pytest.approx(total("c'est GENIAL", "fr"))
    # "sur" (on) is not "sûr" (sure): an accent-free spelling that is another word is not folded.
    assert lexicon_features("posé sur la table", "fr")["n_hits"] == 0


def test_words_fold_like_every_other_matcher():
    # Full-width letters, and œ/æ written apart, are read as the lexicon's words (they used to be unknown).
    assert total("c'est ｇｅｎｉａｌ", "fr") == pytest.approx(total("c'est genial", "fr"))
    assert total("ＴＥＲＲＩＢＬＥ", "en") == pytest.approx(total("TERRIBLE", "en"))
    assert total("ｇｅｎｉａｌ", "fr") > 0


def test_decomposed_accents_match_too():
    decomposed = unicodedata.normalize("NFD", "c'est génial")
    assert total(decomposed, "fr") == pytest.approx(total("c'est génial", "fr"))
    assert total(decomposed, "fr") > 0


@pytest.mark.parametrize(
    ("elongated", "plain", "language"),
    [("trooop bien", "trop bien", "fr"), ("sooo good", "so good", "en"), ("nuuuul", "nul", "fr")],
)
def test_elongated_words_are_read_and_count_as_emphasis(elongated, plain, language):
    assert abs(total(elongated, language)) >= abs(total(plain, language)) > 0
    assert total(elongated, language) * total(plain, language) > 0


@pytest.mark.parametrize(
    ("text", "language", "term", "sign"),
    [
        ("pas terrible ce resto", "fr", "pas terrible", -1),
        ("pas mal du tout", "fr", "pas mal", 1),
        ("c'est à chier", "fr", "à chier", -1),
        ("This is not bad at all", "en", "not bad", 1),
        ("no way", "en", "no way", -1),
        ("Ça marche pas depuis hier", "fr", "ça marche pas", -1),
        ("no problem, happy to help", "en", "no problem", 1),
    ],
)
def test_multiword_expressions_win_over_their_words(text, language, term, sign):
    result = score(text, language)
    weights = {c.feature: c.weight for c in result.explanation}
    assert term in weights, result.explanation
    assert weights[term] * sign > 0


def test_pas_mal_de_means_a_lot_of():
    assert lexicon_features("il y a pas mal de monde", "fr")["n_hits"] == 0


def test_french_slang_and_english_social_words():
    assert total("c'est nul", "fr") < 0
    assert total("grave stylé", "fr") > total("stylé", "fr") > 0
    assert total("wtf", "en") < 0 and total("meh", "en") < 0 and total("lol", "en") > 0
    assert total("mdrrr", "fr") > 0 and total("hahaha", "en") > 0


# --- explanations -------------------------------------------------------------------------------------------


def test_explanations_name_the_terms_that_pushed_the_score():
    result = score("Livraison rapide mais le colis était abîmé, très déçu", "fr")
    names = features(result)
    assert "abîmé" in names and "déçu" in names and "livraison rapide" in names
    weights = [abs(c.weight) for c in result.explanation]
    assert weights == sorted(weights, reverse=True)
    by_name = {c.feature: c.weight for c in result.explanation}
    assert by_name["déçu"] < 0 < by_name["livraison rapide"]
    negated = score("Je n'aime pas ce produit", "fr")
    assert any("aime" in f and f.startswith("¬") for f in features(negated))


def test_explanations_keep_the_top_eight():
    text = " ".join(["génial", "nul", "super", "horrible", "merci", "honte", "bravo", "pourri", "parfait", "arnaque"])
    result = score(text, "fr")
    assert len(result.explanation) == 8
    assert not score("C'est génial", "fr", explain=False).explanation


# --- probabilities ------------------------------------------------------------------------------------------


def test_probabilities_form_a_calibrated_three_way_softmax():
    for c in (-1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0):
        neg, neu, pos = probabilities(c)
        assert neg + neu + pos == pytest.approx(1.0)
        assert min(neg, neu, pos) > 0
    assert probabilities(0.0)[1] == max(probabilities(0.0))
    assert probabilities(0.9)[2] > probabilities(0.5)[2] > probabilities(0.0)[2]
    assert probabilities(-0.9)[0] > probabilities(-0.5)[0] > probabilities(0.0)[0]
    sharp = Params(temperature=0.1)
    assert probabilities(0.9, sharp)[2] > probabilities(0.9)[2]


def test_other_language_uses_the_lexicon_with_more_hits():
    assert score("trop bien, j'adore", "other").label == "positive"
    assert score("worst purchase ever, broken", "other").label == "negative"


# --- bad input ------------------------------------------------------------------------------------------------


def test_empty_and_wordless_documents_are_not_scored():
    docs = [Doc(""), Doc("   "), Doc("123 456 !!!"), Doc("...", "en"), Doc("bonjour", skip="too_long")]
    results = BACKEND.score(DocBatch(docs))
    assert [r.reason if isinstance(r, NotScored) else r for r in results] == [
        "empty",
        "empty",
        "empty",
        "empty",
        "too_long",
    ]


def test_bad_input_never_stops_the_batch():
    zalgo = "g̷̢̛o̵̡͝o̶̧͠d̸̨̛ p̷r̶o̸d̵u̴c̷t̶"
    html = prepare("<p>Service <b>excellent</b>, merci&nbsp;!</p>", language="fr")
    long_text = "Le produit est arrivé cassé. " * 400  # about 11,600 characters
    docs = [Doc("🙂", "fr"), Doc("🏠", "en"), Doc(zalgo, "en"), html, Doc(long_text, "fr"), Doc("\x00\ud800", "fr")]
    results = BACKEND.score(DocBatch(docs), explain=True)
    assert len(results) == len(docs)
    emoji_only, unknown_emoji, zalgo_result, html_result, long_result, garbage = results
    assert isinstance(emoji_only, Score) and emoji_only.label == "positive"
    assert isinstance(unknown_emoji, Score) and unknown_emoji.label == "neutral"
    assert isinstance(zalgo_result, Score) and zalgo_result.label == "positive"
    assert isinstance(html_result, Score) and html_result.label == "positive"
    assert "excellent" in features(html_result)
    assert isinstance(long_result, Score) and long_result.label == "negative"
    assert len(long_result.explanation) <= 8
    assert isinstance(garbage, NotScored)


def test_features_helper_for_learned_models():
    f = lexicon_features("Pas terrible, mais le support est génial !", "fr")
    assert {"pos_sum", "neg_sum", "n_hits", "negated", "compound", "n_emoji", "exclamations"} <= set(f)
    assert f["pos_sum"] > 0 > f["neg_sum"]
    assert f["n_hits"] == 2 and f["exclamations"] == 1 and f["contrast"] == 1
    assert lexicon_features("je ne suis pas heureux", "fr")["negated"] == 1
    assert lexicon_features("", "fr")["n_hits"] == 0
    assert all(isinstance(v, float) for v in f.values())
