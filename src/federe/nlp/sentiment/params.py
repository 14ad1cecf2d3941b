"""The lexicon scorer's numbers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Params:
    """The tunable numbers, all set by hand. None is fitted to data: the only sentiment-labelled sets at hand are
    research-only (UMSAB), which may evaluate the shipped model locally but never shape it. Each workspace's own
    model (nlp.learning) learns its community's thresholds from its corrections."""

    scope: int = 3  # words a negation reaches
    neg_pos: float = -0.6  # factor for a negated positive word ("pas génial")
    neg_neg: float = -0.4  # factor for a negated negative word ("pas mauvais": mildly positive)
    before_contrast: float = 0.5  # weight of what comes before "mais"/"but"
    after_contrast: float = 1.5  # weight of what comes after
    exclamation: float = 0.3  # added in the direction of the sum, per "!", up to 4
    caps: float = 1.3  # an ALL-CAPS word in a message that is not all caps
    elongated: float = 1.25  # "trooop", "sooo"
    question: float = 0.9  # a question without "!" is a bit less sure
    alpha: float = 4.0  # compound = s / sqrt(s² + alpha), in [-1, 1]
    # The neutral band and the softmax temperature, round values chosen by hand.
    pos_threshold: float = 0.25  # compound above which positive beats neutral
    neg_threshold: float = 0.25  # compound below minus this: negative beats neutral
    temperature: float = 0.7  # logits are (compound - threshold) / temperature


DEFAULT_PARAMS = Params()
