"""Recording: this week's tallies, the weekly series and the per-run summary (DESIGN §3 outcomes).

Counters that feed the summary are reset at the end of the warm-up, so the summary covers the
measured weeks only. The weekly series covers all weeks (a ``measured`` column marks the window).
"""

from __future__ import annotations

from collections import defaultdict

import numba
import numpy as np

from sim import states as S
from sim.buffers import Rows
from sim.population import WEEKS_PER_YEAR
from sim.states import Count

TREEKNORM_WEEKS = 14  # 4 weeks to intake + 10 weeks to treatment (public-figures 4.1)
ROUTE_TIERS = ("wijkteam", "specialist", "residential")
QUEUE_STATES = (S.WAIT_SPECIALIST, S.WAIT_RESIDENTIAL, S.WAIT_INDICATION)


def _counter(k: Count) -> property:
    def get(self) -> int:
        return int(self.count[k])

    def put(self, value: int) -> None:
        self.count[k] = value

    return property(get, put, doc=f"``count[Count.{k.name}]``")


class Tally:
    """Event counters of the current run (measured window) and of the current week."""

    for _k in Count:
        locals()[_k.name.lower()] = _counter(_k)
    del _k

    @property
    def onset_help_sum(self) -> float:
        return float(self.count[Count.ONSET_HELP_WEEKS])

    def __init__(self) -> None:
        self.new_traj_week = np.zeros(len(S.REFERRERS), dtype=np.int64)
        self.reset()
        self.new_week()

    def reset(self) -> None:
        self.trajectories = np.zeros(len(S.REFERRERS), dtype=np.int64)
        # Who refers to whom: referrer x destination tier of new trajectories.
        self.routes = np.zeros((len(S.REFERRERS), len(ROUTE_TIERS)), dtype=np.int64)
        self.count = np.zeros(len(Count), dtype=np.int64)
        self.appointments = np.zeros(3, dtype=np.int64)  # gp, practice worker, wijkteam
        self.noshows = np.zeros(3, dtype=np.int64)
        self.stepdowns = defaultdict(int)
        self.stepdowns_jgz = defaultdict(int)
        self.endings = defaultdict(int)
        self.waits = {S.SPECIALIST: [], S.RESIDENTIAL: []}
        self.wait_levels = {S.SPECIALIST: [], S.RESIDENTIAL: []}  # need level at admission
        # Ended specialist trajectories: (need at admission, weeks in care, professionals involved).
        self.specialist_episodes = Rows(width=3)
        self.queue_log = QueueLog()

    def new_week(self) -> None:
        self.gp_consults_week = 0
        self.indications_week = 0
        self.new_traj_week[:] = 0  # in place: kernels hold the array (sim.context)
        self._consults_at_start = self.gp_consults
        self._ind_at_start = self.indications

    def end_week(self) -> None:
        self.gp_consults_week = self.gp_consults - self._consults_at_start
        self.indications_week = self.indications - self._ind_at_start

    def record_waits(
        self,
        care_state: int,
        waits: np.ndarray,
        week: int,
        measuring: bool,
        levels: np.ndarray | None = None,
    ) -> None:
        if measuring:
            self.waits[care_state].append(waits)
            if levels is not None:
                self.wait_levels[care_state].append(levels.copy())


class QueueLog(Rows):
    """One row per child leaving a waiting list: (list state, week joined, week left), in the
    order they left; the per-child W of Little's law (``spells``)."""

    def __init__(self) -> None:
        super().__init__(width=3)

    def spells(self, state: int) -> np.ndarray:
        """(week joined, week left) of every child that left list ``state``, shape (n, 2)."""
        rows = self.view()
        return rows[rows[:, 0] == state, 1:]


SERIES_COLUMNS = (
    ["week", "year", "measured", "children"]
    + [f"n_{s}" for s in S.STATE_NAMES]
    + [f"need_{k}" for k in range(S.N_LEVELS)]
    + [
        "life_threatening",
        "families_crisis",
        "families_life_threatening",
        "families_with_children",
        "specialist_places",
        "residential_places",
        "expected_wait_weeks",
        "wijkteam_occupancy",
        "worker_utilisation",
        "knowledge_mean",
    ]
    + [f"trust_{p}" for p in S.PARTNERS]
    + [f"new_{r}" for r in S.REFERRERS]
    + ["cost_total"]
    + [f"cost_{p}" for p in S.PAYERS]
    + [f"cost_{t}" for t in S.TIERS]
    + ["qaly_loss", "admission_threshold", "registration_stop"]
)
# Column positions in Recorder.table, so a week's row is written by position, not by name.
COL = {name: j for j, name in enumerate(SERIES_COLUMNS)}


def _block(prefix: str, names) -> slice:
    """The columns ``prefix + name`` for ``names``: consecutive in SERIES_COLUMNS."""
    first = COL[f"{prefix}{names[0]}"]
    return slice(first, first + len(names))


_HEAD = slice(0, 4)  # week, year, measured, children
_STATES = _block("n_", S.STATE_NAMES)
_NEEDS = _block("need_", range(S.N_LEVELS))
_TRUST = _block("trust_", S.PARTNERS)
_NEW = _block("new_", S.REFERRERS)
_PAYERS = _block("cost_", S.PAYERS)
_TIERS = _block("cost_", S.TIERS)


def _family_sample(m, week, care_idx, fam, uf, profs) -> np.ndarray:
    """Rows (multi-problem 0/1, professionals, weeks since need began) for families ``uf``.

    A multi-problem family (multiprobleemgezin) has parental problems and at least two children
    with a need; its weeks in care are those of its longest-standing need among children in care.
    """
    ch, fams = m.children, m.families
    needy = np.bincount(ch.family[ch.state != S.NONE], minlength=fams.n)[uf]
    weeks = np.zeros(fams.n)
    np.maximum.at(weeks, fam, (week - ch.onset_start[care_idx]).astype(float))
    multi = fams.parental[uf] & (needy >= 2)
    return np.stack([multi.astype(float), profs.astype(float), weeks[uf]], axis=1)


@numba.njit(cache=True, nogil=True)
def _child_counts(
    busy, active, state, need, overtreated, life_threat, family, years, year, fam_mark, stamp
):
    """One pass over this week's children for the recorder (compiled: numpy needed a dozen
    passes). ``years`` rows are the in-care-year marks (any care, not wijkteam, without stay,
    at a provider); a child's mark is set to ``year`` the first week it counts in that year.
    Families are counted once each through ``fam_mark`` (a row for crisis, one for
    life-threatening), stamped with ``stamp`` (the week: never reused).

    Returns (new per mark [4], need counts over ``active`` [5], over-treated in care, flagged
    life-threatening, families with a crisis, families with a life-threatening child)."""
    new = np.zeros(4, np.int64)
    over = 0
    for i in busy:
        st = state[i]
        if st != S.WIJKTEAM and st != S.SPECIALIST and st != S.RESIDENTIAL:
            continue
        if overtreated[i]:
            over += 1
        hits = (True, st != S.WIJKTEAM, st != S.RESIDENTIAL, st == S.SPECIALIST)
        for k in range(4):
            if hits[k] and years[k, i] != year:
                years[k, i] = year
                new[k] += 1
    need_counts = np.zeros(S.N_LEVELS, np.int64)
    lt = 0
    fam_crisis = 0
    fam_lt = 0
    for i in active:
        need_counts[need[i]] += 1
        if need[i] == 4:
            f = family[i]
            if fam_mark[0, f] != stamp:
                fam_mark[0, f] = stamp
                fam_crisis += 1
        if life_threat[i]:
            lt += 1
            f = family[i]
            if fam_mark[1, f] != stamp:
                fam_mark[1, f] = stamp
                fam_lt += 1
    return new, need_counts, over, lt, fam_crisis, fam_lt


class Recorder:
    """The weekly series (preallocated columns) and per-year counts of children in care."""

    def __init__(self, total_weeks: int) -> None:
        # One row per week; ``cols`` are its columns by name (views, so writing a row fills them).
        self._make_table(total_weeks)
        self.year_in_care: dict[int, int] = defaultdict(int)
        self.year_in_spec: dict[int, int] = defaultdict(int)
        self.year_without_stay: dict[int, int] = defaultdict(int)
        self.year_at_provider: dict[int, int] = defaultdict(int)
        self.year_children: dict[int, int] = defaultdict(int)
        self.prof_samples: list[float] = []
        # Quarterly, per family with a child in care: (multi-problem, professionals, weeks since
        # the need of its longest-standing child in care began) (V10, seeds/001 L1308).
        self.family_samples: list[np.ndarray] = []
        self.qaly_measured = 0.0
        self.fam_mark = np.full((2, 0), -1, dtype=np.int64)  # see _child_counts

    def _make_table(self, weeks: int, old: np.ndarray | None = None) -> None:
        self.table = np.zeros((weeks, len(SERIES_COLUMNS)))
        if old is not None:
            self.table[: len(old)] = old
        self.cols = {c: self.table[:, j] for j, c in enumerate(SERIES_COLUMNS)}

    def record(
        self,
        m,
        week: int,
        counts: np.ndarray,
        cost_week: np.ndarray,
        busy: np.ndarray,
        active: np.ndarray,
    ) -> None:
        """Record week ``week``; ``busy`` and ``active`` index the children in help or waiting, and
        with any state but none (so full-table scans are avoided)."""
        n = len(self.table)
        if week >= n:  # stepping past the planned run (workshop, notebooks)
            self._make_table(n + max(n, WEEKS_PER_YEAR), self.table)
        p, ch = m.p, m.children
        year = week // WEEKS_PER_YEAR
        if week % WEEKS_PER_YEAR == 0:
            self.year_children[year] += ch.n
        # Children in care at any time in the calendar year (DESIGN §3 definition), not in
        # wijkteam help, without stay (wijkteam or ambulant specialist care) and at a provider;
        # needs, the life-threatening flag and families with a crisis: one compiled pass.
        if self.fam_mark.shape[1] != m.families.n:
            self.fam_mark = np.full((2, m.families.n), -1, dtype=np.int64)
        new, need_counts, over, n_lt, fam_crisis, fam_lt = _child_counts(
            busy,
            active,
            ch.state,
            ch.need,
            ch.overtreated,
            ch.life_threat,
            ch.family,
            ch.year_marks,
            year,
            self.fam_mark,
            week,
        )
        self.year_in_care[year] += int(new[0])
        self.year_in_spec[year] += int(new[1])
        self.year_without_stay[year] += int(new[2])
        self.year_at_provider[year] += int(new[3])
        need_counts[0] += ch.n - len(active)
        dis = np.array(
            [
                0.0,
                p["qaly.disutility_light"],
                p["qaly.disutility_moderate"],
                p["qaly.disutility_severe"],
                p["qaly.disutility_crisis"],
            ]
        )
        qaly = (
            need_counts @ dis + over * p["qaly.disutility_overtreatment"] * p["mechanisms.stigma"]
        ) / WEEKS_PER_YEAR
        measured = m.measuring(week)
        if measured:
            self.qaly_measured += qaly
            care_idx = busy[S.IN_CARE[ch.state[busy]]] if week % 13 == 0 else busy[:0]
            if len(care_idx):
                fam = ch.family[care_idx]
                mask = np.zeros(m.families.n, dtype=np.int64)
                np.bitwise_or.at(mask, fam, ch.prof_mask[care_idx].astype(np.int64))
                uf = np.unique(fam)
                profs = S.POPCOUNT[mask[uf] & 127]
                self.prof_samples.append(float(profs.mean()))
                self.family_samples.append(_family_sample(m, week, care_idx, fam, uf, profs))

        row = self.table[week]
        row[_HEAD] = week, year, measured, ch.n
        row[_STATES] = counts
        row[_NEEDS] = need_counts
        row[COL["life_threatening"]] = n_lt
        # Families with a child in crisis / life-threatening: the Almere pyramid counts
        # "jeugdigen/gezinnen" (seeds/001 L1255-1257), so V8 reads both units.
        row[COL["families_crisis"]] = fam_crisis
        row[COL["families_life_threatening"]] = fam_lt
        if measured:  # a family whose children all left at 18 has no youth to count
            row[COL["families_with_children"]] = np.count_nonzero(m.children_per_family)
        row[COL["specialist_places"]] = m.specialist.capacity.sum()
        row[COL["residential_places"]] = m.residential.capacity.sum()
        row[COL["expected_wait_weeks"]] = m.expected_specialist_wait()
        row[COL["wijkteam_occupancy"]] = m.wijkteam_occupancy().mean()
        row[COL["worker_utilisation"]] = m.worker_utilisation_week
        row[COL["knowledge_mean"]] = m.collab.knowledge.mean()
        trust = m.collab.trust
        # A mean per column, each summed on its own: trust.mean(axis=0) sums in another order
        # (other last bits); the rows of the transposed copy sum as the columns do.
        row[_TRUST] = trust.T.copy().mean(axis=1)
        row[_NEW] = m.tally.new_traj_week
        row[COL["cost_total"]] = cost_week.sum()
        row[_PAYERS] = cost_week.sum(axis=1)  # per row, as each row's own sum
        row[_TIERS] = cost_week.T.copy().sum(axis=1)
        row[COL["qaly_loss"]] = qaly
        row[COL["admission_threshold"]] = m.funding.threshold.mean()
        row[COL["registration_stop"]] = m.funding.stopped


def mser5(series: np.ndarray) -> int:
    """MSER-5 truncation point (White 1997): batch means of 5, minimise the marginal standard
    error over truncation points in the first half. Returns the truncation length in weeks."""
    n = len(series) // 5
    if n < 4:
        return 0
    b = series[: n * 5].reshape(n, 5).mean(axis=1)
    best, best_d = np.inf, 0
    for d in range(n // 2):
        rest = b[d:]
        se = rest.var() / len(rest)
        if se < best:
            best, best_d = se, d
    return best_d * 5


def _per_year(weekly: np.ndarray) -> list[float]:
    """Sum a weekly series over whole measured years (a trailing part-year is dropped)."""
    n = len(weekly) // WEEKS_PER_YEAR
    return [float(x) for x in weekly[: n * WEEKS_PER_YEAR].reshape(n, WEEKS_PER_YEAR).sum(axis=1)]


# A run whose QALY loss moves by more than this share of its mean per measured year is called
# drifting. A reporting threshold (it changes no behaviour, so it is not in the registry) and an
# assumption: at the registry's defaults the trend stays within ±0.6% a year at 20,000
# families and 10 years, but reaches ±3.6% at 5,000 families and 5 years (seeds 1-8), so at small
# sizes steady runs can be named too. Under parameter draws whose need keeps growing it is +4% to
# +7% a year (docs/ODD.md, warm-up).
DRIFT_LIMIT = 0.02


def drifting(trend: float) -> bool:
    """Whether a run whose QALY loss trends by ``trend`` (share of its mean per measured year,
    ``qaly_loss_trend_per_year``) drifts: beyond DRIFT_LIMIT the system had not reached a steady
    state, e.g. under a parameter draw whose need keeps growing, or a scenario (lumpsum) whose
    regime starts when measurement starts."""
    return abs(trend) > DRIFT_LIMIT


def drift_note(summary: dict) -> str | None:
    """The line ``youthcare run`` prints on stderr for a drifting run, or None."""
    if not drifting(summary["qaly_loss_trend_per_year"]):
        return None
    return (
        f"note: the QALY loss drifts by {100 * summary['qaly_loss_trend_per_year']:+.1f}% a year "
        f"over the measured years (beyond ±{100 * DRIFT_LIMIT:.0f}%): the figures are averages "
        "over a moving system, not a steady state (docs/ODD.md, warm-up)"
    )


def _trend(yearly: list[float]) -> float:
    """Linear trend of yearly values relative to their mean (share per year); 0 below 2 years."""
    if len(yearly) < 2 or np.mean(yearly) == 0:
        return 0.0
    return float(np.polyfit(np.arange(len(yearly)), yearly, 1)[0] / np.mean(yearly))


def summarise(m) -> dict:
    """The per-run summary (keys documented in README.md)."""
    t, rec = m.tally, m.recorder
    c = rec.cols
    w0, w1 = m.warmup_weeks, m.total_weeks
    years = list(range(w0 // WEEKS_PER_YEAR, w1 // WEEKS_PER_YEAR))
    share = [rec.year_in_care[y] / rec.year_children[y] for y in years if rec.year_children[y]]
    spec_share = [rec.year_in_spec[y] / rec.year_children[y] for y in years if rec.year_children[y]]
    traj = t.trajectories
    ntraj = max(int(traj.sum()), 1)
    waits = np.concatenate(t.waits[S.SPECIALIST]) if t.waits[S.SPECIALIST] else np.zeros(0)
    n_years = (w1 - w0) / WEEKS_PER_YEAR
    cost_total = m.ledger.total - m.cost_at_warmup
    per_year = cost_total / n_years
    municipal_per_year = per_year[0].sum()
    in_care_per_year = float(np.mean([rec.year_in_care[y] for y in years])) if years else 0.0
    wl = c["n_waiting_specialist"][w0:w1]
    slope = np.polyfit(np.arange(len(wl)) / WEEKS_PER_YEAR, wl, 1)[0] if len(wl) > 1 else 0.0
    endings = sum(t.endings.values())
    summary = {
        "scenario": m.scenario_name,
        "seed": m.seed,
        "families": int(m.families.n),
        "children": int(m.children.n),
        "weeks": int(w1 - w0),
        "warmup_weeks": int(w0),
        "mser5_truncation_weeks": int(mser5(c["n_waiting_specialist"][:w1])),
        "children_in_care_share_per_year": float(np.mean(share)) if share else 0.0,
        "children_in_specialist_care_share_per_year": float(np.mean(spec_share))
        if spec_share
        else 0.0,
        "new_trajectories_per_1000_children_per_year": float(traj.sum() / n_years / m.n_children_k),
        "new_trajectories_by_referrer": {
            r: float(traj[i] / ntraj) for i, r in enumerate(S.REFERRERS)
        },
        "trajectories_by_route_per_1000_children_per_year": {
            r: {
                tier: float(t.routes[i, j] / n_years / m.n_children_k)
                for j, tier in enumerate(ROUTE_TIERS)
            }
            for i, r in enumerate(S.REFERRERS)
        },
        "specialist_wait_weeks": {
            "mean": float(waits.mean()) if len(waits) else 0.0,
            "p50": float(np.percentile(waits, 50)) if len(waits) else 0.0,
            "p90": float(np.percentile(waits, 90)) if len(waits) else 0.0,
            "within_treeknorm_share": float(np.mean(waits <= TREEKNORM_WEEKS))
            if len(waits)
            else 1.0,
            "admitted": int(len(waits)),
        },
        "waiting_list_end": int(c["n_waiting_specialist"][w1 - 1]),
        "waiting_list_change_per_year": float(slope / max(wl.mean(), 1.0)) if len(wl) else 0.0,
        "cost_per_year_eur": {
            "total": float(per_year.sum()),
            "by_payer": {name: float(per_year[i].sum()) for i, name in enumerate(S.PAYERS)},
            "by_tier": {name: float(per_year[:, i].sum()) for i, name in enumerate(S.TIERS)},
        },
        "cost_per_child_in_care_eur": float(municipal_per_year / in_care_per_year)
        if in_care_per_year
        else 0.0,
        "qaly_loss_per_1000_children_per_year": float(rec.qaly_measured / n_years / m.n_children_k),
        "referrals_over_under": {
            "over_referral_share": t.over / max(t.decisions, 1),
            "under_referral_share": t.under / max(t.decisions, 1),
        },
        "professionals_per_family_in_care": float(np.mean(rec.prof_samples))
        if rec.prof_samples
        else 0.0,
        "onset_to_help_weeks": t.onset_help_sum / max(t.onset_help_n, 1),
        "escalations_while_waiting_per_year": t.escalations_waiting / n_years,
        "life_threat_escalations_per_year": t.escalations_life_threat / n_years,
        "stepdown_share": sum(t.stepdowns.values()) / max(endings, 1),
        "stepdown_to_jgz_share": sum(t.stepdowns_jgz.values()) / max(endings, 1),
        "withdrawals_per_year": t.withdrawals / n_years,
        "returns_per_year": t.returns / n_years,
        "relapse_share": t.relapses / max(t.exits, 1),
        "duplicate_intake_share": t.duplicate_intakes / max(t.intakes, 1),
        "noshow_share": {
            k: float(t.noshows[i] / max(t.appointments[i], 1))
            for i, k in enumerate(("gp", "practice_worker", "wijkteam"))
        },
        "utilisation": {
            "specialist": float(
                np.mean(c["n_specialist"][w0:w1] / np.maximum(c["specialist_places"][w0:w1], 1))
            ),
            "residential": float(
                np.mean(c["n_residential"][w0:w1] / np.maximum(c["residential_places"][w0:w1], 1))
            ),
            "wijkteam_occupancy": float(np.mean(c["wijkteam_occupancy"][w0:w1])),
            "practice_worker": float(np.mean(c["worker_utilisation"][w0:w1]))
            if m.has_worker
            else None,
        },
        "trust_end": {
            name: float(m.collab.trust[:, j].mean()) for j, name in enumerate(S.PARTNERS)
        },
        "knowledge_end": float(m.collab.knowledge.mean()),
        "crisis_share": float(np.mean(c["need_4"][w0:w1] / c["children"][w0:w1])),
        "life_threatening_share": float(
            np.mean(c["life_threatening"][w0:w1] / c["children"][w0:w1])
        ),
        "crisis_family_share": float(
            np.mean(c["families_crisis"][w0:w1] / c["families_with_children"][w0:w1])
        ),
        "life_threatening_family_share": float(
            np.mean(c["families_life_threatening"][w0:w1] / c["families_with_children"][w0:w1])
        ),
        "cost_perspective_per_measured_year_eur": _per_year(c["cost_total"][w0:w1]),
        "qaly_loss_per_measured_year": _per_year(c["qaly_loss"][w0:w1]),
        "qaly_loss_trend_per_year": _trend(_per_year(c["qaly_loss"][w0:w1])),
        "lumpsum_budget_eur_per_year": m.funding.lumpsum_budget if m.funding.lumpsum else None,
        "scope_note": "children 0-17; young adults 18-22 are out of scope in v1",
        "invariant_violations": int(m.invariant_violations),
    }
    return summary
