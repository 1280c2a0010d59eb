"""Referral decisions: the GP's logit, the practice worker's and JGZ's choices, the wijkteam's
access decision (DESIGN §3 'Suggested formulations').

Each decision is a compiled function of one child (``*_one``, called from the week's kernels)
that returns an option (see ``states.OPT_*``); the model then moves the child. ``gp_choose`` and
the like apply one to a batch of children from Python. Utilities are built from perceived need,
trust, knowledge, expected wait and parents' requests: no option carries an outcome multiplier.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim import states as S
from sim.rng import Purpose, gumbel_of, normal_at, uniform_at
from sim.states import Count

_WIJKTEAM_SEES, _WIJKTEAM_REFER = int(Purpose.PERCEIVE) + 3000, int(Purpose.WIJKTEAM_REFER)
_PW_AVAILABLE = int(Purpose.PW_AVAILABLE)


_GP_SEES, _WORKER_SEES, _JGZ_SEES = (int(Purpose.PERCEIVE) + 1000 * j for j in range(3))
_CHOICE, _REQUEST = int(Purpose.CHOICE), int(Purpose.REQUEST)
_N_OPTIONS = 5


@numba.njit(cache=True, nogil=True)
def _gumbel(key, uid, week, purpose):
    return gumbel_of(uniform_at(key, uid, week, purpose))


@numba.njit(cache=True, nogil=True)
def _fit(r, seen, levels):
    """Utilities of the options by how well their care level fits the perceived need."""
    u = np.empty(_N_OPTIONS)
    for o in range(_N_OPTIONS):
        u[o] = -r.beta_fit * (seen - levels[o]) ** 2
    return u


@numba.njit(cache=True, nogil=True)
def _pick(k, r, i, week, u, levels, offset):
    """Multinomial logit: the option of highest utility plus Gumbel noise (-inf marks one not
    available); counts the decision as over- or under-referral two levels off the need."""
    uid = k.uid[i]
    best, choice = -np.inf, 0
    for o in range(_N_OPTIONS):
        v = u[o] + _gumbel(r.key, uid, week, _CHOICE + offset + o)
        if v > best:
            best, choice = v, o
    count_decision(k, levels[choice], k.need[i])
    return choice


@numba.njit(cache=True, nogil=True)
def count_decision(k, level, need):
    """A referral decision to care of ``level`` for a need of ``need``: two or more levels off
    is over- or under-referral (DESIGN §3 outcomes)."""
    gap = level - need
    k.count[Count.DECISIONS] += 1
    if gap >= 2:
        k.count[Count.OVER] += 1
    elif gap <= -2:
        k.count[Count.UNDER] += 1


@numba.njit(cache=True, nogil=True)
def gp_choose_one(k, r, i, week, wait_term, room):
    """The GP's referral choice for a presenting child whose problem was detected: fit of the
    options to the perceived need (noisier with less knowledge of the social map, M1), trust in
    each partner (M2), knowledge, the expected specialist wait (``wait_term``) and parents'
    requests. The practice worker is an option only where present, at this consult (its hours
    over the GP's consult hours), with ``room`` in its practice's caseload."""
    g = k.gp[k.family[i]]
    uid = k.uid[i]
    know = k.knowledge[g]
    sd = r.gp_noise_sd * (1.0 - r.gp_noise_reduction * min(max(r.s_knowledge * know, 0.0), 1.0))
    seen = k.need[i] + sd * normal_at(r.key, uid, week, _GP_SEES)
    levels = r.levels
    u = _fit(r, seen, levels)
    u[S.OPT_WORKER] += k.trust[g, S.P_WORKER] * r.s_trust
    u[S.OPT_WIJKTEAM] += k.trust[g, S.P_WIJKTEAM] * r.s_trust
    u[S.OPT_JGZ] += k.trust[g, S.P_JGZ] * r.s_trust
    u[S.OPT_SPECIALIST] += k.trust[g, S.P_SPECIALIST] * r.s_trust + r.specialist_constant
    local = r.local_knowledge * know
    u[S.OPT_WORKER] += local
    u[S.OPT_WIJKTEAM] += local
    u[S.OPT_JGZ] += local
    u[S.OPT_REASSURE] += r.reassure_utility
    u[S.OPT_SPECIALIST] -= wait_term
    request = uniform_at(r.key, uid, week, _REQUEST) < r.request_share and k.need[i] >= 2
    u[S.OPT_SPECIALIST] += r.beta_request * (1.0 if request else 0.0)
    avail = (
        r.has_worker
        and uniform_at(r.key, uid, week, _PW_AVAILABLE) < r.worker_share
        and k.worker_present[g]
        and room[g]
    )
    if not avail:
        u[S.OPT_WORKER] = -np.inf
    return _pick(k, r, i, week, u, levels, 0)


@numba.njit(cache=True, nogil=True)
def worker_choose_one(k, r, i, week, wait_term):
    """The practice worker's choice at the end of its sessions: done, wijkteam, JGZ or
    specialist."""
    seen = k.need[i] + r.worker_noise_sd * normal_at(r.key, k.uid[i], week, _WORKER_SEES)
    u = _fit(r, seen, r.levels)
    u[S.OPT_WORKER] = -np.inf  # sessions are over
    u[S.OPT_SPECIALIST] -= wait_term
    return _pick(k, r, i, week, u, r.levels, 5)


@numba.njit(cache=True, nogil=True)
def jgz_choose_one(k, r, i, week, wait_term):
    """JGZ's response to a signalled need: normalise, support, wijkteam or specialist.

    JGZ normalises: it lowers the perceived need by ``jgz.normalising`` (M7's counterweight)."""
    seen = k.need[i] + r.jgz_noise_sd * normal_at(r.key, k.uid[i], week, _JGZ_SEES)
    seen = seen - r.jgz_normalising
    u = _fit(r, seen, r.levels)
    u[S.OPT_WORKER] = -np.inf
    u[S.OPT_JGZ] += r.jgz_support_utility
    u[S.OPT_SPECIALIST] -= wait_term
    return _pick(k, r, i, week, u, r.levels, 0)


@numba.njit(cache=True, nogil=True)
def _choose_all(k, r, idx, week, who, wait_term, room):
    out = np.empty(idx.size, np.int64)
    for j in range(idx.size):
        if who == 0:
            out[j] = gp_choose_one(k, r, idx[j], week, wait_term, room)
        elif who == 1:
            out[j] = worker_choose_one(k, r, idx[j], week, wait_term)
        else:
            out[j] = jgz_choose_one(k, r, idx[j], week, wait_term)
    return out


def _choose(m, idx: np.ndarray, week: int, who: int, referrer: int) -> np.ndarray:
    from sim import care

    wait = m.rule_values.beta_wait * m.expected_specialist_wait(referrer)
    return _choose_all(care.ctx(m, 0), m.care_rules, idx, int(week), who, wait, m.worker_room())


def gp_choose(m, idx: np.ndarray, week: int) -> np.ndarray:
    """The GP's referral choices for presenting children ``idx`` (:func:`gp_choose_one`)."""
    return _choose(m, idx, week, 0, S.REF_GP)


def worker_choose(m, idx: np.ndarray, week: int) -> np.ndarray:
    """The practice worker's choices at the end of sessions (:func:`worker_choose_one`)."""
    return _choose(m, idx, week, 1, S.REF_GP)


def jgz_choose(m, idx: np.ndarray, week: int) -> np.ndarray:
    """JGZ's responses to signalled needs (:func:`jgz_choose_one`)."""
    return _choose(m, idx, week, 2, S.REF_JGZ)


@numba.njit(cache=True, nogil=True)
def _count_occupancy(k, r):
    """Fill ``k.occ``: the children in wijkteam help per neighbourhood over FTE x norm."""
    # Columns in local variables: a read through the context costs a reference count, and
    # this loop reads every child.
    state, family, hood, occ, fte = k.state, k.family, k.hood, k.occ, k.fte
    load = np.zeros(occ.size, np.int64)
    for i in range(state.size):
        if state[i] == S.WIJKTEAM:
            load[hood[family[i]]] += 1
    for h in range(occ.size):
        occ[h] = load[h] / max(fte[h] * r.caseload_norm, 1e-9)
    k.occ_ready[0] = True


@numba.njit(cache=True, nogil=True)
def ensure_occupancy(k, r):
    """Count the wijkteams' occupancy if it was not counted yet this week (``k.occ_ready[0]``):
    it is counted at its first use in the week and kept for the rest of it."""
    if not k.occ_ready[0]:
        _count_occupancy(k, r)


@numba.njit(cache=True, nogil=True)
def occupancy(k, r, h):
    """Caseload per FTE over its norm of wijkteam ``h`` this week (:func:`ensure_occupancy`).
    Per-child functions take no arrays: each array argument costs a reference count per call."""
    ensure_occupancy(k, r)
    return k.occ[h]


@numba.njit(cache=True, nogil=True)
def wijkteam_refers_one(k, r, wait_term, i, week):
    """The wijkteam's access decision: refer to specialist care (True) or help itself.

    Log-odds = constant + slope x (perceived need - 2) + M6 x slope x (occupancy - 1)
    + M7 x slope x medicalising staff share - wait response (``wait_term``)."""
    c = k
    seen = c.need[i] + r.wijkteam_noise_sd * normal_at(r.key, c.uid[i], week, _WIJKTEAM_SEES)
    occ = occupancy(k, r, k.hood[c.family[i]])
    z = (
        r.wijkteam_constant
        + r.wijkteam_need_slope * (seen - 2.0)
        + r.wijkteam_occupancy_slope * (occ - 1.0)
        + r.wijkteam_medicalising
        - wait_term
    )
    refer = uniform_at(r.key, c.uid[i], week, _WIJKTEAM_REFER) < 1.0 / (1.0 + math.exp(-z))
    count_decision(k, 3.0 if refer else 2.0, c.need[i])
    return refer


@numba.njit(cache=True, nogil=True)
def _wijkteam_refers_all(k, r, wait_term, idx, week):
    out = np.empty(idx.size, np.bool_)
    for j in range(idx.size):
        out[j] = wijkteam_refers_one(k, r, wait_term, idx[j], week)
    return out


def wijkteam_refers(m, idx: np.ndarray, week: int) -> np.ndarray:
    """The wijkteam's access decision for children ``idx`` (:func:`wijkteam_refers_one`)."""
    from sim import care

    k = care.ctx(m, 0)
    return _wijkteam_refers_all(k, m.care_rules, care.wijkteam_wait_term(m), idx, week)


def wijkteam_occupancy(m) -> np.ndarray:
    """Caseload per FTE over its norm, per wijkteam, this week (:func:`occupancy`)."""
    from sim import care

    if not m._occ_ready[0]:  # counted already this week: no context needed
        ensure_occupancy(care.ctx(m, 0), m.care_rules)
    return m._occ
