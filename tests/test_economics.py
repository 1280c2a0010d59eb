"""Cost-effectiveness arithmetic (sim/economics.py): pure functions checked against hand values.

Discounting, the ICER as a ratio of means (never a mean of ratios), net monetary benefit, the
acceptability curve, the quadrant of the cost-effectiveness plane and the t-based confidence
interval. The small fixed table (4 replications) is worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim import economics as econ

# A small fixed table of paired replications (incremental cost in EUR, QALYs gained).
#   rep   dC    dE      dC/dE   NMB at 200/QALY = 200*dE - dC
#   0     10    0.25     40      50 - 10 =  40
#   1     30    0.25    120      50 - 30 =  20
#   2    -10   -0.25     40     -50 + 10 = -40
#   3     50    0.50    100     100 - 50 =  50
# mean:   20    0.1875   75 (mean of ratios)          17.5
# ICER = ratio of means = 20 / 0.1875 = 106.666...; NMB(200) = 200 * 0.1875 - 20 = 17.5;
# P(NMB > 0) at 200 = 3/4; at WTP 0 only rep 2 saves money: 1/4.
D_COST = np.array([10.0, 30.0, -10.0, 50.0])
D_EFF = np.array([0.25, 0.25, -0.25, 0.5])


# --- discounting ----------------------------------------------------------------------------
def test_discount_factors_hand_values():
    f = econ.discount_factors(3, 0.04)
    assert f == pytest.approx([1.0, 0.9615384615, 0.9245562130], abs=1e-10)
    assert econ.discount_factors(4, 0.015) == pytest.approx(
        [1.0, 1 / 1.015, 1 / 1.015**2, 1 / 1.015**3], rel=1e-12
    )
    assert econ.discount_factors(5, 0.0) == pytest.approx(np.ones(5))
    assert len(econ.discount_factors(0, 0.04)) == 0


def test_discounted_total_hand_values():
    # 100 per year for 3 years at 4%: 100 + 96.1538 + 92.4556 = 288.6095
    assert econ.discounted_total(np.array([100.0, 100.0, 100.0]), 0.04)[0] == pytest.approx(
        288.6094675, abs=1e-6
    )
    # replications x years: one total per replication; the first year is not discounted
    table = np.array([[100.0, 100.0, 100.0], [0.0, 0.0, 52.0], [7.0, 0.0, 0.0]])
    got = econ.discounted_total(table, 0.04)
    assert got == pytest.approx([100 + 100 / 1.04 + 100 / 1.04**2, 52 / 1.04**2, 7.0], rel=1e-12)
    # effects at 1.5%
    assert econ.discounted_total(np.array([10.0, 10.0]), 0.015)[0] == pytest.approx(
        10 + 10 / 1.015, rel=1e-12
    )
    # no discounting: a plain sum
    assert econ.discounted_total(np.array([1.0, 2.0, 3.0]), 0.0)[0] == pytest.approx(6.0)


def test_discounting_lowers_later_years_more():
    early = econ.discounted_total(np.array([100.0, 0.0, 0.0]), 0.04)[0]
    late = econ.discounted_total(np.array([0.0, 0.0, 100.0]), 0.04)[0]
    assert early == pytest.approx(100.0) and late < early


# --- ICER, NMB, CEAC ------------------------------------------------------------------------
def test_icer_is_ratio_of_means_not_mean_of_ratios():
    ratio_of_means = 20.0 / 0.1875
    mean_of_ratios = float(np.mean(D_COST / D_EFF))
    assert mean_of_ratios == pytest.approx(75.0)  # the table really separates the two
    assert econ.icer(D_COST, D_EFF) == pytest.approx(ratio_of_means, rel=1e-12)
    assert econ.icer(D_COST, D_EFF) != pytest.approx(mean_of_ratios)


def test_icer_without_effect():
    assert econ.icer(np.array([5.0, 7.0]), np.array([1.0, -1.0])) == math.inf
    assert econ.icer(np.array([-5.0, -7.0]), np.array([0.0, 0.0])) == -math.inf
    assert math.isnan(econ.icer(np.array([0.0, 0.0]), np.array([0.0, 0.0])))


def test_nmb_hand_values():
    b = econ.nmb(D_COST, D_EFF, 200.0)
    assert b == pytest.approx([40.0, 20.0, -40.0, 50.0])
    assert float(np.mean(b)) == pytest.approx(200 * 0.1875 - 20)
    # EUR 50,000 per QALY: 0.1 QALY gained at EUR 3,000 extra is worth 2,000
    assert econ.nmb(np.array([3000.0]), np.array([0.1]), 50_000.0)[0] == pytest.approx(2000.0)
    # WTP 0: the NMB is the saving
    assert econ.nmb(D_COST, D_EFF, 0.0) == pytest.approx(-D_COST)


def test_ceac_exact_probabilities_on_the_small_table():
    w = np.array([0.0, 39.0, 41.0, 200.0, 1000.0, 80_000.0])
    # rep 2 (dC -10, dE -0.25) is cost-effective while 0.25 w < 10, i.e. w < 40; reps 0, 1 and 3
    # once w > 40, 120 and 100 respectively.
    got = econ.ceac(D_COST, D_EFF, w)
    assert got == pytest.approx([0.25, 0.25, 0.25, 0.75, 0.75, 0.75])
    w2 = np.array([99.0, 101.0, 119.0, 121.0])
    assert econ.ceac(D_COST, D_EFF, w2) == pytest.approx([0.25, 0.5, 0.5, 0.75])


def test_ceac_monotone_cases():
    rng = np.random.default_rng(1)
    w = np.linspace(0, 80_000, 81)
    d_c = rng.normal(2000, 3000, 200)
    gain = rng.uniform(0.01, 0.2, 200)
    up = econ.ceac(d_c, gain, w)  # every replication gains QALYs: non-decreasing in WTP
    assert np.all(np.diff(up) >= 0) and up[-1] > up[0]
    down = econ.ceac(d_c, -gain, w)  # every replication loses QALYs: non-increasing
    assert np.all(np.diff(down) <= 0) and down[-1] < down[0]
    dominant = econ.ceac(-np.abs(d_c) - 1, gain, w)  # cheaper and better: always cost-effective
    assert np.all(dominant == 1.0)
    dominated = econ.ceac(np.abs(d_c) + 1, -gain, w)
    assert np.all(dominated == 0.0)
    assert np.all((up >= 0) & (up <= 1))


# --- the plane ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "d_cost, d_effect, prefix",
    [
        (100.0, 0.5, "NE"),  # more effective, more costly
        (-100.0, 0.5, "SE"),  # more effective, less costly: dominant
        (-100.0, -0.5, "SW"),  # less effective, less costly
        (100.0, -0.5, "NW"),  # less effective, more costly: dominated
    ],
)
def test_quadrant_four_sign_cases(d_cost, d_effect, prefix):
    q = econ.quadrant(d_cost, d_effect)
    assert q.startswith(prefix + ":")
    assert ("dominant" in q) == (prefix == "SE")
    assert ("dominated" in q) == (prefix == "NW")


# --- confidence intervals -------------------------------------------------------------------
@pytest.mark.parametrize("level", [0.95, 0.90])
@pytest.mark.parametrize("n", [2, 3, 8, 30])
def test_mean_ci_matches_scipy_t_interval(n, level):
    x = np.random.default_rng(n).normal(10.0, 3.0, n)
    m, lo, hi = econ.mean_ci(x, level)
    slo, shi = stats.t.interval(level, n - 1, loc=x.mean(), scale=stats.sem(x))
    assert m == pytest.approx(x.mean(), rel=1e-12)
    assert lo == pytest.approx(slo, rel=1e-10) and hi == pytest.approx(shi, rel=1e-10)


def test_mean_ci_hand_value_and_degenerate_cases():
    # dC of the small table: mean 20, sd sqrt(2000/3), half-width t(0.975, 3) * sd / 2
    m, lo, hi = econ.mean_ci(D_COST)
    half = 3.182446305284263 * math.sqrt(2000 / 3) / 2
    assert (m, lo, hi) == pytest.approx((20.0, 20 - half, 20 + half), rel=1e-9)
    assert econ.mean_ci(np.array([4.0, 4.0, 4.0])) == (4.0, 4.0, 4.0)  # no spread, no width
    m1, lo1, hi1 = econ.mean_ci(np.array([3.0]))
    assert m1 == 3.0 and math.isnan(lo1) and math.isnan(hi1)


# --- analyse: the figures of one scenario ---------------------------------------------------
def test_analyse_on_the_small_table():
    r = econ.analyse("x", D_COST, D_EFF, 200.0)
    assert r.scenario == "x" and r.wtp == 200.0
    assert r.d_cost_mean == pytest.approx(20.0) and r.d_qaly_mean == pytest.approx(0.1875)
    assert r.icer == pytest.approx(106.6666666667)
    assert r.nmb_mean == pytest.approx(17.5)
    assert r.prob_cost_effective == pytest.approx(0.75)
    assert r.quadrant.startswith("NE")
    assert r.d_cost_ci == pytest.approx(econ.mean_ci(D_COST)[1:])
    assert r.d_qaly_ci == pytest.approx(econ.mean_ci(D_EFF)[1:])
    assert r.nmb_ci == pytest.approx(econ.mean_ci(econ.nmb(D_COST, D_EFF, 200.0))[1:])


def test_perspective_and_wtp_marks():
    assert "municipal" in econ.PERSPECTIVE and "insurer" in econ.PERSPECTIVE
    assert econ.WTP_MARKS == (20_000.0, 50_000.0, 80_000.0)
