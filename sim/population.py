"""Families and children as columns: the family table, the child table, births, ageing and need.

Families and children are agents stored as numpy arrays, one array per attribute, indexed by row
(DESIGN §4). A child's row is reused when the child turns 18 and a newborn takes its place; the
newborn gets a new unique id (``uid``) and so its own random streams. Birth weeks are stored, not
ages. Need onset is drawn once as a time to event and redrawn from the child's own stream when its
hazard changes (age band, relapse window, a parameter change between weeks).
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from sim import states as S
from sim.buffers import Rows, push, push_row
from sim.rng import Purpose, Streams, stream_base, uniform_of

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
        ch, fam = self.m.children, self.m.families
        return _onset_hazards(
            idx, week, ch.birth, ch.family, fam.parental, fam.resilience, *self._hazard_args()
        )

    def _hazard_args(self) -> tuple:
        """The registry's onset rates per year by age band, and the families' hazard ratios."""
        p = self.m.p
        rates = (
            p["need.onset_per_year_0_3"],
            p["need.onset_per_year_4_11"],
            p["need.onset_per_year_12_17"],
        )
        return (
            np.array(rates),
            p["need.parental_hazard_ratio"] ** p["mechanisms.parental_problems"],
            p["need.resilience_hazard_ratio"],
        )

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
        ch, fam = self.m.children, self.m.families
        _, parental, resilience = self._hazard_args()
        return _hazard_ratios(idx, ch.family, fam.parental, fam.resilience, parental, resilience)

    def schedule_onset(self, idx: np.ndarray, week: int) -> None:
        """Draw the time to the next need onset for children ``idx`` (all without need):
        one exponential draw at the child's hazard until the end of its age band (or of its
        relapse window, where the hazard is the relapse hazard, higher after over-treatment),
        where it is drawn again."""
        if len(idx) == 0:
            return
        p, ch, fam = self.m.p, self.m.children, self.m.families
        _schedule_onsets(
            idx,
            int(week),
            self.m.streams.key,
            ch.uid,
            ch.birth,
            ch.family,
            ch.relapse_until,
            ch.overtreated,
            ch.onset_week,
            ch.onset_real,
            fam.parental,
            fam.resilience,
            *self._hazard_args(),
            p["need.relapse_per_year"] / WEEKS_PER_YEAR,
            p["need.overtreatment_relapse_ratio"] ** p["mechanisms.stigma"],
        )

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

    def onsets(self, week: int) -> None:
        """Needs that start this week (``_onsets``); a child whose drawn time marked a hazard
        change instead is drawn again at the week's end."""
        from sim.context import kernel_context

        p, ch = self.m.p, self.m.children
        due = np.flatnonzero(ch.onset_week == week)
        if len(due):
            _onsets(
                kernel_context(self.m, len(due)),
                due,
                int(week),
                self.m.streams.key,
                p["need.onset_severe_share"],
                p["need.onset_moderate_share"],
            )


_ONSET_TIME, _ONSET_LEVEL = int(Purpose.ONSET_TIME), int(Purpose.ONSET_LEVEL)


@numba.njit(cache=True, nogil=True)
def hazard_ratio_of(parental: bool, resilience: float, parental_ratio: float, ratio_per_sd: float):
    """Onset hazard ratio of a child of a family with parental problems (M18) or not, and of
    resilience ``resilience`` (standard deviations)."""
    hr = parental_ratio if parental else 1.0
    return hr * ratio_per_sd**resilience


@numba.njit(cache=True, nogil=True)
def onset_hazard_of(age, hr, rates):
    """Onset hazard per week at ``age`` (weeks) for hazard ratio ``hr``: the age band's rate
    per year (``rates``: 0-3, 4-11 and 12-17 years), none from 18."""
    for band in range(3):
        if age < BAND_EDGES[band]:
            return rates[band] * hr / WEEKS_PER_YEAR
    return 0.0


@numba.njit(cache=True, nogil=True)
def _hazard_ratios(idx, family, parental, resilience, parental_ratio, ratio_per_sd):
    out = np.empty(idx.size)
    for j in range(idx.size):
        f = family[idx[j]]
        out[j] = hazard_ratio_of(parental[f], resilience[f], parental_ratio, ratio_per_sd)
    return out


@numba.njit(cache=True, nogil=True)
def _onset_hazards(idx, week, birth, family, parental, resilience, rates, parental_ratio, per_sd):
    out = np.empty(idx.size)
    for j in range(idx.size):
        i = idx[j]
        f = family[i]
        hr = hazard_ratio_of(parental[f], resilience[f], parental_ratio, per_sd)
        out[j] = onset_hazard_of(week - birth[i], hr, rates)
    return out


@numba.njit(cache=True, nogil=True)
def _schedule_onsets(
    idx,
    week,
    key,
    uid,
    birth,
    family,
    relapse_until,
    overtreated,
    onset_week,
    onset_real,
    parental,
    resilience,
    rates,
    parental_ratio,
    per_sd,
    relapse_rate,
    overtreated_ratio,
):
    b_time = stream_base(key, week, _ONSET_TIME)
    for i in idx:
        f = family[i]
        age = week - birth[i]
        band = 0
        while band < 2 and age >= BAND_EDGES[band]:
            band += 1
        horizon = birth[i] + BAND_EDGES[band]
        h = onset_hazard_of(
            age, hazard_ratio_of(parental[f], resilience[f], parental_ratio, per_sd), rates
        )
        if relapse_until[i] > week:
            h = max(h, relapse_rate * (overtreated_ratio if overtreated[i] else 1.0))
            horizon = min(horizon, relapse_until[i])
        e = -math.log1p(-uniform_of(uid[i], b_time))
        at = week + 1 + np.floor(e / h) if h > 0 else np.inf
        if at < horizon:
            onset_week[i] = np.int32(at)
            onset_real[i] = True
        else:
            onset_week[i] = max(horizon, week + 1)
            onset_real[i] = False


@numba.njit(cache=True, nogil=True)
def _onsets(k, due, week, key, severe, moderate):
    # Columns in local variables: a read through the context costs a reference count.
    onset_real, onset_week, uid, need = k.onset_real, k.onset_week, k.uid, k.need
    state, since, onset_start, helped = k.state, k.since, k.onset_start, k.helped
    episodes, relapse_until, overtreated = k.episodes, k.relapse_until, k.overtreated
    next_event, count = k.next_event, k.count
    onsets, onsets_n, unmet, unmet_n = k.onsets, k.onsets_n, k.unmet, k.unmet_n
    b_level = stream_base(key, week, _ONSET_LEVEL)
    for i in due:
        if not onset_real[i]:
            push(onsets, onsets_n, i)  # a hazard change: drawn again at the week's end
            continue
        u = uniform_of(uid[i], b_level)
        need[i] = 3 if u < severe else (2 if u < severe + moderate else 1)
        state[i] = S.UNMET
        since[i] = week
        onset_start[i] = week
        onset_week[i] = NEVER
        helped[i] = False
        episodes[i] += 1
        if relapse_until[i] > week:
            count[S.Count.RELAPSES] += 1
        relapse_until[i] = -1
        overtreated[i] = False
        next_event[i] = NEVER  # its unmet-need events are drawn at the week's end
        push(unmet, unmet_n, i)


_BIRTH_FAMILY, _BIRTH_ELSEWHERE = int(Purpose.BIRTH_FAMILY), int(Purpose.BIRTH_FAMILY) + 500


@numba.njit(cache=True, nogil=True)
def births(k, out, week, next_uid, key, same_family, n_families, per_family):
    """Children ``out`` turn 18 and leave (those on a list are logged as leaving it); a newborn
    with a new id takes each row, in the same family with chance ``same_family`` or else in a
    family drawn at random (``per_family`` counts the children of each family). The newborn
    starts as a fresh row of the table (``Children``); its onset time is drawn at the week's
    end. Returns the next unused id."""
    b_same = stream_base(key, week, _BIRTH_FAMILY)
    b_other = stream_base(key, week, _BIRTH_ELSEWHERE)
    for i in out:
        st = k.state[i]
        if k.waiting[st]:
            push_row(k.log, k.log_n, st, k.q_entry[i], week)
        old = k.uid[i]
        k.uid[i] = next_uid
        next_uid += 1
        per_family[k.family[i]] -= 1
        if uniform_of(old, b_same) >= same_family:
            k.family[i] = np.int32(uniform_of(old, b_other) * n_families)
        per_family[k.family[i]] += 1
        k.birth[i] = week
        # a fresh row: zeros, but for the 'none' markers
        k.since[i] = 0
        k.onset_week[i] = NEVER
        k.onset_start[i] = 0
        k.provider[i] = -1
        k.q_entry[i] = 0
        k.planned_end[i] = 0
        k.blocked_until[i] = 0
        k.relapse_until[i] = -1
        k.episodes[i] = 0
        k.sessions_left[i] = 0
        k.intake_left[i] = 0
        k.ref_gp[i] = -1
        k.noshows[i] = 0
        k.next_event[i] = NEVER
        k.need[i] = 0
        k.state[i] = 0
        k.priority[i] = 0
        k.referrer[i] = 0
        k.care_level[i] = 0
        k.prof_mask[i] = 0
        k.route[i] = 0
        k.ref_partner[i] = 0
        k.next_kind[i] = 0
        k.adm_need[i] = 0
        k.life_threat[i] = False
        k.onset_real[i] = False
        k.helped[i] = False
        k.withdrew[i] = False
        k.selfhelp[i] = False
        k.preventive[i] = False
        k.to_residential[i] = False
        k.overtreated[i] = False
        k.ref_feedback[i] = False
        k.protection[i] = False
        k.cost[i] = 0.0
        k.year_marks[:, i] = -1
        push(k.onsets, k.onsets_n, i)
    return next_uid
