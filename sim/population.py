"""Families and children as columns: the family table, the child table, births, ageing and need.

Families and children are agents stored as numpy arrays, one array per attribute, indexed by row
(DESIGN §4). A child's row is reused when the child turns 18 and a newborn takes its place; the
newborn gets a new unique id (``uid``) and so its own random streams. Birth weeks are stored, not
ages. Need onset is drawn once as a time to event and redrawn from the child's own stream when its
hazard changes (age band, relapse window, a parameter change between weeks).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim import states as S
from sim.buffers import Rows
from sim.rng import Purpose, Streams

WEEKS_PER_YEAR = 52
ADULT_WEEKS = 18 * WEEKS_PER_YEAR
BAND_EDGES = np.array([4 * WEEKS_PER_YEAR, 12 * WEEKS_PER_YEAR, ADULT_WEEKS])
NEVER = np.iinfo(np.int32).max // 2


@dataclass
class Families:
    """The family table (gezin): practice, neighbourhood and traits, one row per family."""

    gp: np.ndarray  # int32, GP practice index
    hood: np.ndarray  # int32, neighbourhood (and wijkteam) index
    resilience: np.ndarray  # float64, draagkracht, standard normal score
    parental: np.ndarray  # bool, parental (adult-domain) problems (M18)
    network: np.ndarray  # bool, informal-network help (M17)
    shame: np.ndarray  # bool, help-seeking shame (vraagschaamte, M17)

    @property
    def n(self) -> int:
        return len(self.gp)


YEAR_MARKS = ("in_care", "in_spec", "without_stay", "at_provider")  # rows of year_marks
_INT32 = (
    "family",
    "birth",
    "since",
    "onset_week",
    "onset_start",
    "provider",
    "q_entry",
    "planned_end",
    "blocked_until",
    "relapse_until",
    "episodes",
    "sessions_left",
    "intake_left",
    "ref_gp",
    "noshows",
    "next_event",
)
_INT8 = (
    "need",
    "state",
    "priority",
    "referrer",
    "care_level",
    "prof_mask",
    "route",
    "ref_partner",
    "next_kind",
    "adm_need",
)
_BOOL = (
    "life_threat",
    "onset_real",
    "helped",
    "withdrew",
    "selfhelp",
    "preventive",
    "to_residential",
    "overtreated",
    "ref_feedback",
    "protection",
)
# The child table's columns in one record, for compiled kernels (``Children.cols``: the same
# arrays, so what a kernel writes the numpy code reads).
ChildColumns = namedtuple("ChildColumns", ("uid", *_INT32, *_INT8, *_BOOL, "cost", "year_marks"))


class Children:
    """The child table: one row per child slot, one array per attribute."""

    INT32, INT8, BOOL = _INT32, _INT8, _BOOL

    def __init__(self, n: int):
        self.uid = np.arange(n, dtype=np.int64)
        for a in self.INT32:
            setattr(self, a, np.zeros(n, dtype=np.int32))
        for a in self.INT8:
            setattr(self, a, np.zeros(n, dtype=np.int8))
        for a in self.BOOL:
            setattr(self, a, np.zeros(n, dtype=bool))
        self.cost = np.zeros(n, dtype=np.float64)
        # The last calendar year in which the child counted as in care (row 0), in care other
        # than the wijkteam's (1), in youth help without stay (2) and in care at a provider (3);
        # -1 for never. One array, so the recorder marks all four in one pass.
        self.year_marks = np.full((len(YEAR_MARKS), n), -1, dtype=np.int32)
        self.provider[:] = -1
        self.onset_week[:] = NEVER
        self.relapse_until[:] = -1
        self.ref_gp[:] = -1
        self.next_event[:] = NEVER

        self.cols = ChildColumns(*(getattr(self, a) for a in ChildColumns._fields))

    @property
    def n(self) -> int:
        return len(self.uid)


def make_families(n_families: int, p, streams: Streams) -> Families:
    """Draw the family table: practices in order, neighbourhoods in blocks, traits from streams."""
    ids = np.arange(n_families, dtype=np.int64)
    n_gp = max(1, int(round(n_families / p["population.families_per_gp_practice"])))
    n_hood = max(1, int(round(n_families / p["population.families_per_neighbourhood"])))
    gp = (ids * n_gp // n_families).astype(np.int32)
    # Practices sit inside neighbourhoods: a practice's families share its neighbourhood.
    hood = (gp.astype(np.int64) * n_hood // n_gp).astype(np.int32)
    u = [streams.uniform(Purpose.FAMILY_TRAITS + k, ids, 0) for k in range(4)]
    resilience = streams.normal(Purpose.FAMILY_TRAITS + 4, ids, 0)
    return Families(
        gp=gp,
        hood=hood,
        resilience=resilience,
        parental=u[0] < p["population.parental_problems_share"],
        network=u[1] < p["population.network_share"],
        shame=u[2] < p["population.shame_share"],
    )


def make_children(fam: Families, p, streams: Streams) -> Children:
    """Draw the child table: children per family and birth weeks (ages uniform over 0-17)."""
    fids = np.arange(fam.n, dtype=np.int64)
    extra = p["population.children_per_family"] - 1.0
    # One child per family plus a Poisson number of siblings (inverse-CDF on the family stream).
    u = streams.uniform(Purpose.FAMILY_TRAITS + 5, fids, 0)
    counts = 1 + _poisson_inv(u, extra)
    ch = Children(int(counts.sum()))
    ch.family[:] = np.repeat(fids, counts).astype(np.int32)
    age = (streams.uniform(Purpose.INIT, ch.uid, 0) * ADULT_WEEKS).astype(np.int32)
    ch.birth[:] = -age
    return ch


def _poisson_inv(u: np.ndarray, lam: float) -> np.ndarray:
    """Poisson(lam) by inverting its CDF at uniforms ``u`` (vectorised, small lam)."""
    out = np.zeros(len(u), dtype=np.int64)
    if lam <= 0:
        return out
    k, pk = 0, np.exp(-lam)
    cdf = pk
    while k < 50:
        more = u > cdf
        if not more.any():
            break
        out += more
        k += 1
        pk *= lam / k
        cdf += pk
    return out


class NeedModel:
    """Need onset, escalation and remission of unmet needs (DESIGN §3 'Population')."""

    def __init__(self, model):
        self.m = model
        self.pending = Rows()  # children whose onset time is drawn at the week's end

    # -- onset -------------------------------------------------------------------------------
    def onset_hazard_per_week(self, idx: np.ndarray, week: int) -> np.ndarray:
        """Onset hazard per week for children ``idx`` at ``week`` (age band and family traits)."""
        p, ch = self.m.p, self.m.children
        age = week - ch.birth[idx]
        band = np.searchsorted(BAND_EDGES, age, side="right")
        base = np.array(
            [
                p["need.onset_per_year_0_3"],
                p["need.onset_per_year_4_11"],
                p["need.onset_per_year_12_17"],
                0.0,
            ]
        )[band]
        return base * self.hazard_ratio(idx) / WEEKS_PER_YEAR

    def cumulative_onsets(self, age: np.ndarray) -> np.ndarray:
        """Expected onsets from birth to ``age`` (weeks) at hazard ratio 1, by the age bands."""
        p = self.m.p
        rate = np.array(
            [
                p["need.onset_per_year_0_3"],
                p["need.onset_per_year_4_11"],
                p["need.onset_per_year_12_17"],
            ]
        )
        lo = np.concatenate([[0], BAND_EDGES[:-1]])
        inside = np.clip(
            np.asarray(age, dtype=np.float64)[:, None] - lo[None, :], 0, BAND_EDGES - lo
        )
        return inside @ rate / WEEKS_PER_YEAR

    def recent_onset_chance(self, idx: np.ndarray, week: int) -> Callable[[float], np.ndarray]:
        """A function of ``span`` (weeks) giving, per child in ``idx``, the chance that a need
        began in the ``span`` weeks before ``week`` (or since birth), by the child's own onset
        hazard over that stretch of its life (age bands, parental problems, resilience); relapse
        windows are left out. Ages and hazard ratios are computed once, so the warm start's
        bisection on the span can call it often."""
        age = (week - self.m.children.birth[idx]).astype(np.float64)
        hr = self.hazard_ratio(idx)
        now = self.cumulative_onsets(age)

        def chance(span: float) -> np.ndarray:
            exposure = now - self.cumulative_onsets(np.maximum(age - span, 0.0))
            return -np.expm1(-exposure * hr)

        return chance

    def hazard_ratio(self, idx: np.ndarray) -> np.ndarray:
        """Onset hazard ratio of children ``idx`` from their family's traits."""
        p, fam = self.m.p, self.m.families
        f = self.m.children.family[idx]
        hr = np.where(
            fam.parental[f],
            p["need.parental_hazard_ratio"] ** p["mechanisms.parental_problems"],
            1.0,
        )
        return hr * p["need.resilience_hazard_ratio"] ** fam.resilience[f]

    def schedule_onset(self, idx: np.ndarray, week: int) -> None:
        """Draw the time to the next need onset for children ``idx`` (all without need)."""
        if len(idx) == 0:
            return
        p, ch = self.m.p, self.m.children
        e = self.m.streams.exponential(Purpose.ONSET_TIME, ch.uid[idx], week)
        age = week - ch.birth[idx]
        band_end = (
            ch.birth[idx]
            + BAND_EDGES[np.minimum(np.searchsorted(BAND_EDGES, age, side="right"), 2)]
        )
        h = self.onset_hazard_per_week(idx, week)
        horizon = band_end
        # Within a relapse window the hazard is the relapse hazard (higher after over-treatment).
        rel = ch.relapse_until[idx] > week
        if rel.any():
            over = np.where(
                ch.overtreated[idx],
                p["need.overtreatment_relapse_ratio"] ** p["mechanisms.stigma"],
                1.0,
            )
            h = np.where(rel, np.maximum(h, p["need.relapse_per_year"] / WEEKS_PER_YEAR * over), h)
            horizon = np.where(rel, np.minimum(band_end, ch.relapse_until[idx]), band_end)
        with np.errstate(divide="ignore"):
            t = np.where(h > 0, e / h, np.inf)
        at = week + 1 + np.floor(t)
        real = at < horizon
        ch.onset_week[idx] = np.where(real, at, np.maximum(horizon, week + 1)).astype(np.int32)
        ch.onset_real[idx] = real

    def defer_onset(self, idx: np.ndarray) -> None:
        """Draw the onset time of children ``idx`` (all without need) at the end of this week.

        Their draws depend only on their own stream and traits, which nothing changes later in
        the week, so one batched draw gives the same times as a draw at each exit or birth, and
        costs far less."""
        if len(idx):
            self.pending.add(idx)

    def flush_onsets(self, week: int) -> None:
        """Draw the onset times deferred this week."""
        if len(self.pending):
            self.schedule_onset(self.pending.take(), week)

    def onsets(self, week: int) -> np.ndarray:
        """Children whose need starts this week (rows); reschedules those at a hazard change."""
        m, p, ch = self.m, self.m.p, self.m.children
        due = np.flatnonzero(ch.onset_week == week)
        if len(due) == 0:
            return due
        real = ch.onset_real[due]
        self.defer_onset(due[~real])
        new = due[real]
        if len(new) == 0:
            return new
        u = m.streams.uniform(Purpose.ONSET_LEVEL, ch.uid[new], week)
        sev, mod = p["need.onset_severe_share"], p["need.onset_moderate_share"]
        level = np.where(u < sev, 3, np.where(u < sev + mod, 2, 1)).astype(np.int8)
        ch.need[new] = level
        ch.state[new] = S.UNMET
        ch.since[new] = week
        ch.onset_start[new] = week
        ch.onset_week[new] = NEVER
        ch.helped[new] = False
        ch.episodes[new] += 1
        m.tally.relapses += int(np.count_nonzero(ch.relapse_until[new] > week))
        ch.relapse_until[new] = -1
        ch.overtreated[new] = False
        from sim import unmet

        unmet.defer(m, new)
        return new
