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

import numpy as np

from sim import states as S
from sim.population import NEVER, WEEKS_PER_YEAR
from sim.rng import Purpose

RECOMPUTE, ESCALATE, REMIT, LIFE_THREAT, PROTECTION, MEDICAL, PRESENT, JGZ = range(8)
NEED_EVENTS = (RECOMPUTE, ESCALATE, REMIT, LIFE_THREAT)  # the kinds 0..3, in this order
N_KINDS = 8
AGE4 = 4 * WEEKS_PER_YEAR


def weekly_need_rates(m, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weekly chances of escalation and remission of the untreated needs of children ``idx``."""
    p, ch, fam = m.p, m.children, m.families
    need = ch.need[idx]
    esc = np.where(need >= 3, p["need.crisis_escalation_per_week"], p["need.escalation_per_week"])
    esc = np.where(need >= 4, 0.0, esc)
    waiting = S.WAITING[ch.state[idx]]
    if waiting.any():
        harm = p["need.waiting_harm_ratio"] ** p["mechanisms.waiting_harm"]
        prev = np.where(ch.preventive[idx], p["waiting.preventive_escalation_ratio"], 1.0)
        esc = esc * np.where(waiting, harm * prev, 1.0)
    rem = np.array(
        [
            0.0,
            p["need.remission_per_week_light"],
            p["need.remission_per_week_moderate"],
            p["need.remission_per_week_severe"],
            p["need.remission_per_week_severe"],
        ]
    )[need]
    net = p["need.network_remission_ratio"] ** p["mechanisms.informal_network"]
    rem = rem * np.where(fam.network[ch.family[idx]], net, 1.0)
    rem = rem * np.where(ch.selfhelp[idx] & (need == 1), p["gp.selfhelp_remission_ratio"], 1.0)
    return esc, rem


def weekly_present_rate(m, idx: np.ndarray) -> np.ndarray:
    """Weekly chance that the family asks for help (M8 knowledge of the offer, M17 shame)."""
    p, ch, fam = m.p, m.children, m.families
    need = ch.need[idx]
    rate = np.array(
        [
            0.0,
            p["seek.present_per_week_light"],
            p["seek.present_per_week_moderate"],
            p["seek.present_per_week_severe"],
            p["seek.present_per_week_crisis"],
        ]
    )[need]
    f = ch.family[idx]
    rate = rate * np.where(
        fam.shame[f] & (need < 4), p["seek.shame_ratio"] ** p["mechanisms.informal_network"], 1.0
    )
    know = m.family_knowledge_of_offer(f)
    s8 = p["mechanisms.supply_induced_demand"]
    return rate * np.maximum(1.0 + s8 * p["seek.knowledge_effect"] * (know - 0.5), 0.0)


def weekly_jgz_signal_rate(m, idx: np.ndarray, week: int) -> np.ndarray:
    """Weekly chance of a JGZ contact moment that signals the need (dense at 0-3, sparse after)."""
    p, ch = m.p, m.children
    young = (week - ch.birth[idx]) < AGE4
    contact = (
        np.where(young, p["jgz.contacts_per_year_0_3"], p["jgz.contacts_per_year_4_17"])
        / WEEKS_PER_YEAR
    )
    det = 1.0 - (1.0 - p["jgz.detection"]) ** ch.need[idx]
    return np.minimum(np.maximum(contact * p["jgz.reach"], 0.0), 1.0) * det


def weekly_other_rates(m, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weekly chances of entry through child protection (severe and worse) and a medical specialist."""
    p, need = m.p, m.children.need[idx]
    prot = np.where(need >= 3, p["other.protection_per_week"], 0.0)
    med = np.where(need >= 2, p["other.medical_per_week"], 0.0) * (1.0 - prot)
    return prot, med


def _hazard(prob: np.ndarray) -> np.ndarray:
    """Weekly chance to hazard per week (chances are below 1 by the registry's bounds but one)."""
    return -np.log1p(-np.minimum(prob, 1.0 - 1e-12))


def schedule(m, idx: np.ndarray, week: int) -> None:
    """Draw the next event of unmet-need children ``idx`` from week ``week + 1`` on."""
    if len(idx) == 0:
        return
    p, ch = m.p, m.children
    n = len(idx)
    h = np.zeros((n, N_KINDS))
    esc, rem = weekly_need_rates(m, idx)
    h[:, ESCALATE] = _hazard(esc)
    h[:, REMIT] = _hazard(rem)
    lt = (ch.need[idx] == 4) & ~ch.life_threat[idx]
    h[:, LIFE_THREAT] = np.where(lt, _hazard(np.full(n, p["need.life_threatening_per_week"])), 0.0)
    prot, med = weekly_other_rates(m, idx)
    h[:, PROTECTION] = _hazard(prot)
    h[:, MEDICAL] = _hazard(med)
    blocked = ch.blocked_until[idx] > week + 1
    h[:, PRESENT] = np.where(blocked, 0.0, _hazard(weekly_present_rate(m, idx)))
    h[:, JGZ] = _hazard(weekly_jgz_signal_rate(m, idx, week + 1))
    total = h.sum(axis=1)
    uid = ch.uid[idx]
    e = m.streams.exponential(Purpose.UNMET_TIME, uid, week)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(total > 0, e / total, np.inf)
    at = week + 1 + np.floor(np.minimum(t, 1e8))
    # Rates change at the end of a blocked spell and at the fourth birthday: redraw there.
    horizon = np.full(n, float(NEVER))
    horizon = np.where(blocked, ch.blocked_until[idx], horizon)
    b4 = ch.birth[idx] + AGE4
    horizon = np.where(b4 > week + 1, np.minimum(horizon, b4), horizon)
    u = m.streams.uniform(Purpose.UNMET_KIND, uid, week) * total
    kind = (np.cumsum(h, axis=1) < u[:, None]).sum(axis=1)
    kind = np.minimum(kind, N_KINDS - 1)
    late = at >= horizon
    ch.next_event[idx] = np.where(late, horizon, at).astype(np.int32)
    ch.next_kind[idx] = np.where(late, RECOMPUTE, kind).astype(np.int8)


def defer(m, idx: np.ndarray) -> None:
    """Mark children for a (re)draw at the end of this week, when their rates are final.

    Batching the draws once a week costs far less than drawing at every state change; events
    start from next week either way."""
    if len(idx):
        m.children.next_event[idx] = NEVER
        m.pending_unmet.append(np.asarray(idx))


def flush(m, week: int) -> None:
    """Draw the next event of every child marked this week that is still in unmet need."""
    if not m.pending_unmet:
        return
    idx = np.unique(np.concatenate(m.pending_unmet))
    m.pending_unmet.clear()
    schedule(m, idx[m.children.state[idx] == S.UNMET], week)


def clear(m, idx: np.ndarray) -> None:
    """No unmet-need events for children leaving the unmet state."""
    m.children.next_event[idx] = NEVER


def due(m, week: int) -> np.ndarray:
    return np.flatnonzero(m.children.next_event == week)


def need_events(m, idx: np.ndarray, week: int) -> None:
    """Escalation, remission and life-threatening turns that fall in this week; then redraw."""
    from sim import care

    ch = m.children
    idx = idx[ch.next_kind[idx] <= NEED_EVENTS[-1]]  # the need events are the first kinds
    if len(idx) == 0:
        return
    k = ch.next_kind[idx]
    ch.need[idx[k == ESCALATE]] += 1
    ch.need[idx[k == REMIT]] -= 1
    ch.life_threat[idx[k == LIFE_THREAT]] = True
    ch.life_threat[idx[ch.need[idx] < 4]] = False
    healed = idx[ch.need[idx] == 0]
    care.exit_care(m, healed, week)
    defer(m, idx[ch.need[idx] > 0])


def signal_events(m, idx: np.ndarray, week: int) -> None:
    """Help-seeking, JGZ signals and 'other' entries that fall in this week."""
    from sim import care, signalling
    from sim.routing import jgz_choose

    ch = m.children
    idx = idx[(ch.state[idx] == S.UNMET) & (ch.next_event[idx] == week)]
    if len(idx) == 0:
        return
    k = ch.next_kind[idx]
    prot = idx[k == PROTECTION]
    if len(prot):
        ch.protection[prot] = True
        res = (
            m.streams.uniform(Purpose.RESIDENTIAL + 900, ch.uid[prot], week)
            < m.p["other.protection_residential_share"]
        )
        care.refer_specialist(m, prot[res], S.REF_OTHER, week, residential=True)
        care.refer_specialist(m, prot[~res], S.REF_OTHER, week)
    care.refer_specialist(m, idx[k == MEDICAL], S.REF_OTHER, week)
    signalling.route_presentations(m, idx[k == PRESENT], week)
    seen = idx[k == JGZ]
    if len(seen):
        care.send(m, seen, jgz_choose(m, seen, week), S.REF_JGZ, week)
    # Children still unmet after their event (e.g. a no-show at the GP) draw their next one.
    again = idx[(ch.state[idx] == S.UNMET) & (ch.next_event[idx] == week)]
    defer(m, again)
