"""The deep tier's encoders a workspace may choose (its settings page), with their measured speed in plain words.

Safe in the web process: it looks the packages up and reads the heads' model cards, and never imports an encoder.
The speed is what ``bench/nlp_deep.py --encoder NAME --record`` measured and wrote in the encoder's cards
(messages per CPU-second, one thread, real messages); nothing is shown where nothing was measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from federe.nlp.deep import backend, encoder, heads

#: The share of one processor core the deep tier may spend keeping up with new messages: the worker's other
#: threads (ingest, publishing) and the web process share the machine with it.
CPU_SHARE = 0.5

NAMES = {
    "use": _("Fast: Universal Sentence Encoder (the default)"),
    "e5": _("Quality: multilingual E5 small"),
}
WHAT = {
    "use": _("Scores new messages quickly; enough for most communities."),
    "e5": _(
        "Better at tone in our measures (English and French posts), a little weaker at toxicity and spam, and much "
        "slower: for small communities."
    ),
}


@dataclass(frozen=True)
class Choice:
    name: str
    #: Messages per CPU-second measured on this kind of machine (None: never measured).
    per_second: float | None

    @property
    def label(self) -> str:
        return str(NAMES.get(self.name, self.name))

    @property
    def per_hour(self) -> int | None:
        """About how many new messages an hour it keeps up with on :data:`CPU_SHARE` of a core, rounded down to two
        significant figures."""
        if not self.per_second:
            return None
        n = self.per_second * 3600 * CPU_SHARE
        step = 10 ** max(int(math.log10(n)) - 1, 0)
        return int(n // step * step)

    @property
    def speed(self) -> str:
        """The measured speed and what it means for a community, in the reader's language."""
        if not self.per_second or not self.per_hour:
            return str(_("Speed not measured yet."))
        rate = round(self.per_second)
        said = ngettext(
            "About %(rate)s message a second on one processor core of this kind of server",
            "About %(rate)s messages a second on one processor core of this kind of server",
            rate,
        ) % {"rate": number_format(rate, force_grouping=True)}
        fits = ngettext(
            "fits communities of up to about %(n)s new message an hour.",
            "fits communities of up to about %(n)s new messages an hour.",
            self.per_hour,
        ) % {"n": number_format(self.per_hour, force_grouping=True)}
        # Translators: a speed, then the size of community it fits (French puts a space before the colon).
        return _("%(speed)s: %(fits)s") % {"speed": said, "fits": fits}

    @property
    def what(self) -> str:
        return str(WHAT.get(self.name, ""))


def speed_of(name: str) -> float | None:
    """The messages per CPU-second recorded in that encoder's sentiment card, if measured."""
    try:
        found: dict[str, Any] = heads.card("sentiment", name).get("speed") or {}
    except (OSError, ValueError):
        return None
    value = found.get("messages_per_cpu_second")
    return float(value) if value else None


def offered() -> list[Choice]:
    """The encoders usable here (package installed, heads shipped), the default first."""
    names = [encoder.DEFAULT, *(n for n in encoder.ENCODERS if n != encoder.DEFAULT)]
    return [Choice(name, speed_of(name)) for name in names if backend.usable(name)]
