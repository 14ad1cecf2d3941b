"""The two tests of campaigns/stats.py: known values, and properties any p-value must have."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federe.campaigns.stats import EXACT_UP_TO, binomial_two_sided, compare_counts, compare_shares

counts = st.integers(min_value=0, max_value=400)


def test_known_binomial_values():
    # 0 or 10 heads of 10 fair tosses: 2 / 1024; 9 heads: (1 + 10) * 2 / 1024
    assert binomial_two_sided(0, 10, 0.5) == pytest.approx(2 / 1024)
    assert binomial_two_sided(9, 10, 0.5) == pytest.approx(22 / 1024)
    assert binomial_two_sided(5, 10, 0.5) == pytest.approx(1.0)


def test_the_brief_s_example_is_within_normal_variation_and_a_doubling_is_not():
    assert not compare_counts(112, 100).significant  # +12 %: p ≈ 0.45
    assert compare_counts(112, 100).p_value == pytest.approx(0.450, abs=0.001)
    assert compare_counts(200, 100).significant


@given(counts, counts)
def test_a_p_value_is_a_probability_and_the_test_is_symmetric(a, b):
    p = compare_counts(a, b).p_value
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(compare_counts(b, a).p_value, rel=1e-9, abs=1e-12)


@given(counts)
def test_equal_counts_over_equal_windows_are_never_significant(a):
    assert compare_counts(a, a).p_value == pytest.approx(1.0)


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=50))
def test_further_from_the_baseline_is_never_more_likely(b, step):
    # moving the campaign's count away from the baseline's never raises the p-value
    assert compare_counts(b + step + 1, b).p_value <= compare_counts(b + step, b).p_value + 1e-12


@given(counts, counts, st.integers(1, 30), st.integers(1, 30))
def test_rates_are_counts_over_exposure(a, b, s, t):
    found = compare_counts(a, b, s, t)
    assert found.after == pytest.approx(a / s) and found.before == pytest.approx(b / t)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=EXACT_UP_TO // 2 - 400, max_value=EXACT_UP_TO // 2 + 400))
def test_the_normal_approximation_agrees_with_the_exact_test_where_they_meet(k):
    n = EXACT_UP_TO
    exact = binomial_two_sided(k, n, 0.5)
    approx = binomial_two_sided(k, n + 1, 0.5)  # one more event: past the bound, the normal approximation
    assert exact == pytest.approx(approx, abs=0.02)


@given(counts, counts, counts, counts)
def test_shares_give_probabilities_symmetric_in_the_two_windows(x1, extra1, x2, extra2):
    n1, n2 = x1 + extra1, x2 + extra2
    p = compare_shares(x1, n1, x2, n2).p_value
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(compare_shares(x2, n2, x1, n1).p_value)


def test_a_known_two_proportion_test():
    # 30 % of 100 against 20 % of 100: z = 0.1 / sqrt(0.25 * 0.75 * 0.02) = 1.633, p = 0.102
    found = compare_shares(30, 100, 20, 100)
    assert found.p_value == pytest.approx(math.erfc(1.63299 / math.sqrt(2)), abs=1e-4)
    assert not found.significant
    assert compare_shares(300, 1000, 200, 1000).significant


def test_nothing_to_compare_is_normal_variation():
    assert compare_shares(0, 0, 5, 10).p_value == 1.0
    assert compare_counts(0, 0).p_value == 1.0


def test_refuses_impossible_inputs():
    with pytest.raises(ValueError):
        compare_counts(-1, 3)
    with pytest.raises(ValueError):
        compare_shares(5, 3, 1, 2)
