"""Waiting lists and places (sim/queues.py): the admission order, the provider pool, and a
simulated M/M/c queue driven through ``admit`` and ``ProviderPool`` against Erlang C."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from sim.queues import ProviderPool, admit, admit_order, erlang_c, simulate_mmc_weekly


# --- admit -----------------------------------------------------------------------------------
def reference_admit(provider, priority, entry, uid, free):
    """Plain-Python reference: per provider, sort by (priority desc, entry, uid), take free[k]."""
    n = len(provider)
    mask = [False] * n
    for k in set(provider.tolist()):
        rows = [i for i in range(n) if provider[i] == k]
        rows.sort(key=lambda i: (-int(priority[i]), int(entry[i]), int(uid[i])))
        for i in rows[: max(int(free[k]), 0)]:
            mask[i] = True
    return np.array(mask, dtype=bool)


@st.composite
def waiting_lists(draw):
    n_prov = draw(st.integers(1, 6))
    n = draw(st.integers(0, 60))
    provider = np.array(
        draw(st.lists(st.integers(0, n_prov - 1), min_size=n, max_size=n)), dtype=np.int32
    )
    priority = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), dtype=np.int8)
    entry = np.array(draw(st.lists(st.integers(-30, 30), min_size=n, max_size=n)), dtype=np.int32)
    uid = np.array(
        draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n, unique=True)), dtype=np.int64
    )
    free = np.array(
        draw(st.lists(st.integers(0, 12), min_size=n_prov, max_size=n_prov)), dtype=np.int64
    )
    return provider, priority, entry, uid, free


@given(waiting_lists())
def test_admit_matches_reference_implementation(wl):
    provider, priority, entry, uid, free = wl
    got = admit(provider, priority, entry, uid, free)
    assert got.dtype == bool and got.shape == provider.shape
    np.testing.assert_array_equal(got, reference_admit(provider, priority, entry, uid, free))
    # exactly min(free, waiting) admitted per provider
    for k in range(len(free)):
        waiting = int(np.count_nonzero(provider == k))
        assert int(np.count_nonzero(got & (provider == k))) == min(int(free[k]), waiting)


@given(waiting_lists())
def test_admit_matches_reference_when_the_key_does_not_pack(wl):
    """Ids more than 2**62 apart (every other child's moved up by 2**62 + 10**9, above every
    drawn id: still unique and below 2**63) leave no room for one packed 63-bit key (the id
    range alone takes 63 bits): admission by four stable sorts instead of one sort of a packed
    key, with the same answer."""
    provider, priority, entry, uid, free = wl
    assume(len(uid) >= 2)
    wide = uid + (np.arange(len(uid)) % 2) * (2**62 + 10**9)
    assert int(wide.max() - wide.min()).bit_length() + (len(uid) - 1).bit_length() > 63
    got = admit(provider, priority, entry, wide, free)
    np.testing.assert_array_equal(got, reference_admit(provider, priority, entry, wide, free))


@given(waiting_lists())
def test_admitted_children_precede_everyone_left_on_their_list(wl):
    provider, priority, entry, uid, free = wl
    got = admit(provider, priority, entry, uid, free)
    key = list(zip(-priority.astype(int), entry.astype(int), uid.astype(int), strict=True))
    for k in range(len(free)):
        inn = [key[i] for i in np.flatnonzero(got & (provider == k))]
        out = [key[i] for i in np.flatnonzero(~got & (provider == k))]
        if inn and out:
            assert max(inn) < min(out)


@given(
    st.integers(0, 80).flatmap(
        lambda n: st.tuples(
            *(
                st.lists(st.integers(-(2**b), 2**b), min_size=n, max_size=n)
                for b in (3, 2, 20, 62)  # provider, urgency, entry week, id: the ids may tie
            )
        )
    )
)
def test_admit_order_is_lexsort_whether_packed_or_not(cols):
    """The packed one-sort key and the four-sort fallback (ids beyond the packing) both give
    np.lexsort's order, ties included."""
    provider, priority, entry, uid = (np.array(c, dtype=np.int64) for c in cols)
    want = np.lexsort((uid, entry, -priority, provider))
    np.testing.assert_array_equal(admit_order(provider, priority, entry, uid), want)
    small = uid % 1000  # small ids: the packed path
    want = np.lexsort((small, entry, -priority, provider))
    np.testing.assert_array_equal(admit_order(provider, priority, entry, small), want)


def test_admit_order_examples():
    #            urgent late  | first come   | tie on entry -> uid | other provider
    provider = np.array([0, 0, 0, 0, 1, 1])
    priority = np.array([1, 0, 0, 0, 0, 0])
    entry = np.array([9, 1, 3, 3, 5, 5])
    uid = np.array([50, 40, 31, 30, 2, 1])
    free = np.array([3, 1])
    got = admit(provider, priority, entry, uid, free)
    assert got.tolist() == [True, True, False, True, False, True]
    assert admit(provider, priority, entry, uid, np.array([0, 0])).sum() == 0
    assert admit(provider, priority, entry, uid, np.array([99, 99])).all()
    empty = np.zeros(0, dtype=np.int64)
    assert admit(empty, empty, empty, empty, np.array([3])).shape == (0,)


def test_admit_accepts_bool_priority_and_negative_free():
    provider = np.array([0, 0, 1])
    got = admit(
        provider,
        np.array([False, True, True]),
        np.array([0, 5, 0]),
        np.array([1, 2, 3]),
        np.array([1, -2]),
    )
    assert got.tolist() == [False, True, False]


# --- ProviderPool ----------------------------------------------------------------------------
def test_pool_capacity_is_floor_of_fractional_places():
    pool = ProviderPool("x", np.array([3.0, 2.9999999999, 4.7, 0.2]), expected_wait=5.0)
    assert pool.capacity.tolist() == [3, 3, 4, 0]
    assert pool.expected_wait.tolist() == [5.0] * 4
    assert pool.n == 4


def test_observe_waits_smooths_towards_mean_wait_of_admissions():
    pool = ProviderPool("x", np.array([10.0, 10.0, 10.0]), expected_wait=10.0)
    pool.observe_waits(np.array([0, 0, 2]), np.array([2.0, 4.0, 30.0]), smoothing_weeks=4.0)
    np.testing.assert_allclose(pool.expected_wait, [10 + (3 - 10) / 4, 10.0, 10 + (30 - 10) / 4])
    pool.observe_waits(np.zeros(0, dtype=np.int64), np.zeros(0), 4.0)  # no admissions: unchanged
    np.testing.assert_allclose(pool.expected_wait, [8.25, 10.0, 15.0])


def test_queue_wait_estimate_is_littles_law():
    pool = ProviderPool("x", np.array([10.0, 10.0]), expected_wait=0.0)
    est = pool.queue_wait_estimate(np.array([20, 0]), np.array([10, 0]), mean_stay=25.0)
    np.testing.assert_allclose(est, [20 / (10 / 25), 0.0])


def test_adjust_capacity_lag_cap_floor_and_switch_off():
    pool = ProviderPool("x", np.array([100.0, 100.0, 100.0]), expected_wait=0.0)
    before = pool.places.copy()
    pool.adjust_capacity(np.array([50.0, 0.0, 13.0]), np.zeros(3), 13.0, 52.0, 1.25, strength=0.0)
    np.testing.assert_array_equal(pool.places, before)  # strength 0: mechanism off
    for _ in range(2000):  # a lasting long wait: places grow to the workforce cap, no further
        pool.adjust_capacity(
            np.array([50.0, 0.0, 13.0]), np.zeros(3), 13.0, 52.0, 1.25, strength=1.0
        )
    np.testing.assert_allclose(pool.places, [125.0, 50.0, 100.0])
    # never below the children in care (nobody is put out)
    pool.adjust_capacity(np.zeros(3), np.array([0, 80, 0]), 13.0, 1.0, 1.25, strength=1.0)
    assert pool.places[1] >= 80 and pool.capacity[1] >= 80


# --- Erlang C --------------------------------------------------------------------------------
@pytest.mark.parametrize("rho", [0.05, 0.3, 0.5, 0.8, 0.95, 0.999])
def test_erlang_c_single_server_is_mm1(rho):
    pw, lq = erlang_c(rho * 2.0, 2.0, 1)
    assert pw == pytest.approx(rho, rel=1e-9)
    assert lq == pytest.approx(rho**2 / (1 - rho), rel=1e-9)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9])
def test_erlang_c_two_servers_closed_form(rho):
    pw, lq = erlang_c(2 * rho, 1.0, 2)
    assert pw == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-9)
    assert lq == pytest.approx(2 * rho**3 / (1 - rho**2), rel=1e-9)


def test_erlang_c_textbook_value():
    pw, lq = erlang_c(2.0, 1.0, 3)  # a = 2, c = 3: C = 4/9, Lq = C * rho / (1 - rho) = 8/9
    assert pw == pytest.approx(4 / 9, rel=1e-12)
    assert lq == pytest.approx(8 / 9, rel=1e-12)


def _erlang_c_by_erlang_b(a: float, c: int) -> float:
    """Independent implementation: Erlang B recursion, then C = c B / (c - a (1 - B))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1 - b))


@given(st.integers(1, 400), st.floats(0.01, 0.99))
def test_erlang_c_matches_erlang_b_recursion_for_large_c(c, rho):
    a = rho * c
    pw, lq = erlang_c(a * 0.05, 0.05, c)
    ref = _erlang_c_by_erlang_b(a, c)
    assert 0.0 <= pw <= 1.0 and math.isfinite(lq)
    assert pw == pytest.approx(ref, rel=1e-7, abs=1e-300)
    assert lq == pytest.approx(ref * rho / (1 - rho), rel=1e-7, abs=1e-300)


def test_erlang_c_waiting_falls_with_more_servers_and_rejects_unstable():
    pws = [erlang_c(8.0, 1.0, c)[0] for c in range(9, 20)]
    assert all(x > y for x, y in zip(pws, pws[1:], strict=False))
    with pytest.raises(ValueError):
        erlang_c(10.0, 1.0, 10)
    with pytest.raises(ValueError):
        erlang_c(11.0, 1.0, 10)


def test_erlang_c_with_no_arrivals_is_zero():
    assert erlang_c(0.0, 1.0, 3) == (0.0, 0.0)


# --- simulation against Erlang C -------------------------------------------------------------
def test_simulated_single_provider_queue_matches_erlang_c():
    lam, mean_service, c = 0.32, 25.0, 10  # a = 8 Erlang, rho = 0.8
    pw_ec, lq_ec = erlang_c(lam, 1.0 / mean_service, c)
    lq, pw = simulate_mmc_weekly(
        lam, mean_service, c, n_providers=32, burn=2000, weeks=20_000, seed=11
    )
    # 95% CI from independent replications (batch means with one batch per independent provider).
    t = stats.t.ppf(0.975, len(lq) - 1)
    ci_lq = t * lq.std(ddof=1) / np.sqrt(len(lq))
    ci_pw = t * pw.std(ddof=1) / np.sqrt(len(pw))
    # Weekly discretisation margin. The simulation is a discrete-time chain: places freed during
    # a week serve that week's arrivals at once, and waits are counted in whole weeks, so fewer
    # arrivals wait than in continuous time (about c/mean_service = 0.4 departures a week can
    # serve an arrival 'for free'). Solving that chain's stationary distribution exactly (weekly
    # Binomial departures, Poisson arrivals, truncated at 400) gives P(wait) 0.393 vs Erlang C
    # 0.409 (-4.0%) and Lq 1.604 vs 1.637 (-2.0%) at these parameters. Margins: 6% and 4% of
    # the Erlang C value, on top of the 95% CI.
    margin_pw, margin_lq = 0.06 * pw_ec, 0.04 * lq_ec
    assert abs(pw.mean() - pw_ec) <= ci_pw + margin_pw, (pw.mean(), pw_ec, ci_pw)
    assert abs(lq.mean() - lq_ec) <= ci_lq + margin_lq, (lq.mean(), lq_ec, ci_lq)
    # the test has power: the CI is narrow compared with the quantities
    assert ci_pw < 0.1 * pw_ec and ci_lq < 0.15 * lq_ec


def test_admit_refuses_a_provider_outside_free():
    one = np.array([0, 1])
    with pytest.raises(IndexError, match="provider"):
        admit(np.array([0, 2]), one, one, one, np.array([1, 1]))
    with pytest.raises(IndexError, match="provider"):
        admit(np.array([-1, 0]), one, one, one, np.array([1, 1]))
