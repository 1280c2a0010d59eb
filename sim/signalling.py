"""Signalling and first decisions: families ask for help, JGZ signals at contact moments, the
'other' streams arrive, and the GP, the wijkteam and JGZ decide (DESIGN §3 help-seeking).
"""

from __future__ import annotations

import numba
import numpy as np

from sim import care, unmet
from sim import states as S
from sim.buffers import push
from sim.care import enter_wijkteam_one, reassure_one, refer_one, send_all
from sim.population import NEVER
from sim.rng import Purpose, uniform_at
from sim.routing import gp_choose_one, jgz_choose_one
from sim.states import Count
from sim.unmet import AGE4, other_rates_of

_PROTECTION_PLACED = int(Purpose.RESIDENTIAL) + 900
_ROUTE, _GP_NOSHOW, _DETECT = int(Purpose.ROUTE), int(Purpose.NOSHOW) + 300, int(Purpose.DETECT)
_PROTECTION, _MEDICAL, _PRESENT, _JGZ_SIGNAL = (
    unmet.PROTECTION,
    unmet.MEDICAL,
    unmet.PRESENT,
    unmet.JGZ,
)


@numba.njit(cache=True, nogil=True)
def _signals(k, r, due, week, wait_gp, wait_jgz, room):
    """Help-seeking, JGZ signals and 'other' entries of the unmet-need children ``due`` whose
    event falls in this week (see :func:`sim.unmet.signal_events`)."""
    # Columns in local variables: a read through the context costs a reference count.
    state, next_event, next_kind, unmet = k.state, k.next_event, k.next_kind, k.unmet
    unmet_n = k.unmet_n
    n = due.size
    live = np.zeros(n, np.bool_)
    for j in range(n):
        i = due[j]
        live[j] = state[i] == S.UNMET and next_event[i] == week
    idx = due[live]
    kind = np.empty(idx.size, np.int8)
    for j in range(idx.size):
        kind[j] = next_kind[idx[j]]
    _protect_and_refer(k, r, idx[kind == _PROTECTION], idx[kind == _MEDICAL], week)
    _present(k, r, idx[kind == _PRESENT], week, wait_gp, room)
    seen = idx[kind == _JGZ_SIGNAL]
    choice = np.empty(seen.size, np.int64)
    for j in range(seen.size):
        choice[j] = jgz_choose_one(k, r, seen[j], week, wait_jgz)
    send_all(k, r, seen, choice, S.REF_JGZ, week, np.full(seen.size, -1, np.int64), False)
    # Children still unmet after their event (e.g. a no-show at the GP) draw their next one.
    for i in idx:
        if state[i] == S.UNMET and next_event[i] == week:
            next_event[i] = NEVER
            push(unmet, unmet_n, i)


@numba.njit(cache=True, nogil=True)
def _present(k, r, go, week, wait_gp, room):
    """Families who ask for help go to the GP, the wijkteam or straight to a free-access
    provider: the GP more often once JGZ contacts thin out after age 4 (M19), the wijkteam more
    often with more knowledge of the offer (M8)."""
    # Columns in local variables: a read through the context costs a reference count.
    birth, need, uid = k.birth, k.need, k.uid
    n = go.size
    route = np.empty(n, np.int8)
    w_wt = r.route_wijkteam * max(1.0 + r.route_knowledge * (r.knowledge_of_offer - 0.5), 0.0)
    for j in range(n):
        i = go[j]
        w_gp = r.route_gp_after_4 if week - birth[i] >= AGE4 else 1.0
        w_d = r.route_direct if need[i] >= 2 else 0.0
        u = uniform_at(r.key, uid[i], week, _ROUTE) * (w_gp + w_wt + w_d)
        route[j] = 0 if u < w_gp else (1 if u < w_gp + w_wt else 2)
    _gp_consult(k, r, go[route == 0], week, wait_gp, room)
    for i in go[route == 1]:
        enter_wijkteam_one(k, r, i, week, False)
    for i in go[route == 2]:
        refer_one(k, r, i, S.REF_NONE, week, False, False)


@numba.njit(cache=True, nogil=True)
def _gp_consult(k, r, idx, week, wait_gp, room):
    """A GP consult: no-show, detection of the problem behind the complaint, then the choice."""
    # Columns in local variables: a read through the context costs a reference count.
    appointments, noshows, count = k.appointments, k.appointment_noshows, k.count
    uid, need, prof_mask, gp, family = k.uid, k.need, k.prof_mask, k.gp, k.family
    come = np.empty(idx.size, np.bool_)
    for j in range(idx.size):
        appointments[0] += 1
        come[j] = not uniform_at(r.key, uid[idx[j]], week, _GP_NOSHOW) < r.noshow_gp
        if not come[j]:
            noshows[0] += 1
    idx = idx[come]
    count[Count.GP_CONSULTS] += idx.size
    seen = np.empty(idx.size, np.bool_)
    for j in range(idx.size):
        i = idx[j]
        detect = 1.0 - r.gp_miss ** float(need[i])
        seen[j] = uniform_at(r.key, uid[i], week, _DETECT) < detect
    for i in idx[~seen]:
        reassure_one(k, i, week, r.blocked_after_reassurance, r.selfhelp_material)
    d = idx[seen]
    choice = np.empty(d.size, np.int64)
    gps = np.empty(d.size, np.int64)
    for j in range(d.size):
        prof_mask[d[j]] |= S.PROF_GP
    for j in range(d.size):
        choice[j] = gp_choose_one(k, r, d[j], week, wait_gp, room)
        gps[j] = gp[family[d[j]]]
    send_all(k, r, d, choice, S.REF_GP, week, gps, r.selfhelp_material)


def signal_events(m, idx: np.ndarray, week: int) -> None:
    """Help-seeking, JGZ signals and 'other' entries that fall in this week, for the children
    ``idx`` whose next unmet-need event is due (:func:`_signals`)."""
    if len(idx) == 0:
        return
    r = m.care_rules
    _signals(
        care.ctx(m, 3 * len(idx)),
        r,
        idx,
        int(week),
        m.rule_values.beta_wait * m.expected_specialist_wait(S.REF_GP),
        m.rule_values.beta_wait * m.expected_specialist_wait(S.REF_JGZ),
        m.worker_room(),
    )


def route_presentations(m, go: np.ndarray, week: int) -> None:
    """Families of children ``go`` ask for help this week (:func:`_present`)."""
    if len(go):
        r = m.care_rules
        _present(
            care.ctx(m, 3 * len(go)),
            r,
            go,
            int(week),
            m.rule_values.beta_wait * m.expected_specialist_wait(S.REF_GP),
            m.worker_room(),
        )


_OTHER_PROTECTION, _OTHER_MEDICAL = int(Purpose.OTHER_PROTECTION), int(Purpose.OTHER_MEDICAL)


@numba.njit(cache=True, nogil=True)
def _other_inflow(k, r, rates, active, week):
    """Child protection and medical-specialist entries of children in light help."""
    state, need, uid = k.state, k.need, k.uid  # locals: a read through k costs a refcount
    n = 0
    cand = np.empty(active.size, np.int64)
    for i in active:
        # Only moderate needs and worse can enter these streams; each child's draw is its own.
        if S.JGZ_SUPPORT <= state[i] <= S.WIJKTEAM and need[i] >= 2:
            cand[n] = i
            n += 1
    cand = cand[:n]
    prot = np.zeros(n, np.bool_)
    med = np.zeros(n, np.bool_)
    for j in range(n):
        i = cand[j]
        w_prot, w_med = other_rates_of(rates, need[i])
        prot[j] = uniform_at(r.key, uid[i], week, _OTHER_PROTECTION) < w_prot
        med[j] = not prot[j] and uniform_at(r.key, uid[i], week, _OTHER_MEDICAL) < w_med / max(
            1.0 - w_prot, 1e-12
        )
    _protect_and_refer(k, r, cand[prot], cand[med], week)


@numba.njit(cache=True, nogil=True)
def _protect_and_refer(k, r, prot, med, week):
    """Children ``prot`` come under child protection, some of them placed at once; children
    ``med`` are referred by a medical specialist."""
    placed = np.empty(prot.size, np.bool_)
    for j in range(prot.size):
        i = prot[j]
        k.protection[i] = True
        placed[j] = uniform_at(r.key, k.uid[i], week, _PROTECTION_PLACED) < r.protection_placed
    for i in prot[placed]:
        refer_one(k, r, i, S.REF_OTHER, week, True, False)
    for i in prot[~placed]:
        refer_one(k, r, i, S.REF_OTHER, week, False, False)
    for i in med:
        refer_one(k, r, i, S.REF_OTHER, week, False, False)


def other_inflow(m, week: int, active: np.ndarray) -> None:
    """Streams the model does not explain, child protection (GI) and medical specialists, for
    children in light help (JGZ, practice worker, wijkteam); children with unmet need outside help
    meet these streams as events in ``sim.unmet``."""
    _other_inflow(care.ctx(m, 2 * len(active)), m.care_rules, m.unmet_rates, active, int(week))
