"""Referral decisions: the GP's logit, the practice worker's and JGZ's choices, the wijkteam's
access decision (DESIGN §3 'Suggested formulations').

Every decision acts on a batch of children at once and returns an option per child (see
``states.OPT_*``); the model then moves the children. Utilities are built from perceived need,
trust, knowledge, expected wait and parents' requests: no option carries an outcome multiplier.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim import states as S
from sim.metrics import Count
from sim.rng import Purpose, normal_at, uniform_at

_WIJKTEAM_SEES, _WIJKTEAM_REFER = int(Purpose.PERCEIVE) + 3000, int(Purpose.WIJKTEAM_REFER)


def option_levels(p) -> np.ndarray:
    """Care level of each option (reassure, practice worker, wijkteam, JGZ, specialist)."""
    return np.array([0.0, float(p["practice_worker.care_level"]), 2.0, 1.0, 3.0])


def logit(utility: np.ndarray, gumbel: np.ndarray) -> np.ndarray:
    """Multinomial logit choice: argmax of utility plus Gumbel noise (-inf marks unavailable)."""
    return np.argmax(utility + gumbel, axis=1)


def _gumbels(m, idx: np.ndarray, week: int, k: int, offset: int = 0) -> np.ndarray:
    uid = m.children.uid[idx]
    return np.stack(
        [m.streams.gumbel(Purpose.CHOICE + offset + j, uid, week) for j in range(k)], axis=1
    )


def perceived_need(
    m, idx: np.ndarray, week: int, sd: np.ndarray | float, purpose_offset: int = 0
) -> np.ndarray:
    """True need plus a normal error of standard deviation ``sd`` (need levels)."""
    z = m.streams.normal(Purpose.PERCEIVE + purpose_offset * 1000, m.children.uid[idx], week)
    return m.children.need[idx] + sd * z


def gp_choose(m, idx: np.ndarray, week: int) -> np.ndarray:
    """The GP's referral choice for presenting children ``idx`` whose problem was detected."""
    p, ch = m.p, m.children
    g = m.families.gp[ch.family[idx]]
    s_k = p["mechanisms.knowledge"]
    know = m.collab.knowledge[g]
    sd = p["gp.perception_noise_sd"] * (
        1.0 - p["gp.knowledge_noise_reduction"] * np.minimum(np.maximum(s_k * know, 0.0), 1.0)
    )
    perceived = perceived_need(m, idx, week, sd)
    levels = option_levels(p)
    u = -p["gp.beta_fit"] * (perceived[:, None] - levels[None, :]) ** 2
    trust = m.collab.trust[g] * p["mechanisms.trust"]  # columns: worker, wijkteam, jgz, specialist
    u[:, S.OPT_WORKER] += trust[:, S.P_WORKER]
    u[:, S.OPT_WIJKTEAM] += trust[:, S.P_WIJKTEAM]
    u[:, S.OPT_JGZ] += trust[:, S.P_JGZ]
    u[:, S.OPT_SPECIALIST] += trust[:, S.P_SPECIALIST] + p["gp.specialist_constant"]
    local = s_k * p["gp.beta_knowledge"] * know
    u[:, S.OPT_WORKER] += local
    u[:, S.OPT_WIJKTEAM] += local
    u[:, S.OPT_JGZ] += local
    u[:, S.OPT_REASSURE] += p["gp.reassure_utility"]
    u[:, S.OPT_SPECIALIST] -= (
        p["gp.beta_wait"] * p["mechanisms.wait_response"] * m.expected_specialist_wait(S.REF_GP)
    )
    req = m.streams.uniform(Purpose.REQUEST, ch.uid[idx], week) < p["gp.request_share"]
    req &= ch.need[idx] >= 2
    u[:, S.OPT_SPECIALIST] += p["gp.beta_request"] * req
    # The practice worker is an option only where present, at this consult, and the worker has room.
    avail = m.worker_available(g, idx, week)
    u[~avail, S.OPT_WORKER] = -np.inf
    choice = logit(u, _gumbels(m, idx, week, 5))
    m.tally.count_decisions(ch.need[idx], levels[choice])
    return choice


def worker_choose(m, idx: np.ndarray, week: int) -> np.ndarray:
    """The practice worker's choice at the end of its sessions: done, wijkteam, JGZ or specialist."""
    p, ch = m.p, m.children
    perceived = perceived_need(m, idx, week, p["practice_worker.perception_noise_sd"], 1)
    levels = option_levels(p)
    u = -p["gp.beta_fit"] * (perceived[:, None] - levels[None, :]) ** 2
    u[:, S.OPT_WORKER] = -np.inf  # sessions are over
    u[:, S.OPT_SPECIALIST] -= (
        p["gp.beta_wait"] * p["mechanisms.wait_response"] * m.expected_specialist_wait(S.REF_GP)
    )
    choice = logit(u, _gumbels(m, idx, week, 5, offset=5))
    m.tally.count_decisions(ch.need[idx], levels[choice])
    return choice


def jgz_choose(m, idx: np.ndarray, week: int) -> np.ndarray:
    """JGZ's response to a signalled need: normalise, support, wijkteam or specialist.

    JGZ normalises: it lowers the perceived need by ``jgz.normalising`` (M7's counterweight).
    """
    p, ch = m.p, m.children
    perceived = perceived_need(m, idx, week, p["jgz.perception_noise_sd"], 2)
    perceived = perceived - p["jgz.normalising"] * p["mechanisms.medicalisation"]
    levels = option_levels(p)
    u = -p["gp.beta_fit"] * (perceived[:, None] - levels[None, :]) ** 2
    u[:, S.OPT_WORKER] = -np.inf
    u[:, S.OPT_JGZ] += p["jgz.support_utility"]
    u[:, S.OPT_SPECIALIST] -= (
        p["gp.beta_wait"] * p["mechanisms.wait_response"] * m.expected_specialist_wait(S.REF_JGZ)
    )
    choice = logit(u, _gumbels(m, idx, week, 5))
    m.tally.count_decisions(ch.need[idx], levels[choice])
    return choice


@numba.njit(cache=True, nogil=True)
def occupancy(k, r, cand):
    """Caseload per FTE over its norm, per wijkteam, computed at its first use in the week and
    kept for the rest of it (``k.occ``; ``k.occ_ready[0]`` marks it computed)."""
    if not k.occ_ready[0]:
        c = k
        load = np.zeros(k.occ.size, np.int64)
        for i in cand:
            if c.state[i] == S.WIJKTEAM:
                load[k.hood[c.family[i]]] += 1
        for h in range(k.occ.size):
            k.occ[h] = load[h] / max(k.fte[h] * r.caseload_norm, 1e-9)
        k.occ_ready[0] = True
    return k.occ


@numba.njit(cache=True, nogil=True)
def wijkteam_refers_one(k, r, wait_term, cand, i, week):
    """The wijkteam's access decision: refer to specialist care (True) or help itself.

    Log-odds = constant + slope x (perceived need - 2) + M6 x slope x (occupancy - 1)
    + M7 x slope x medicalising staff share - wait response (``wait_term``)."""
    c = k
    seen = c.need[i] + r.wijkteam_noise_sd * normal_at(r.key, c.uid[i], week, _WIJKTEAM_SEES)
    occ = occupancy(k, r, cand)[k.hood[c.family[i]]]
    z = (
        r.wijkteam_constant
        + r.wijkteam_need_slope * (seen - 2.0)
        + r.wijkteam_occupancy_slope * (occ - 1.0)
        + r.wijkteam_medicalising
        - wait_term
    )
    refer = uniform_at(r.key, c.uid[i], week, _WIJKTEAM_REFER) < 1.0 / (1.0 + math.exp(-z))
    # appropriateness of the decision: two or more levels off is over- or under-referral
    gap = (3 if refer else 2) - c.need[i]
    k.count[Count.DECISIONS] += 1
    if gap >= 2:
        k.count[Count.OVER] += 1
    elif gap <= -2:
        k.count[Count.UNDER] += 1
    return refer


@numba.njit(cache=True, nogil=True)
def _wijkteam_refers_all(k, r, wait_term, cand, idx, week):
    out = np.empty(idx.size, np.bool_)
    for j in range(idx.size):
        out[j] = wijkteam_refers_one(k, r, wait_term, cand, idx[j], week)
    return out


def wijkteam_refers(m, idx: np.ndarray, week: int) -> np.ndarray:
    """The wijkteam's access decision for children ``idx`` (:func:`wijkteam_refers_one`)."""
    from sim import care

    m.wijkteam_occupancy()  # computed here if not yet this week
    k = care.ctx(m, 0)
    return _wijkteam_refers_all(k, m.care_rules, care.wijkteam_wait_term(m), idx, idx, week)
