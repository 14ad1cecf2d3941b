"""The languages each person wrote in, kept on the person (``Person.languages``: one bit per language) so that the
people list filters "wrote in French" without reading anyone's messages.

The definition is that of the messages: a person wrote in a language when one of their identities authored a
received message detected in it. ``mask_sql`` writes that definition as SQL, one index probe per identity and
language (the ``message_author_lang`` index); the scoring statements set it for the persons they score (a full
recompute, a merge or an unmerge, the authors of a new page), and ``follow_edits`` for the authors of edited
messages (an edit may change a message's language).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection as db

from federe.inbox.models import Direction, Language
from federe.people.engagement import formula

#: Each language's bit.
BITS: dict[str, int] = {code: 1 << n for n, code in enumerate(Language.values)}


def masks_with(language: str) -> list[int]:
    """Every value of ``Person.languages`` that includes this language."""
    bit = BITS[language]
    return [mask for mask in range(1 << len(BITS)) if mask & bit]


def mask_sql(person_id: str) -> str:
    """The mask of the person whose id is the SQL expression ``person_id``, from their messages."""
    probes = [
        f"""CASE WHEN EXISTS (SELECT 1 FROM people_identity li JOIN inbox_message lm ON lm.author_id = li.id
            WHERE li.person_id = {person_id} AND lm.direction = '{Direction.INBOUND.value}'
            AND lm.language = '{code}') THEN {bit} ELSE 0 END"""  # noqa: S608 (the code's constants)
        for code, bit in BITS.items()
    ]
    return " + ".join(probes)


def follow_edits(message_ids: Sequence[int]) -> None:
    """The authors of these (edited) messages: their languages counted again."""
    if not message_ids:
        return
    with db.cursor() as cursor:
        cursor.execute(
            f"""UPDATE people_person SET languages = {mask_sql("people_person.id")}
            WHERE id IN (SELECT i.person_id FROM inbox_message m JOIN people_identity i ON i.id = m.author_id
                         WHERE m.id IN ({formula.ids_sql(message_ids)}))"""  # noqa: S608
        )
