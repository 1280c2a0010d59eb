"""Funding: the providers' margin rule, budgets, ceilings, capacity response and who pays what.

One rule for every provider (DESIGN §3): the incentive to deliver an extra week of care is the
margin it makes, under p×q the tariff minus marginal cost, under lumpsum the budget slack minus
marginal cost. From that incentive ``I``:

    admission threshold = base - threshold_slope * I / w
    treatment length x  = exp(length_slope * I / w)
    step-down rate   x  = exp(-stepdown_slope * I / w)

with ``w`` = ``funding.need_weight``, the weight on need met against the margin, and all scaled
by ``mechanisms.funding`` (0: no funding effect). Lumpsum and p×q differ only through
``I``; nothing in here is a per-scenario effect.
"""

from __future__ import annotations

import numba
import numpy as np

from sim import states as S
from sim.care import ROUTE_INSURER, ROUTE_MUNICIPALITY, ROUTE_PAYER, ROUTE_PROVINCE  # noqa: F401
from sim.population import WEEKS_PER_YEAR


@numba.njit(cache=True, nogil=True)
def _weekly_counts(busy, state, route, provider, protection, cost, tariff_s, tariff_r, n_s, n_r):
    """One pass over the children in help, on a list or in care (compiled: numpy needed a
    pass per count): books this week's tariff on each child in specialist (``tariff_s``) or
    residential care (``tariff_r``) and returns the children in care by payer route
    (specialist, residential: 3 each), per specialist and residential provider the children
    in care and on its list, and the children under child protection."""
    by_route = np.zeros((2, 3), np.int64)
    occ_s, queue_s = np.zeros(n_s, np.int64), np.zeros(n_s, np.int64)
    occ_r, queue_r = np.zeros(n_r, np.int64), np.zeros(n_r, np.int64)
    prot = 0
    for i in busy:
        st = state[i]
        if protection[i]:
            prot += 1
        if st == S.SPECIALIST:
            by_route[0, route[i]] += 1
            occ_s[provider[i]] += 1
            cost[i] += tariff_s
        elif st == S.RESIDENTIAL:
            by_route[1, route[i]] += 1
            occ_r[provider[i]] += 1
            cost[i] += tariff_r
        elif st == S.WAIT_SPECIALIST:
            queue_s[provider[i]] += 1
        elif st == S.WAIT_RESIDENTIAL:
            queue_r[provider[i]] += 1
    return by_route, occ_s, queue_s, occ_r, queue_r, prot


# What Funding.update reads besides the incentive.
_UPDATE_PARAMS = (
    "specialist.marginal_cost_share",
    "mechanisms.funding",
    "funding.need_weight",
    "specialist.base_threshold",
    "funding.threshold_slope",
    "funding.length_slope",
    "specialist.stepdown_per_week",
    "funding.stepdown_slope",
)


class Funding:
    """Provider behaviour from the margin rule, and the municipality's budgets."""

    def __init__(self, m, pxq: bool = False):
        """Provider behaviour and budgets under ``funding.scheme`` (``pxq=True``: p×q whatever the
        scheme, for the warm-up before a lumpsum contracted on last year's spending)."""
        p = m.p
        self.m = m
        n = m.specialist.n
        self.lumpsum = p["funding.scheme"] == "lumpsum" and not pxq
        tariff_s, tariff_r = (
            p["specialist.tariff_eur_per_week"],
            p["residential.tariff_eur_per_week"],
        )
        k = m.n_children_k
        # Lumpsum budget: last year's p×q spending, or stated per scenario (0: the start-up
        # spending rate, DESIGN §3).
        budget = p["funding.lumpsum_budget_per_1000_children"] * k
        history = m.pxq_history
        if p["funding.lumpsum_budget_basis"] == "last_year" and history.weeks >= WEEKS_PER_YEAR:
            budget = history.last_year()
        elif budget > 0:
            # Budget to the front (F4) moves money out of this budget into wijkteam FTE; the
            # start-up rate below already counts only the places that are left.
            budget = max(budget - m.front_moved_eur, 0.0)
        else:
            budget = WEEKS_PER_YEAR * (
                m.specialist.places.sum() * p["init.specialist_occupancy"] * tariff_s
                + m.residential.places.sum() * p["init.residential_occupancy"] * tariff_r
            )
        self.lumpsum_budget = float(budget)
        self.ceiling = p["funding.pxq_ceiling_per_1000_children"] * k
        share = m.specialist.places / m.specialist.places.sum()
        spec_share = (
            m.specialist.places.sum()
            * tariff_s
            / (m.specialist.places.sum() * tariff_s + m.residential.places.sum() * tariff_r)
        )
        self.provider_budget_week = self.lumpsum_budget * spec_share * share / WEEKS_PER_YEAR
        self.provider_cost = np.zeros(n)  # cost of care delivered this budget year
        self.provider_budget = np.zeros(n)  # budget accrued this budget year
        self.year_spend = 0.0  # municipal specialist + residential spending this calendar year
        self.stopped = False
        self.threshold = np.zeros(n)
        self.length_mult = np.ones(n)
        self.stepdown_rate = np.zeros(n)
        self.res_length_mult = 1.0
        self.incentive = np.zeros(n)
        self._update_key = None  # the parameters of the last p×q update
        self.update()

    def update(self) -> None:
        """Recompute each provider's incentive and the behaviour that follows from it."""
        p = self.m.p
        mc = p["specialist.marginal_cost_share"]
        # Under p×q the incentive is the margin alone: nothing changes from week to week unless
        # a parameter does (between weeks), so the same parameters give the same behaviour.
        key = None
        if not self.lumpsum:
            key = tuple(p[name] for name in _UPDATE_PARAMS)
            if key == self._update_key:
                return
        self._update_key = key
        if self.lumpsum:
            slack = np.divide(
                self.provider_budget - self.provider_cost,
                self.provider_budget,
                out=np.zeros_like(self.provider_budget),
                where=self.provider_budget > 0,
            )
            incentive = -mc + p["funding.slack_weight"] * np.clip(slack, -1.0, 1.0)
        else:
            incentive = np.full(len(self.threshold), 1.0 - mc)
        # The margin against the weight on need met (DESIGN §3): a provider that values the need
        # it meets more responds less to its margin.
        s = p["mechanisms.funding"] / p["funding.need_weight"]
        self.incentive = incentive
        # In place: the compiled kernels hold these arrays (sim.context).
        self.threshold[:] = (
            p["specialist.base_threshold"] - s * p["funding.threshold_slope"] * incentive
        )
        self.length_mult[:] = np.exp(s * p["funding.length_slope"] * incentive)
        self.stepdown_rate[:] = np.clip(
            p["specialist.stepdown_per_week"]
            * np.exp(-s * p["funding.stepdown_slope"] * incentive),
            0,
            1,
        )
        self.res_length_mult = float(np.exp(s * p["funding.length_slope"] * incentive.mean()))

    def step(self, m, week: int, counts: np.ndarray, busy: np.ndarray) -> None:
        """Book this week's costs, track budgets, move capacity, and update provider behaviour."""
        p, ledger, ch = m.p, m.ledger, m.children
        if week % WEEKS_PER_YEAR == 0:
            self.year_spend = 0.0
            self.stopped = False
            self.provider_cost[:] = 0.0
            self.provider_budget[:] = 0.0
        tariff_s, tariff_r = (
            p["specialist.tariff_eur_per_week"],
            p["residential.tariff_eur_per_week"],
        )
        # busy: children in wijkteam help, on a list or in care
        by_route, occ_s, queue_s, occ_r, queue_r, prot = _weekly_counts(
            busy,
            ch.state,
            ch.route,
            ch.provider,
            ch.protection,
            ch.cost,
            tariff_s,
            tariff_r,
            m.specialist.n,
            m.residential.n,
        )
        spec_by_route, res_by_route = by_route[0].astype(float), by_route[1].astype(float)
        self.provider_cost += occ_s * tariff_s
        self.provider_budget += self.provider_budget_week
        # What each route's payer owes this week: under p×q the tariff for its children in care;
        # under lumpsum the budget plus monitoring, split over the routes of the children in care
        # (before 2015 the province and the insurer, M14).
        if self.lumpsum:
            wk = self.lumpsum_budget / WEEKS_PER_YEAR
            spec_part = self.provider_budget_week.sum()
            extra = 1 + p["funding.lumpsum_monitoring_share"]
            holder = ROUTE_PROVINCE if m.pre2015 else ROUTE_MUNICIPALITY
            spec_pay = _split(spec_part * extra, spec_by_route, holder)
            res_pay = _split((wk - spec_part) * extra, res_by_route, holder)
            self.year_spend += wk
        else:
            spec_pay = spec_by_route * tariff_s
            res_pay = res_by_route * tariff_r
            m.pxq_history.add(spec_pay.sum() + res_pay.sum())
            self.year_spend += spec_pay[ROUTE_MUNICIPALITY] + res_pay[ROUTE_MUNICIPALITY]
            if self.ceiling > 0 and self.year_spend >= self.ceiling:
                self.stopped = True  # registration stop until the new year
        for r in (ROUTE_MUNICIPALITY, ROUTE_PROVINCE, ROUTE_INSURER):
            ledger.add(ROUTE_PAYER[r], "specialist", float(spec_pay[r]))
            ledger.add(ROUTE_PAYER[r], "residential", float(res_pay[r]))
        self._front_line_costs(m, counts, prot)
        # Capacity answers a lasting waiting list, with a lag and a workforce cap.
        s_w = p["mechanisms.wait_response"]
        for pool, q, occ, stay in (
            (m.specialist, queue_s, occ_s, p["specialist.treatment_weeks_severe"]),
            (m.residential, queue_r, occ_r, p["residential.stay_weeks"]),
        ):
            tier = pool.name  # each tier reads its own capacity parameters
            signal = pool.queue_wait_estimate(q, occ, stay)
            pool.adjust_capacity(
                signal,
                occ,
                p[f"{tier}.target_wait_weeks"],
                p[f"{tier}.capacity_lag_weeks"],
                p[f"{tier}.workforce_cap_ratio"],
                s_w,
                p[f"{tier}.capacity_floor_ratio"],
            )
        self.update()

    def _front_line_costs(self, m, counts: np.ndarray, protected: int) -> None:
        """Salaried and per-child costs: JGZ, wijkteam, practice workers, GP time, platform, BJZ."""
        p, ledger = m.p, m.ledger
        wk = 1.0 / WEEKS_PER_YEAR
        ledger.add("municipality", "jgz", m.children.n * p["jgz.cost_per_child_per_year"] * wk)
        if p["waiting.preventive_offer"]:
            ledger.add(
                "municipality",
                "jgz",
                counts[S.WAIT_SPECIALIST] * p["waiting.preventive_cost_per_week"],
            )
        # children under child protection in help, in care or waiting
        ledger.add("municipality", "specialist", protected * p["other.protection_cost_per_week"])
        ledger.add(
            "municipality", "wijkteam", m.wijkteam_fte.sum() * p["wijkteam.fte_cost_eur"] * wk
        )
        if m.has_worker:
            fte = m.n_gp * p["practice_worker.hours_per_week"] / p["practice_worker.fte_hours"]
            ledger.add("municipality", "practice", fte * p["practice_worker.fte_cost_eur"] * wk)
        if p["plan.digital_family_plan"]:
            ledger.add(
                "municipality",
                "practice",
                p["plan.platform_cost_per_1000_children"] * m.n_children_k * wk,
            )
        ledger.add("insurer", "practice", m.tally.gp_consults_week * p["gp.consult_cost_eur"])
        ledger.add("insurer", "practice", m.collab.gp_hours * p["gp.hourly_cost_eur"])
        ledger.add(
            "province", "indication", m.tally.indications_week * p["bjz.cost_per_indication_eur"]
        )


def _split(eur: float, by_route: np.ndarray, holder: int) -> np.ndarray:
    """``eur`` split over the payer routes in proportion to the children on each; with nobody in
    care, the budget holder (``holder``) pays it all."""
    n = by_route.sum()
    if n:
        return eur * (by_route / n)
    out = np.zeros(len(by_route))
    out[holder] = eur
    return out


class SpendingHistory:
    """p×q tariff spending on specialist and residential care (all payers), week by week: the
    basis of a lumpsum contracted on last year's spending."""

    def __init__(self) -> None:
        self.week_eur = np.zeros(WEEKS_PER_YEAR)
        self.weeks = 0  # weeks of p×q recorded

    def add(self, eur: float) -> None:
        self.week_eur[self.weeks % WEEKS_PER_YEAR] = eur
        self.weeks += 1

    def last_year(self) -> float:
        """EUR spent on p×q in the last 52 weeks recorded."""
        return float(self.week_eur.sum())
