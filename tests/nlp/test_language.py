from __future__ import annotations

import pytest

from federe.connectors.dummy import content
from federe.nlp.language import detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Merci pour l'info, je ne savais pas !", "fr"),
        ("On s'en occupe dès demain.", "fr"),
        ("Thanks for the heads-up, I had no idea.", "en"),
        ("Is the new blend available in Ireland?", "en"),
        ("🔥🔥🔥", "other"),
        ("Hola, muchas gracias por todo", "other"),
    ],
)
def test_short_social_text(text, expected):
    assert detect(text) == expected


def test_the_dummy_communitys_sentences_are_recognised():
    for lang in ("fr", "en"):
        sentences = [t.format(topic="x", brand="Acme") for t in content.POSTS[lang] + content.REPLIES[lang]]
        assert [detect(s) for s in sentences] == [lang] * len(sentences)
