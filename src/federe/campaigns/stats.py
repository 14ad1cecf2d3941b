"""Is a change more than normal variation? Two plain tests, pure functions (no database, no Django).

**Counts** (mentions, new members, clicks…): the campaign's count ``a`` over an exposure ``s`` (days, or posts)
against the baseline's count ``b`` over ``t``. Taking each count as Poisson, conditional on the total ``n = a + b``
the campaign's count is binomial: ``a ~ Binomial(n, p0)`` with ``p0 = s / (s + t)`` when the two rates are equal
(the exact conditional test, Przyborowski and Wilenski 1940). The two-sided p-value adds the probabilities of
every outcome no more likely than the one seen::

    p = Σ_{k : P(k) ≤ P(a)(1 + 1e-7)} C(n, k) p0^k (1 − p0)^(n − k)

computed exactly up to ``EXACT_UP_TO`` events; above it, by the normal approximation with a continuity
correction, ``z = (|a − n p0| − ½) / √(n p0 (1 − p0))``, ``p = erfc(z / √2)``.

**Shares** (share of voice, negative tone): ``x1`` of ``n1`` against ``x2`` of ``n2``, the two-proportion z-test
with the pooled share ``p̂ = (x1 + x2) / (n1 + n2)``::

    z = (x1/n1 − x2/n2) / √(p̂ (1 − p̂) (1/n1 + 1/n2)),   p = erfc(|z| / √2)

A difference is called **within normal variation** when ``p ≥ ALPHA`` (0.05), or when there is nothing to compare
(no event at all, an empty window): then ``p`` is 1. Neither test says *why* a figure moved: other things happen
during a campaign.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ALPHA = 0.05
EXACT_UP_TO = 20_000
_TIES = 1 + 1e-7


@dataclass(frozen=True)
class Comparison:
    before: float  # the baseline's rate or share
    after: float  # the campaign's
    p_value: float

    @property
    def change(self) -> float | None:
        """Relative change (0.12 for +12 %), None when the baseline is zero."""
        return None if self.before == 0 else (self.after - self.before) / self.before

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def _log_pmf(k: int, n: int, p: float) -> float:
    if p in (0.0, 1.0):
        return 0.0 if k == round(n * p) else -math.inf
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)


def binomial_two_sided(k: int, n: int, p: float) -> float:
    """The two-sided p-value of ``k`` successes in ``n`` trials of probability ``p``."""
    if n == 0:
        return 1.0
    if n > EXACT_UP_TO:
        spread = math.sqrt(n * p * (1 - p))
        if spread == 0:
            return 1.0
        z = max(abs(k - n * p) - 0.5, 0.0) / spread
        return min(1.0, math.erfc(z / math.sqrt(2)))
    seen = _log_pmf(k, n, p) + math.log(_TIES)
    total = math.fsum(math.exp(lp) for i in range(n + 1) if (lp := _log_pmf(i, n, p)) <= seen)
    return min(1.0, total)


def compare_counts(after: int, before: int, exposure_after: float = 1.0, exposure_before: float = 1.0) -> Comparison:
    """The campaign's count against the baseline's, each over its exposure (days, posts): rates per unit."""
    if after < 0 or before < 0 or exposure_after <= 0 or exposure_before <= 0:
        raise ValueError("counts are never negative and exposures are positive")
    rate_after, rate_before = after / exposure_after, before / exposure_before
    share = exposure_after / (exposure_after + exposure_before)
    return Comparison(rate_before, rate_after, binomial_two_sided(after, after + before, share))


def compare_shares(x_after: int, n_after: int, x_before: int, n_before: int) -> Comparison:
    """The campaign's share ``x_after / n_after`` against the baseline's: two-proportion z-test."""
    if not (0 <= x_after <= n_after and 0 <= x_before <= n_before):
        raise ValueError("a share's count is between 0 and its total")
    after = x_after / n_after if n_after else 0.0
    before = x_before / n_before if n_before else 0.0
    if not n_after or not n_before:
        return Comparison(before, after, 1.0)
    pooled = (x_after + x_before) / (n_after + n_before)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_after + 1 / n_before))
    if spread == 0:
        return Comparison(before, after, 1.0)
    z = (after - before) / spread
    return Comparison(before, after, min(1.0, math.erfc(abs(z) / math.sqrt(2))))
