"""Out-of-the-box sentiment for French and English: our own lexicons plus a few rules.

Nothing here was trained on research-only data. The lexicons and word lists in ``nlp/data/sentiment_*`` were
written for Fédère (same licence as the project); the rules are the usual ones of lexicon scorers:

- **negation** (``ne … pas``, ``pas``, ``jamais``, ``sans``, ``not``, ``never``, ``n't``…) flips and
  dampens the next few words; informal French ``j'aime pas`` flips the word just before ``pas``;
- **intensifiers and diminishers** (``très``, ``trop``, ``vraiment``, ``really``, ``a bit``, ``un peu``…)
  scale the next sentiment word; ``moins``/``less``/``peu`` flip it softly (``moins cher`` is good news);
- **contrast** (``mais``, ``but``, ``par contre``…): what comes after weighs more than what came before;
- **emphasis**: exclamation marks, ALL-CAPS words, elongated words (``trooop``, ``sooo``);
- **emoji and emoticons** (``sentiment_emoji.tsv``), never negated;
- **multi-word expressions** (``pas terrible``, ``pas mal``, ``à chier``, ``not bad``, ``no way``…),
  matched before single words.

Words are looked up as written, then normalised (``federe.core.text.normalise``, shared with every matcher:
accents, ligatures, full width), so ``genial`` finds ``génial``. The summed valence is squashed into a
compound score in [-1, 1], and a softmax with a neutral band turns it into three probabilities.

Everything is loaded once per process, lazily. Scoring is a regex tokeniser plus dict lookups; unknown
and unusual tokens (elongated, elided, inflected) are resolved once and cached.

Where things are:

- ``scorer``: the backend (:class:`~federe.nlp.sentiment.scorer.LexiconSentiment`), ``lexicon_features`` for
  learned models, the compound score and its probabilities;
- ``scan``: the pass over one text's tokens (negation, intensity, contrast, emphasis);
- ``resolve``: tokens not found as written (accents, elision, elongation, laughter, inflection);
- ``lexicon``: the tables, read from the data files (``sentiment_{fr,en,emoji}.tsv`` for sentiment words,
  ``sentiment_rules_{fr,en}.tsv`` for function words, ``sentiment_negators.txt``);
- ``params``: the hand-set numbers.
"""
