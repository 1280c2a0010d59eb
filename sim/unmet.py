"""Children with unmet need (not in help, not waiting): the time to their next event.

Most children with a need spend most weeks with nothing happening. Instead of a weekly coin per
child and per event, each such child gets the time to the first of its competing events, drawn
once from its own stream (DESIGN §4): escalation, remission, a life-threatening turn, asking for
help, a JGZ signal, or an entry through child protection or a medical specialist. The weekly
chances are the same as a weekly coin would use (hazard = -ln(1 - p)). The draw is redone
whenever a rate changes: a new need level, the end of a 'blocked' spell after reassurance, the
fourth birthday (JGZ contacts thin out), or a parameter change between weeks.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from sim import states as S
from sim.buffers import push
from sim.care import exit_one
from sim.context import kernel_context as care_ctx
from sim.population import NEVER, WEEKS_PER_YEAR
from sim.rng import Purpose, stream_base, uniform_of
from sim.states import Count

RECOMPUTE, ESCALATE, REMIT, LIFE_THREAT, PROTECTION, MEDICAL, PRESENT, JGZ = range(8)
N_KINDS = 8
AGE4 = 4 * WEEKS_PER_YEAR
UNMET_TIME_PURPOSE, UNMET_KIND_PURPOSE = int(Purpose.UNMET_TIME), int(Purpose.UNMET_KIND)
ESCALATE_PURPOSE, REMIT_PURPOSE = int(Purpose.ESCALATE), int(Purpose.REMIT)
LIFE_THREAT_PURPOSE = int(Purpose.LIFE_THREAT)


class Rates(NamedTuple):
    """The registry's weekly chances for children with an unmet need, in one record for the
    compiled kernels (:meth:`from_params`; the model rebuilds it when parameters change)."""

    escalation: float  # need.escalation_per_week, light to severe
    crisis_escalation: float  # need.crisis_escalation_per_week, severe to crisis
    waiting_harm: float  # need.waiting_harm_ratio ** mechanisms.waiting_harm (on a list)
    preventive_escalation: float  # waiting.preventive_escalation_ratio (preventive offer)
    remission_light: float
    remission_moderate: float
    remission_severe: float  # also for a crisis
    network_remission: float  # need.network_remission_ratio ** mechanisms.informal_network
    selfhelp_remission: float  # gp.selfhelp_remission_ratio (light needs with self-help material)
    life_threat: float  # need.life_threatening_per_week (a crisis turns life-threatening)
    protection: float  # other.protection_per_week (severe and crisis)
    medical: float  # other.medical_per_week (moderate and worse)
    present_light: float
    present_moderate: float
    present_severe: float
    present_crisis: float
    shame: float  # seek.shame_ratio ** mechanisms.informal_network (below a crisis)
    knowledge: float  # s8 x seek.knowledge_effect: help-seeking x (1 + this x (knowledge - 0.5))
    jgz_contacts_0_3: float  # contact moments per week before the fourth birthday
    jgz_contacts_4_17: float  # and after it
    jgz_reach: float
    jgz_miss: float  # 1 - jgz.detection: a contact misses each need level with this chance

    @classmethod
    def from_params(cls, p) -> Rates:
        return cls(
            escalation=p["need.escalation_per_week"],
            crisis_escalation=p["need.crisis_escalation_per_week"],
            waiting_harm=p["need.waiting_harm_ratio"] ** p["mechanisms.waiting_harm"],
            preventive_escalation=p["waiting.preventive_escalation_ratio"],
            remission_light=p["need.remission_per_week_light"],
            remission_moderate=p["need.remission_per_week_moderate"],
            remission_severe=p["need.remission_per_week_severe"],
            network_remission=p["need.network_remission_ratio"] ** p["mechanisms.informal_network"],
            selfhelp_remission=p["gp.selfhelp_remission_ratio"],
            life_threat=p["need.life_threatening_per_week"],
            protection=p["other.protection_per_week"],
            medical=p["other.medical_per_week"],
            present_light=p["seek.present_per_week_light"],
            present_moderate=p["seek.present_per_week_moderate"],
            present_severe=p["seek.present_per_week_severe"],
            present_crisis=p["seek.present_per_week_crisis"],
            shame=p["seek.shame_ratio"] ** p["mechanisms.informal_network"],
            knowledge=p["mechanisms.supply_induced_demand"] * p["seek.knowledge_effect"],
            jgz_contacts_0_3=p["jgz.contacts_per_year_0_3"] / WEEKS_PER_YEAR,
            jgz_contacts_4_17=p["jgz.contacts_per_year_4_17"] / WEEKS_PER_YEAR,
            jgz_reach=p["jgz.reach"],
            jgz_miss=1.0 - p["jgz.detection"],
        )


@numba.njit(cache=True, nogil=True)
def need_rates_of(
    r: Rates, need: int, waiting: bool, preventive: bool, network: bool, selfhelp: bool
) -> tuple[float, float]:
    """Weekly chances of escalation and remission of one untreated need (level ``need``)."""
    esc = r.crisis_escalation if need >= 3 else r.escalation
    if need >= 4:
        esc = 0.0
    if waiting:
        esc = esc * (r.waiting_harm * (r.preventive_escalation if preventive else 1.0))
    rem = (0.0, r.remission_light, r.remission_moderate, r.remission_severe, r.remission_severe)[
        need
    ]
    if network:
        rem = rem * r.network_remission
    if selfhelp and need == 1:
        rem = rem * r.selfhelp_remission
    return esc, rem


@numba.njit(cache=True, nogil=True)
def other_rates_of(r: Rates, need: int) -> tuple[float, float]:
    """Weekly chances of entry through child protection (severe and worse) and a medical
    specialist (moderate and worse) of one need."""
    prot = r.protection if need >= 3 else 0.0
    med = (r.medical if need >= 2 else 0.0) * (1.0 - prot)
    return prot, med


@numba.njit(cache=True, nogil=True)
def _hazard(prob: float) -> float:
    """Weekly chance to hazard per week (chances are below 1 by the registry's bounds but one)."""
    return -math.log1p(-min(prob, 1.0 - 1e-12))


@numba.njit(cache=True, nogil=True)
def _hazard_tables(r, know):
    """The hazards (per week) of an unmet need outside a list by the traits they depend on:
    escalation and remission by (level, network, self-help), child protection and medical
    specialist by level, help-seeking by (level, shame) at the families' knowledge of the offer
    ``know``, a JGZ signal by (level, under 4). 70 values per call instead of seven logarithms
    per child; the same expressions, so the same numbers. (Off a list, preventive help changes
    no rate: need_rates_of reads it only for a child on a list.)"""
    esc_h = np.empty((S.N_LEVELS, 2, 2))
    rem_h = np.empty((S.N_LEVELS, 2, 2))
    prot_h = np.empty(S.N_LEVELS)
    med_h = np.empty(S.N_LEVELS)
    pres_h = np.empty((S.N_LEVELS, 2))
    jgz_h = np.empty((S.N_LEVELS, 2))
    seek = max(1.0 + r.knowledge * (know - 0.5), 0.0)
    for lvl in range(S.N_LEVELS):
        for nw in range(2):
            for sh in range(2):
                esc, rem = need_rates_of(r, lvl, False, False, nw == 1, sh == 1)
                esc_h[lvl, nw, sh] = _hazard(esc)
                rem_h[lvl, nw, sh] = _hazard(rem)
        prot, med = other_rates_of(r, lvl)
        prot_h[lvl] = _hazard(prot)
        med_h[lvl] = _hazard(med)
        for shame in range(2):
            pres = (0.0, r.present_light, r.present_moderate, r.present_severe, r.present_crisis)[
                lvl
            ]
            if shame == 1 and lvl < 4:
                pres = pres * r.shame
            pres_h[lvl, shame] = _hazard(pres * seek)
        detect = 1.0 - r.jgz_miss ** float(lvl)
        for young in range(2):
            contact = r.jgz_contacts_0_3 if young == 1 else r.jgz_contacts_4_17
            jgz_h[lvl, young] = _hazard(min(max(contact * r.jgz_reach, 0.0), 1.0) * detect)
    return esc_h, rem_h, prot_h, med_h, pres_h, jgz_h


@numba.njit(cache=True, nogil=True)
def _schedule_kernel(
    r,
    idx,
    week,
    key,
    know,
    need,
    selfhelp,
    life_threat,
    blocked_until,
    birth,
    uid,
    family,
    network,
    shame,
    next_event,
    next_kind,
):
    """The next event of each unmet-need child ``idx`` from week ``week + 1`` on (see
    :func:`schedule`); ``know`` is the families' knowledge of the offer (M8, 0-1)."""
    h = np.zeros(N_KINDS)
    b_time = stream_base(key, week, UNMET_TIME_PURPOSE)
    b_kind = stream_base(key, week, UNMET_KIND_PURPOSE)
    nxt = week + 1
    esc_h, rem_h, prot_h, med_h, pres_h, jgz_h = _hazard_tables(r, know)
    lt_h = _hazard(r.life_threat)
    for j in range(idx.size):
        i = idx[j]
        lvl = need[i]
        f = family[i]
        nw, sh = int(network[f]), int(selfhelp[i])
        h[ESCALATE] = esc_h[lvl, nw, sh]
        h[REMIT] = rem_h[lvl, nw, sh]
        h[LIFE_THREAT] = lt_h if lvl == 4 and not life_threat[i] else 0.0
        h[PROTECTION] = prot_h[lvl]
        h[MEDICAL] = med_h[lvl]
        blocked = blocked_until[i] > nxt
        h[PRESENT] = 0.0 if blocked else pres_h[lvl, int(shame[f])]
        h[JGZ] = jgz_h[lvl, int(nxt - birth[i] < AGE4)]
        # numpy's pairwise order for a row of eight, so the sums match the earlier code's
        total = ((h[0] + h[1]) + (h[2] + h[3])) + ((h[4] + h[5]) + (h[6] + h[7]))
        e = -math.log1p(-uniform_of(uid[i], b_time))
        t = e / total if total > 0 else np.inf
        at = nxt + math.floor(min(t, 1e8))
        # Rates change at the end of a blocked spell and at the fourth birthday: redraw there.
        horizon = float(NEVER)
        if blocked:
            horizon = float(blocked_until[i])
        b4 = birth[i] + AGE4
        if b4 > nxt:
            horizon = min(horizon, float(b4))
        if at >= horizon:
            next_event[i] = np.int32(horizon)
            next_kind[i] = RECOMPUTE
        else:
            u = uniform_of(uid[i], b_kind) * total
            kind = 0
            acc = 0.0
            for j in range(N_KINDS):
                acc += h[j]
                if acc < u:
                    kind += 1
            next_event[i] = np.int32(at)
            next_kind[i] = min(kind, N_KINDS - 1)


def schedule(m, idx: np.ndarray, week: int) -> None:
    """Draw the next event of unmet-need children ``idx`` from week ``week + 1`` on.

    Each child's hazards of escalation, remission, a life-threatening turn, child protection,
    a medical specialist, asking for help (unless blocked) and a JGZ signal add up to the time
    of the first event (one exponential draw) and its kind (one uniform)."""
    if len(idx) == 0:
        return
    _schedule_kernel(
        m.unmet_rates,
        idx,
        int(week),
        m.streams.key,
        m.knowledge_of_offer(),
        *_schedule_columns(m),
    )


def _schedule_columns(m) -> tuple:
    """The child and family columns that ``_schedule_kernel`` reads and writes, in order."""
    ch, fam = m.children, m.families
    return (
        ch.need,
        ch.selfhelp,
        ch.life_threat,
        ch.blocked_until,
        ch.birth,
        ch.uid,
        ch.family,
        fam.network,
        fam.shame,
        ch.next_event,
        ch.next_kind,
    )


def defer(m, idx: np.ndarray) -> None:
    """Mark children for a (re)draw at the end of this week, when their rates are final.

    Batching the draws once a week costs far less than drawing at every state change; events
    start from next week either way."""
    if len(idx):
        m.children.next_event[idx] = NEVER
        m.pending_unmet.add(idx)


@numba.njit(cache=True, nogil=True)
def _flush(r, data, n, state, week, key, know, *cols):
    """Empty the buffer of marked children (``data[:n[0]]``) and draw the next event of each
    of them (once, in id order) that is still in unmet need; ``know``: the families'
    knowledge of the offer; ``cols``: the child and family columns of ``_schedule_kernel``."""
    ids = np.unique(data[: n[0]])
    n[0] = 0
    keep = np.empty(ids.size, np.bool_)
    for j in range(ids.size):
        keep[j] = state[ids[j]] == S.UNMET
    sel = ids[keep]
    _schedule_kernel(r, sel, week, key, know, *cols)


def flush(m, week: int) -> None:
    """Draw the next event of every child marked this week that is still in unmet need."""
    buf = m.pending_unmet
    if not len(buf):
        return
    _flush(
        m.unmet_rates,
        buf.data,
        buf.n,
        m.children.state,
        int(week),
        m.streams.key,
        m.knowledge_of_offer(),
        *_schedule_columns(m),
    )


def due(m, week: int) -> np.ndarray:
    return np.flatnonzero(m.children.next_event == week)


@numba.njit(cache=True, nogil=True)
def _need_events(k, idx, week):
    # Columns in local variables: a read through the context costs a reference count.
    next_kind, need, life_threat, next_event = k.next_kind, k.need, k.life_threat, k.next_event
    unmet, unmet_n = k.unmet, k.unmet_n
    for i in idx:
        kind = next_kind[i]
        if kind > LIFE_THREAT:  # the need events are the first kinds
            continue
        if kind == ESCALATE:
            need[i] += 1
        elif kind == REMIT:
            need[i] -= 1
        elif kind == LIFE_THREAT:
            life_threat[i] = True
        if need[i] < 4:
            life_threat[i] = False
        if need[i] == 0:
            exit_one(k, i, week)
        else:  # redrawn at the end of the week
            next_event[i] = NEVER
            push(unmet, unmet_n, i)


def need_events(m, idx: np.ndarray, week: int) -> None:
    """Escalation, remission and life-threatening turns that fall in this week for the
    children ``idx`` whose next event is due; a remitted need ends the episode, the others
    draw their next event."""
    if len(idx):
        _need_events(care_ctx(m, len(idx)), idx, week)


@numba.njit(cache=True, nogil=True)
def _evolve_waiting(k, rates, idx, week, key):
    """Weekly escalation and remission of the needs of children ``idx`` on a list."""
    b_esc = stream_base(key, week, ESCALATE_PURPOSE)
    b_rem = stream_base(key, week, REMIT_PURPOSE)
    b_lt = stream_base(key, week, LIFE_THREAT_PURPOSE)
    # Columns in local variables: a read through the context costs a reference count.
    need, preventive, network, family = k.need, k.preventive, k.network, k.family
    selfhelp, uid, life_threat, count = k.selfhelp, k.uid, k.life_threat, k.count
    for i in idx:
        esc, rem = need_rates_of(
            rates, need[i], True, preventive[i], network[family[i]], selfhelp[i]
        )
        if uniform_of(uid[i], b_esc) < esc:
            need[i] += 1
            count[Count.ESCALATIONS_WAITING] += 1
        elif uniform_of(uid[i], b_rem) < rem:
            need[i] -= 1
        # A life-threatening turn of a crisis on the list.
        if need[i] == 4 and not life_threat[i]:
            if uniform_of(uid[i], b_lt) < rates.life_threat:
                life_threat[i] = True
        if need[i] < 4:
            life_threat[i] = False


def evolve_waiting(m, idx: np.ndarray, week: int) -> None:
    """Escalate or remit the need of children ``idx``, all on a waiting list (weekly draws;
    children with unmet need outside a list follow their event times)."""
    if len(idx):
        _evolve_waiting(care_ctx(m, 0), m.unmet_rates, idx, week, m.streams.key)


def signal_events(m, idx: np.ndarray, week: int) -> None:
    """Help-seeking, JGZ signals and 'other' entries that fall in this week
    (``signalling.signal_events``)."""
    from sim import signalling

    signalling.signal_events(m, idx, week)
