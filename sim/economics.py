"""Cost-effectiveness: discounting, incremental cost and effect, ICER, net monetary benefit and the
acceptability curve (DESIGN §3 'Cost-effectiveness').

Effects are QALYs gained relative to the comparator (the reduction in QALYs lost). The ICER is the
ratio of mean incremental cost to mean incremental effect (never a mean of ratios). All functions
are pure and work on arrays of replications.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PERSPECTIVE = (
    "public youth-care spending: municipal Jeugdwet spending (the province's youth-care spending "
    "before 2015) plus insurer-paid GP care and jeugd-ggz (payers: municipality, province, insurer)"
)
WTP_MARKS = (20_000.0, 50_000.0, 80_000.0)


def discount_factors(n_years: int, rate: float) -> np.ndarray:
    """Factor per year t = 0..n-1: 1 / (1 + rate)^t (costs or effects in year t)."""
    return 1.0 / (1.0 + rate) ** np.arange(n_years)


def discounted_total(per_year: np.ndarray, rate: float) -> np.ndarray:
    """Discounted sum over the last axis (years) of ``per_year`` (replications x years)."""
    per_year = np.atleast_2d(per_year)
    return per_year @ discount_factors(per_year.shape[-1], rate)


def quadrant(d_cost: float, d_effect: float) -> str:
    """The quadrant of the cost-effectiveness plane (effect on x, cost on y)."""
    if d_effect == 0 and d_cost == 0:
        return "origin: no difference"
    if d_effect >= 0 and d_cost <= 0:
        return "SE: more effective, less costly (dominant)"
    if d_effect >= 0:
        return "NE: more effective, more costly"
    if d_cost <= 0:
        return "SW: less effective, less costly"
    return "NW: less effective, more costly (dominated)"


def icer(d_cost: np.ndarray, d_effect: np.ndarray) -> float:
    """Incremental cost-effectiveness ratio as the ratio of means (EUR per QALY); inf if no effect."""
    e = float(np.mean(d_effect))
    if e == 0:
        return (
            float("inf")
            if np.mean(d_cost) > 0
            else float("-inf")
            if np.mean(d_cost) < 0
            else float("nan")
        )
    return float(np.mean(d_cost) / e)


def nmb(d_cost: np.ndarray, d_effect: np.ndarray, wtp: float) -> np.ndarray:
    """Incremental net monetary benefit per replication: WTP x dQALY - dCost (EUR)."""
    return wtp * np.asarray(d_effect) - np.asarray(d_cost)


def ceac(d_cost: np.ndarray, d_effect: np.ndarray, wtps: np.ndarray) -> np.ndarray:
    """Probability of being cost-effective (NMB > 0) at each willingness to pay."""
    d_cost, d_effect = np.asarray(d_cost), np.asarray(d_effect)
    return np.array([float(np.mean(nmb(d_cost, d_effect, w) > 0)) for w in wtps])


@dataclass
class CEResult:
    scenario: str
    d_cost_mean: float
    d_cost_ci: tuple[float, float]
    d_qaly_mean: float
    d_qaly_ci: tuple[float, float]
    icer: float
    quadrant: str
    nmb_mean: float
    nmb_ci: tuple[float, float]
    prob_cost_effective: float
    wtp: float


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and a t-based confidence interval over replications."""
    from scipy import stats

    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    if len(x) < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def analyse(scenario: str, d_cost: np.ndarray, d_effect: np.ndarray, wtp: float) -> CEResult:
    """The cost-effectiveness figures of one scenario against the comparator."""
    c, clo, chi = mean_ci(d_cost)
    e, elo, ehi = mean_ci(d_effect)
    b = nmb(d_cost, d_effect, wtp)
    bm, blo, bhi = mean_ci(b)
    return CEResult(
        scenario,
        c,
        (clo, chi),
        e,
        (elo, ehi),
        icer(d_cost, d_effect),
        quadrant(c, e),
        bm,
        (blo, bhi),
        float(np.mean(b > 0)),
        wtp,
    )
