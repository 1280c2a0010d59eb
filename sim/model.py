"""The youth-care model: a Mesa model whose week is a fixed order of phases (DESIGN §4).

    population -> signalling -> decisions -> admission and care -> collaboration -> funding
    -> recording

Families and children are columns (``sim.population``); organisations are Mesa agents whose
weekly state lives in arrays (``sim.actors``). Every number comes from the parameter registry.
"""

from __future__ import annotations

import mesa
import numba
import numpy as np
import scipy.special

from sim import care, context, invariants, routing, signalling, unmet
from sim import states as S
from sim.actors import (
    JGZ,
    BureauJeugdzorg,
    GPPractice,
    Municipality,
    ResidentialProvider,
    SpecialistProvider,
    Wijkteam,
)
from sim.buffers import Rows
from sim.collaboration import Collaboration
from sim.costs import Ledger
from sim.funding import Funding, SpendingHistory
from sim.metrics import Recorder, Tally, summarise
from sim.params import (
    INIT_REFERRER_MIX,
    REGISTRY,
    ParameterError,
    Params,
    init_mix_error,
    init_need_keys,
    init_need_levels,
    init_referrer_keys,
    validate_values,
)
from sim.population import (
    ADULT_WEEKS,
    WEEKS_PER_YEAR,
    NeedModel,
    births,
    make_children,
    make_families,
)
from sim.queues import ProviderPool
from sim.rng import Purpose, Streams, key_from_seed


def _whole_weeks(u: np.ndarray, mean: float) -> np.ndarray:
    """Whole weeks, uniform from 1 to 2 x ``mean`` - 1 (so of mean ``mean``), from uniforms ``u``."""
    return 1 + np.floor(u * max(2.0 * mean - 1.0, 0.0)).astype(np.int32)


class YouthCareModel(mesa.Model):
    """One region's youth-care system, simulated week by week.

    ``families``: number of families; ``years``: measured years after ``warmup_years`` of warm-up;
    ``seed``: an int or a SeedSequence (all randomness derives from it); ``check``: run the
    invariant checks every week.
    """

    def __init__(
        self,
        params: Params | None = None,
        families: int = 2000,
        years: float = 10,
        warmup_years: float = 3,
        seed: int | np.random.SeedSequence = 0,
        scenario_name: str = "baseline",
        check: bool = False,
    ):
        key = key_from_seed(seed)
        super().__init__(rng=np.random.default_rng(key))
        self.p = params if params is not None else Params()
        mix = init_mix_error(self.p.__getitem__)
        if mix:
            raise ParameterError(mix[1])
        self.seed = seed if isinstance(seed, int) else int(key)
        self.scenario_name = scenario_name
        self.check = check
        self.streams = Streams(key)
        self.warmup_weeks = int(round(warmup_years * WEEKS_PER_YEAR))
        self.total_weeks = self.warmup_weeks + int(round(years * WEEKS_PER_YEAR))
        self.week = 0
        self.invariant_violations = 0
        self.invariant_messages: list[str] = []
        self.tally = Tally()
        self.ledger = Ledger()
        self.recorder = Recorder(self.total_weeks)
        self.cost_at_warmup = np.zeros_like(self.ledger.total)
        self._build(int(families))

    # -- construction ------------------------------------------------------------------------
    def _build(self, n_families: int) -> None:
        p = self.p
        self.families = make_families(n_families, p, self.streams)
        self.children = make_children(self.families, p, self.streams)
        # children per family, kept up to date at births (the recorder counts families with one)
        self.children_per_family = np.bincount(
            self.children.family, minlength=self.families.n
        ).astype(np.int64)
        self.next_uid = self.children.n
        self.n_children_k = self.children.n / 1000.0
        self.n_gp = int(self.families.gp.max()) + 1
        self.n_hood = int(self.families.hood.max()) + 1
        self._occ = np.zeros(self.n_hood)  # wijkteam occupancy of this week ...
        self._occ_ready = np.zeros(1, dtype=bool)  # ... once computed (wijkteam_occupancy)
        self._ctx_sources = None  # what the kernels' context was built from (sim.context)
        self._ctx = None
        self._configure()
        self.needs = NeedModel(self)
        # Places: specialist ambulant and residential providers.
        n_prov = p["specialist.providers"]
        shift = p["funding.front_shift_share"]
        spec_places = p["specialist.places_per_1000_children"] * self.n_children_k * (1 - shift)
        self.specialist = ProviderPool(
            "specialist", np.full(n_prov, spec_places / n_prov), p["specialist.target_wait_weeks"]
        )
        n_res = p["residential.providers"]
        res_places = p["residential.places_per_1000_children"] * self.n_children_k
        self.residential = ProviderPool(
            "residential", np.full(n_res, res_places / n_res), p["residential.target_wait_weeks"]
        )
        # Wijkteam FTE per neighbourhood, plus the budget moved to the front (F4).
        kids_per_hood = np.bincount(self.families.hood[self.children.family], minlength=self.n_hood)
        fte = p["wijkteam.fte_per_1000_children"] * kids_per_hood / 1000.0
        # EUR a year moved from specialist places to the front (F4).
        self.front_moved_eur = (
            shift
            * p["specialist.places_per_1000_children"]
            * self.n_children_k
            * (p["specialist.tariff_eur_per_week"] * WEEKS_PER_YEAR)
        )
        bought = self.front_moved_eur / p["wijkteam.fte_cost_eur"]  # FTE, spread by children
        self.wijkteam_fte = fte + bought * kids_per_hood / kids_per_hood.sum()
        self.collab = Collaboration(self.n_gp, p, self.has_worker)
        self.worker_present_this_week = np.zeros(self.n_gp, dtype=bool)
        self.worker_sessions_held = np.zeros(self.n_gp)
        self.worker_utilisation_week = 0.0
        self.bjz_credit = 0.0
        self.bjz_expected_wait = 0.0  # smoothed wait for a BJZ indication, in weeks
        self.pending_unmet = Rows()  # children whose unmet-need events are drawn at the week's end
        self._warm_start()
        self.pxq_history = SpendingHistory()
        # A lumpsum contracted on last year's spending: p×q through the warm-up, then the contract
        # (without a warm-up year there is no history, and the budget is the start-up rate).
        self.contract_week = (
            self.warmup_weeks
            if p["funding.scheme"] == "lumpsum"
            and p["funding.lumpsum_budget_basis"] == "last_year"
            and self.warmup_weeks >= WEEKS_PER_YEAR
            else -1
        )
        self.funding = Funding(self, pxq=self.contract_week > 0)
        # The organisations as Mesa agents (registry and face, not a weekly loop).
        for g in range(self.n_gp):
            GPPractice(self, g)
        for h in range(self.n_hood):
            Wijkteam(self, h)
        for k in range(self.specialist.n):
            SpecialistProvider(self, k)
        for k in range(self.residential.n):
            ResidentialProvider(self, k)
        JGZ(self)
        Municipality(self)
        if self.pre2015:
            BureauJeugdzorg(self)

    def _configure(self) -> None:
        """Derived switches, recomputed when parameters change between weeks."""
        p = self.p
        self.has_worker = p["practice_worker.hours_per_week"] > 0
        self.unmet_rates = unmet.Rates.from_params(p)
        self.pre2015 = p["era.rules"] == "pre2015"
        # A shared plan or a warm handover: each new professional takes over from the previous one.
        self.coordinated = (
            bool(p["plan.digital_family_plan"] or p["handover.warm"])
            and p["mechanisms.coordination"] > 0
        )
        # The escalation pyramid: a coordinator takes over once a family reaches the threshold.
        self.pyramid = (
            bool(p["coordination.one_family_one_plan"]) and p["mechanisms.coordination"] > 0
        )
        need_len = np.array(
            [
                p["specialist.treatment_weeks_moderate"],
                p["specialist.treatment_weeks_moderate"],
                p["specialist.treatment_weeks_moderate"],
                p["specialist.treatment_weeks_severe"],
                p["specialist.treatment_weeks_crisis"],
            ],
            dtype=np.float64,
        )
        self._spec_len = need_len  # weeks by need level
        self.rule_values = care.Rules.of(self)  # read by Python code ...
        self.care_rules = care.rules(self.rule_values)  # ... and by the kernels

    def _warm_start(self) -> None:
        """Start from stocks (need, waiting, in care) instead of an empty system (DESIGN §3)."""
        p, ch = self.p, self.children
        n = ch.n
        u_level = self.streams.uniform(Purpose.INIT + 2, ch.uid, 0)
        u_time = self.streams.uniform(Purpose.INIT + 3, ch.uid, 0)  # when the episode began
        u_left = self.streams.uniform(Purpose.INIT + 10, ch.uid, 0)  # weeks of care left
        u_waited = self.streams.uniform(Purpose.INIT + 11, ch.uid, 0)  # weeks already waited
        cap_s = self.specialist.capacity
        cap_r = self.residential.capacity
        n_spec = min(int(round(cap_s.sum() * p["init.specialist_occupancy"])), int(cap_s.sum()))
        n_wait = int(round(self.specialist.places.sum() * p["init.waiting_per_place"]))
        n_res = min(int(round(cap_r.sum() * p["init.residential_occupancy"])), int(cap_r.sum()))
        n_rwait = int(
            round(self.residential.places.sum() * p["init.residential_waiting_per_place"])
        )
        n_wt = int(
            round(
                (
                    self.wijkteam_fte * p["wijkteam.caseload_norm"] * p["init.wijkteam_occupancy"]
                ).sum()
            )
        )
        n_need = int(round(n * p["init.need_share"]))
        blocks = [
            (S.SPECIALIST, n_spec, "specialist"),
            (S.WAIT_SPECIALIST, n_wait, "waiting"),
            (S.RESIDENTIAL, n_res, "residential"),
            (S.WAIT_RESIDENTIAL, n_rwait, "residential_waiting"),
            (S.WIJKTEAM, n_wt, "wijkteam"),
            (S.UNMET, None, "unmet"),  # the rest of the children with a need
        ]
        # The care blocks also hold children whose need has resolved (their 'none' weight).
        resolved = sum(
            count * p[init_need_keys(block)[0]] / sum(p[k] for k in init_need_keys(block))
            for _, count, block in blocks
            if count and init_need_levels(block)[0] == "none"
        )
        order = self._need_stock_order(n_need + resolved)
        start, with_need = 0, 0
        for state, count, block in blocks:
            if count is None:
                count = max(n_need - with_need, 0)
            idx = order[start : start + count]
            start += count
            keys = init_need_keys(block)
            lowest = S.N_LEVELS - len(keys)  # 0 in a care block, 1 (light) in unmet need
            cum = np.cumsum([p[k] for k in keys])
            ch.need[idx] = (
                lowest + np.searchsorted(cum, u_level[idx] * cum[-1], side="right")
            ).clip(lowest, 4)
            with_need += int(np.count_nonzero(ch.need[idx]))
            ch.state[idx] = state
            ch.onset_start[idx] = -(u_time[idx] * p["init.onset_spread_weeks"]).astype(np.int32)
            ch.episodes[idx] = 1
            ch.helped[idx] = state != S.UNMET
            if state == S.UNMET:
                self._warm_start_unmet(idx)
            self._warm_start_origin(idx, block)
            ch.prof_mask[idx] = S.PROF_GP
            if self.pre2015 and state != S.WIJKTEAM and state != S.UNMET:
                ch.route[idx] = care.ROUTE_PROVINCE  # indicated care, paid by the province (M14)
            if state == S.SPECIALIST:
                ch.provider[idx] = np.repeat(np.arange(self.specialist.n), cap_s)[:count]
                ch.care_level[idx] = 3
                ch.planned_end[idx] = self._remaining_weeks(u_left[idx], "specialist")
                ch.prof_mask[idx] |= S.PROF_SPECIALIST
            elif state == S.RESIDENTIAL:
                ch.provider[idx] = np.repeat(np.arange(self.residential.n), cap_r)[:count]
                ch.care_level[idx] = 4
                ch.planned_end[idx] = self._remaining_weeks(u_left[idx], "residential")
                ch.prof_mask[idx] |= S.PROF_RESIDENTIAL
            elif state == S.WAIT_SPECIALIST or state == S.WAIT_RESIDENTIAL:
                pool = self.specialist if state == S.WAIT_SPECIALIST else self.residential
                ch.provider[idx] = np.minimum(
                    (u_level[idx] * 7919 % 1.0 * pool.n).astype(np.int32), pool.n - 1
                )
                # weeks waited so far (as measured at the start of a week), and not before the
                # episode began
                waited = _whole_weeks(u_waited[idx], p[f"init.{block}_age_weeks"])
                ch.q_entry[idx] = np.maximum(-waited, ch.onset_start[idx])
                ch.priority[idx] = ch.need[idx] >= 4
            elif state == S.WIJKTEAM:
                ch.care_level[idx] = 2
                ch.planned_end[idx] = (u_left[idx] * p["wijkteam.help_weeks"]).astype(np.int32) + 1
                ch.prof_mask[idx] |= S.PROF_WIJKTEAM
        ch.since[:] = 0
        healthy = np.flatnonzero(ch.state == S.NONE)
        self.needs.schedule_onset(healthy, 0)
        unmet.schedule(self, np.flatnonzero(ch.state == S.UNMET), -1)

    def _remaining_weeks(self, u: np.ndarray, block: str) -> np.ndarray:
        """Weeks of care left for children in care at the start: gamma-distributed with the
        steady state's mean and shape (init.{block}_remaining_weeks, init.{block}_remaining_shape),
        in whole weeks, from uniforms ``u``; 0 ends the care in week 0 (at the steady state 4% of
        specialist care is in its last week when a week starts).

        The care a child is in at a random moment is longer than average (length bias) and its
        need has already come down, so a share of the length of its current need (the earlier
        rule) ended specialist care a quarter too soon (13 weeks left on average against 17):
        places freed up early, the list emptied in the first half year, and GPs heard of good
        outcomes sooner than at the steady state."""
        p = self.p
        shape = p[f"init.{block}_remaining_shape"]
        weeks = scipy.special.gammaincinv(shape, u) * (p[f"init.{block}_remaining_weeks"] / shape)
        return np.round(weeks).astype(np.int32)

    def _need_stock_order(self, target: float) -> np.ndarray:
        """The children in the order the warm start fills its blocks: first those drawn into the
        need stock (in random order), then the rest, those with the higher chance first.

        A child is drawn with the chance that a need began within the last ``D`` weeks of its
        life, by its own onset hazard (``NeedModel.recent_onset_chance``); ``D`` is set so that
        the chances add up to ``target``, the children the blocks take (``init.need_share`` plus
        the children in care whose need has resolved). If the draw falls short, the next children
        are a weighted draw too (Efraimidis-Spirakis keys), not a random one. At the steady state
        the need stock is older and from more vulnerable families than the population; a stock
        drawn at random held three times too many children under 4, whom JGZ sees often, and
        started JGZ and wijkteam help 10-20% above their steady state for a year (docs/ODD.md,
        warm-up)."""
        ch = self.children
        chance = self.needs.recent_onset_chance(np.arange(ch.n), 0)
        lo, hi = 0.0, float(ADULT_WEEKS)
        for _ in range(40):  # bisection on D, in weeks
            mid = 0.5 * (lo + hi)
            if chance(mid).sum() < target:
                lo = mid
            else:
                hi = mid
        c = chance(hi)
        u = self.streams.uniform(Purpose.INIT + 7, ch.uid, 0)
        drawn = u < c
        u_order = self.streams.uniform(Purpose.INIT + 1, ch.uid, 0)
        with np.errstate(divide="ignore"):
            key = np.where(drawn, u_order, -np.log1p(-u_order) / c)
        return np.lexsort((key, ~drawn))

    def _warm_start_origin(self, idx: np.ndarray, block: str) -> None:
        """Who referred the children of a block, and which GP hears how it went (init.*_referrer_*,
        init.*_gp_credited_share), as at the baseline's steady state.

        Without this every child started as the GP's, credited to no GP: the first admissions
        from the list counted as GP trajectories (+50% in the first quarter), and no GP heard of
        the good outcomes of the care already running, so trust in specialist care fell by a
        third in year 1 and took three years to come back (docs/ODD.md, warm-up). One uniform
        draws both, so the children the GP sent are among those credited to a GP."""
        p, ch = self.p, self.children
        u = self.streams.uniform(Purpose.INIT + 8, ch.uid[idx], 0)
        if block in dict(INIT_REFERRER_MIX):
            w = np.array([p[k] for k in init_referrer_keys(block)])
            cum = np.cumsum(w) / w.sum()
            ch.referrer[idx] = np.minimum(np.searchsorted(cum, u, side="right"), len(w) - 1)
        share = p[f"init.{block}_gp_credited_share"]
        credited = u < share
        cred = idx[credited]
        if len(cred) == 0:
            return
        ch.ref_gp[cred] = self.families.gp[ch.family[cred]]
        partner = np.full(len(cred), S.P_SPECIALIST, dtype=ch.ref_partner.dtype)
        if block in ("wijkteam", "unmet"):
            # u / share is uniform again among the credited children
            other = u[credited] / share >= p[f"init.{block}_credited_specialist_share"]
            partner[other] = S.P_WIJKTEAM if block == "wijkteam" else S.P_JGZ
        ch.ref_partner[cred] = partner
        ch.ref_feedback[cred] = (
            self.streams.uniform(Purpose.INIT + 9, ch.uid[cred], 0) < self.feedback_share()
        )

    def _warm_start_unmet(self, idx: np.ndarray) -> None:
        """Children in unmet need at the start: some had help earlier in this episode, some wait
        before they ask again (init.unmet_*), as at the baseline's steady state."""
        p, ch = self.p, self.children
        uid = ch.uid[idx]
        u_helped = self.streams.uniform(Purpose.INIT + 4, uid, 0)
        u_blocked = self.streams.uniform(Purpose.INIT + 5, uid, 0)
        u_left = self.streams.uniform(Purpose.INIT + 6, uid, 0)
        ch.helped[idx] = u_helped < p["init.unmet_helped_share"]
        b = u_blocked < p["init.unmet_blocked_share"]
        ch.blocked_until[idx[b]] = _whole_weeks(u_left[b], p["init.unmet_blocked_weeks"])

    # -- views used by the phases --------------------------------------------------------------
    def measuring(self, week: int) -> bool:
        return week >= self.warmup_weeks

    def expected_specialist_wait(self, referrer: int = S.REF_GP) -> float:
        """The wait ``referrer`` expects at specialist care (smoothed observed waits), in weeks.

        Before 2015 it includes the wait for a Bureau Jeugdzorg indication, for the share of that
        referrer's referrals that need one: the GP's (and a family's own) go straight to
        insurer-paid jeugd-ggz with chance ``bjz.ggz_direct_share``; the CJG's and JGZ's always
        go through BJZ. Crises skip the indication; they are few and not counted here."""
        pool = self.specialist
        # np.average's arithmetic without its wrapper (this runs at every referral decision)
        wait = float(np.multiply(pool.expected_wait, pool.places).sum() / pool.places.sum())
        if self.pre2015:
            p = self.p
            via_bjz = p["mechanisms.gatekeeper"]
            if referrer in (S.REF_GP, S.REF_NONE):
                via_bjz *= 1.0 - p["bjz.ggz_direct_share"]
            elif referrer == S.REF_OTHER:
                via_bjz = 0.0
            wait += via_bjz * self.bjz_expected_wait
        return wait

    def feedback_share(self) -> float:
        """Share of referrals after which the GP hears back (M3)."""
        p = self.p
        share = p["feedback.share_after_referral"]
        if p["plan.digital_family_plan"]:
            share = max(share, p["plan.feedback_share"])
        if p["handover.warm"]:
            share = 1.0
        return min(max(float(share * p["mechanisms.feedback"]), 0.0), 1.0)

    def wijkteam_occupancy(self) -> np.ndarray:
        """Caseload per FTE over its norm, per wijkteam: counted at its first use in a week
        (here or in a kernel, ``routing.occupancy``) and kept for the rest of the week."""
        return routing.wijkteam_occupancy(self)

    def knowledge_of_offer(self) -> float:
        """Families' knowledge of the local offer (0-1), higher where the practice has a
        practice worker (M8)."""
        p = self.p
        k = p["seek.knowledge_of_offer"]
        if self.has_worker:
            k = k + p["seek.worker_knowledge_boost"]
        return min(max(k, 0.0), 1.0)

    def worker_sessions_capacity(self) -> np.ndarray:
        p = self.p
        hours = p["practice_worker.hours_per_week"] * self.worker_present_this_week
        return hours / p["practice_worker.session_hours"]

    def worker_room(self) -> np.ndarray:
        """Whether each practice's worker has room in its caseload for another child (its
        sessions this week x sessions per trajectory, over the children it has)."""
        if not self.has_worker:
            return np.zeros(self.n_gp, dtype=bool)
        ch = self.children
        load = np.bincount(
            self.families.gp[ch.family[ch.state == S.PRACTICE_WORKER]], minlength=self.n_gp
        )
        sessions = self.p["practice_worker.sessions_per_trajectory"]
        return load < self.worker_sessions_capacity() * sessions

    # -- parameters between weeks (workshop sliders) -------------------------------------------
    # Settings fixed at construction: they shape the tables and the organisations.
    # The warm start (init.*) is read once, at construction.
    STRUCTURAL = frozenset(
        {
            "population.children_per_family",
            "population.families_per_gp_practice",
            "population.families_per_neighbourhood",
            "specialist.providers",
            "residential.providers",
            *(name for name in REGISTRY if name.startswith("init.")),
        }
    )

    def _base_fte(self, p) -> np.ndarray:
        """Wijkteam FTE per neighbourhood from the FTE rate (without the budget moved to the front)."""
        kids = np.bincount(self.families.hood[self.children.family], minlength=self.n_hood)
        return p["wijkteam.fte_per_1000_children"] * kids / 1000.0

    def set_params(self, overrides: dict) -> None:
        """Change parameters between weeks, validated like scenario files.

        Structural settings fixed at construction (population sizes, number of providers) cannot
        change; the era can (validation V1 switches from pre-2015 to 2015 rules after warm-up).
        Onset times are redrawn from each child's own stream, as their hazard may have changed.
        """
        clean = validate_values(overrides, "set_params")
        bad = sorted(set(clean) & self.STRUCTURAL)
        if bad:
            raise ParameterError(
                f"set_params: parameter {bad[0]!r} is structural and cannot change in a running model"
            )
        old = self.p
        self.p = self.p.replace(clean)
        had_worker = self.has_worker
        self._configure()
        if self.has_worker and not had_worker:
            self.collab.trust[:, S.P_WORKER] = self.p["trust.init_practice_worker"]
        for key, pool in (
            ("specialist.places_per_1000_children", self.specialist),
            ("residential.places_per_1000_children", self.residential),
        ):
            if clean.get(key, old[key]) != old[key]:
                # New places per provider at the new rate; places in use are never taken away.
                start = np.full(pool.n, clean[key] * self.n_children_k / pool.n)
                if key.startswith("specialist"):
                    start *= 1 - self.p["funding.front_shift_share"]
                ratio = np.divide(
                    pool.places, pool.places0, out=np.ones(pool.n), where=pool.places0 > 0
                )
                pool.places0 = start
                occupied = np.bincount(
                    self.children.provider[
                        self.children.state
                        == (S.SPECIALIST if pool is self.specialist else S.RESIDENTIAL)
                    ],
                    minlength=pool.n,
                )
                pool.places = np.maximum(start * ratio, occupied)
        if (
            clean.get("wijkteam.fte_per_1000_children", old["wijkteam.fte_per_1000_children"])
            != old["wijkteam.fte_per_1000_children"]
        ):
            self.wijkteam_fte = self.wijkteam_fte - self._base_fte(old) + self._base_fte(self.p)
        if "funding.scheme" in clean:
            self.funding = Funding(self)
        self.funding.update()
        healthy = np.flatnonzero(self.children.state == S.NONE)
        self.needs.schedule_onset(healthy, self.week)
        unmet.schedule(self, np.flatnonzero(self.children.state == S.UNMET), self.week - 1)
        self._occ_ready[0] = False

    # -- the week ------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one week through the phases."""
        w = self.week
        if w == self.warmup_weeks:
            self.tally.reset()
            self.cost_at_warmup = self.ledger.total.copy()
        if w == self.contract_week and self.p["funding.scheme"] == "lumpsum":
            self.funding = Funding(self)  # the lumpsum at last year's p×q spending
        self.tally.new_week()
        self._occ_ready[0] = False
        # 1. population: ageing out and births, need onset; unmet need escalates or remits
        #    (event times for children outside help, weekly draws for those on a list).
        self._population(w)
        due = unmet.due(self, w)
        unmet.need_events(self, due, w)
        active = active_rows(self.children.state)
        unmet.evolve_waiting(self, waiting_rows(self.children.state, active), w)
        # 2. signalling and 3. decisions: 'other' streams, help-seeking, JGZ signals.
        self._worker_presence(w)
        signalling.other_inflow(self, w, active)
        unmet.signal_events(self, due, w)
        # 4. escalation of life-threatening situations, admission and care.
        care.escalate(self, w)
        care.indications(self, w)
        stop = self.funding.stopped
        cand = active  # a superset of the children on a list or in care: nobody left 'none' since
        at_residential = care.admissions(
            self, w, self.specialist, S.WAIT_SPECIALIST, S.SPECIALIST, S.PROF_SPECIALIST, stop, cand
        )
        care.admissions(
            self,
            w,
            self.residential,
            S.WAIT_RESIDENTIAL,
            S.RESIDENTIAL,
            S.PROF_RESIDENTIAL,
            False,
            at_residential,
        )
        active = active_rows(self.children.state)
        care.care(self, w, active)
        # 5. collaboration dynamics.
        self._collaboration_contacts(w)
        self.collab.draw_staff_changes(self, w)
        self.collab.step(self, w)
        # 6. funding: costs, budgets, capacity, provider behaviour.
        self.tally.end_week()
        self.needs.flush_onsets(w)
        active, counts, busy = census(self.children.state)
        self.funding.step(self, w, counts, busy)
        if self.check:
            self.invariant_violations += invariants.check(self, w, counts)
        unmet.flush(self, w)
        cost_week = self.ledger.close_week()
        # 7. recording.
        self.recorder.record(self, w, counts, cost_week, busy, active)
        self.week += 1

    def _population(self, w: int) -> None:
        """Children turning 18 leave; a newborn takes each row (same or another family), then
        the week's need onsets."""
        ch = self.children
        out = np.flatnonzero(ch.birth <= w - ADULT_WEEKS)
        if len(out):
            self.next_uid = births(
                context.kernel_context(self, len(out)),
                out,
                w,
                self.next_uid,
                self.streams.key,
                self.p["population.same_family_birth_share"],
                self.families.n,
                self.children_per_family,
            )
            self.recorder.year_children[w // WEEKS_PER_YEAR] += len(out)
        self.needs.onsets(w)

    def _worker_presence(self, w: int) -> None:
        """Which practices have their worker in this week, and the GP contacts that brings."""
        if not self.has_worker:
            self.worker_present_this_week[:] = False
            return
        self.worker_present_this_week[:] = True
        self.collab.add(
            self.collab.in_person,
            np.arange(self.n_gp),
            S.P_WORKER,
            self.p["practice_worker.contacts_per_visit"],
        )

    def _collaboration_contacts(self, w: int) -> None:
        """Case-based meetings of GPs in the wijkteam; practice-worker utilisation."""
        p = self.p
        meet = p["gp.wijkteam_meetings_per_week"]
        if meet > 0:
            ch = self.children
            in_team = ch.state == S.WIJKTEAM
            cases = np.bincount(self.families.gp[ch.family[in_team]], minlength=self.n_gp)
            self.collab.add(
                self.collab.in_person, np.arange(self.n_gp), S.P_WIJKTEAM, meet * (cases > 0)
            )
        self.collab.gp_hours = float(self.collab.in_person.sum()) * p["gp.hours_per_meeting"]
        if self.has_worker:
            cap = self.worker_sessions_capacity().sum()
            self.worker_utilisation_week = (
                float(self.worker_sessions_held.sum() / cap) if cap else 0.0
            )
        self.worker_sessions_held[:] = 0

    # -- running ------------------------------------------------------------------------------
    def run(self, progress=None) -> dict:
        """Run all weeks (warm-up and measured) and return the summary."""
        while self.week < self.total_weeks:
            self.step()
            if progress is not None:
                progress.update(1)
        return summarise(self)

    def family_view(self, family: int) -> dict:
        """A read-only view of one family and its children (for notebooks and the workshop)."""
        fam, ch = self.families, self.children
        kids = np.flatnonzero(ch.family == family)
        return {
            "family": int(family),
            "gp_practice": int(fam.gp[family]),
            "neighbourhood": int(fam.hood[family]),
            "resilience": float(fam.resilience[family]),
            "parental_problems": bool(fam.parental[family]),
            "informal_network": bool(fam.network[family]),
            "help_seeking_shame": bool(fam.shame[family]),
            "children": [
                {
                    "uid": int(ch.uid[i]),
                    "age_years": (self.week - int(ch.birth[i])) / WEEKS_PER_YEAR,
                    "need_level": int(ch.need[i]),
                    "state": S.STATE_NAMES[ch.state[i]],
                    "weeks_in_state": int(self.week - ch.since[i]),
                    "episodes": int(ch.episodes[i]),
                    "cost_eur": float(ch.cost[i]),
                    "professionals": int(S.POPCOUNT[ch.prof_mask[i] & 127]),
                }
                for i in kids
            ],
        }


@numba.njit(cache=True, nogil=True)
def active_rows(state: np.ndarray) -> np.ndarray:
    """The children with a state but none, in order (``np.flatnonzero(state != NONE)``,
    branch-free as in :func:`census`)."""
    out = np.empty(state.size, np.int64)
    n = 0
    for i in range(state.size):
        out[n] = i
        n += state[i] != S.NONE
    return out[:n]


@numba.njit(cache=True, nogil=True)
def waiting_rows(state: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The children of ``rows`` on a waiting list (``states.WAITING``), in order; a corrupt
    state is on none."""
    out = np.empty(rows.size, np.int64)
    n = 0
    for i in rows:
        s = state[i]
        out[n] = i
        n += (s >= 0) and (s < S.N_STATES) and S.WAITING[s]
    return out[:n]


@numba.njit(cache=True, nogil=True)
def census(state: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The children with a state but none (``active``), the children per state, and the
    active ones in a state from WIJKTEAM on (help, a list or care: ``busy``), in one pass
    (numpy took five)."""
    # Branch-free: every row is written and the ends advance by the condition, and the counts
    # go into four interleaved histograms (a corrupt state into a spare slot), so neither
    # unpredictable branches nor a chain of increments to one counter stall the loop.
    n = state.size
    active = np.empty(n, np.int64)
    busy = np.empty(n, np.int64)
    hist = np.zeros((4, S.N_STATES + 1), np.int64)
    na = nb = 0
    for i in range(n):
        s = np.int64(state[i])
        hist[i & 3, s if (s >= 0) & (s < S.N_STATES) else S.N_STATES] += 1
        active[na] = i
        na += s != S.NONE
        busy[nb] = i
        nb += s >= S.WIJKTEAM
    counts = hist[0, : S.N_STATES] + hist[1, : S.N_STATES]
    counts += hist[2, : S.N_STATES] + hist[3, : S.N_STATES]
    return active[:na], counts, busy[:nb]
