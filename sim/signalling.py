"""Signalling and first decisions: families ask for help, JGZ signals at contact moments, the
'other' streams arrive, and the GP, the wijkteam and JGZ decide (DESIGN §3 help-seeking).
"""

from __future__ import annotations

import numpy as np

from sim import care
from sim import states as S
from sim.population import WEEKS_PER_YEAR
from sim.rng import Purpose
from sim.routing import gp_choose, jgz_choose


def _u(m, purpose, idx, week, extra=0):
    return m.streams.uniform(purpose + extra, m.children.uid[idx], week)


def help_seeking(m, week: int, active: np.ndarray) -> None:
    """Families with unmet need ask for help at the GP, the wijkteam or a free-access provider."""
    ch, fam, p = m.children, m.families, m.p
    un = active[(ch.state[active] == S.UNMET) & (ch.blocked_until[active] <= week)]
    if len(un) == 0:
        return
    need = ch.need[un]
    rate = np.array(
        [
            0.0,
            p["seek.present_per_week_light"],
            p["seek.present_per_week_moderate"],
            p["seek.present_per_week_severe"],
            p["seek.present_per_week_crisis"],
        ]
    )[need]
    f = ch.family[un]
    s17 = p["mechanisms.informal_network"]
    rate = rate * np.where(fam.shame[f] & (need < 4), p["seek.shame_ratio"] ** s17, 1.0)
    know = m.family_knowledge_of_offer(f)
    s8 = p["mechanisms.supply_induced_demand"]
    rate = rate * np.clip(1.0 + s8 * p["seek.knowledge_effect"] * (know - 0.5), 0.0, None)
    go = un[_u(m, Purpose.PRESENT, un, week) < rate]
    if len(go) == 0:
        return
    # Route: GP (more so once JGZ contacts thin out after age 4, M19), wijkteam, or direct.
    age4 = (week - ch.birth[go]) >= 4 * WEEKS_PER_YEAR
    w_gp = np.where(age4, p["seek.after_4_gp_ratio"], 1.0)
    know_go = m.family_knowledge_of_offer(ch.family[go])
    w_wt = p["seek.route_wijkteam_weight"] * np.clip(1.0 + s8 * (know_go - 0.5), 0.0, None)
    w_d = np.where(ch.need[go] >= 2, p["seek.route_direct_weight"], 0.0)
    u = _u(m, Purpose.ROUTE, go, week) * (w_gp + w_wt + w_d)
    to_gp = go[u < w_gp]
    to_wt = go[(u >= w_gp) & (u < w_gp + w_wt)]
    direct = go[u >= w_gp + w_wt]
    gp_consult(m, to_gp, week)
    care.enter_wijkteam(m, to_wt, week)
    care.refer_specialist(m, direct, S.REF_NONE, week)


def gp_consult(m, idx: np.ndarray, week: int) -> None:
    """A GP consult: no-show, detection of the problem behind the complaint, then the choice."""
    if len(idx) == 0:
        return
    ch, p = m.children, m.p
    noshow = _u(m, Purpose.NOSHOW, idx, week, 300) < p["seek.noshow_gp"] * p["mechanisms.noshow"]
    m.tally.appointments[0] += len(idx)
    m.tally.noshows[0] += int(noshow.sum())
    idx = idx[~noshow]
    m.tally.gp_consults += len(idx)
    need = ch.need[idx]
    detect = 1.0 - (1.0 - p["gp.detection"]) ** need
    seen = _u(m, Purpose.DETECT, idx, week) < detect
    care.reassure(
        m, idx[~seen], week, p["seek.blocked_weeks_after_reassurance"], p["gp.selfhelp_material"]
    )
    d = idx[seen]
    if len(d) == 0:
        return
    ch.prof_mask[d] |= S.PROF_GP
    choice = gp_choose(m, d, week)
    gp = m.families.gp[ch.family[d]]
    care.send(m, d, choice, S.REF_GP, week, gp=gp, selfhelp=p["gp.selfhelp_material"])


def jgz_contacts(m, week: int, active: np.ndarray) -> None:
    """JGZ contact moments (dense at 0-3, sparse after) signal unmet needs."""
    ch, p = m.children, m.p
    un = active[ch.state[active] == S.UNMET]
    if len(un) == 0:
        return
    young = (week - ch.birth[un]) < 4 * WEEKS_PER_YEAR
    rate = (
        np.where(young, p["jgz.contacts_per_year_0_3"], p["jgz.contacts_per_year_4_17"])
        / WEEKS_PER_YEAR
    )
    rate = rate * p["jgz.reach"]
    contact = un[_u(m, Purpose.JGZ_CONTACT, un, week) < rate]
    if len(contact) == 0:
        return
    det = 1.0 - (1.0 - p["jgz.detection"]) ** ch.need[contact]
    seen = contact[_u(m, Purpose.DETECT, contact, week, 400) < det]
    if len(seen) == 0:
        return
    choice = jgz_choose(m, seen, week)
    care.send(m, seen, choice, S.REF_JGZ, week)


def other_inflow(m, week: int, active: np.ndarray) -> None:
    """Streams the model does not explain: child protection (GI) and medical specialists."""
    ch, p = m.children, m.p
    st = ch.state[active]
    # Only moderate needs and worse can enter these streams; each child's draw is its own.
    cand = active[(st <= S.WIJKTEAM) & (ch.need[active] >= 2)]
    if len(cand) == 0:
        return
    need = ch.need[cand]
    prot = (need >= 3) & (
        _u(m, Purpose.OTHER_PROTECTION, cand, week) < p["other.protection_per_week"]
    )
    med = (
        (~prot)
        & (need >= 2)
        & (_u(m, Purpose.OTHER_MEDICAL, cand, week) < p["other.medical_per_week"])
    )
    pr = cand[prot]
    ch.protection[pr] = True
    res = _u(m, Purpose.RESIDENTIAL, pr, week, 900) < p["other.protection_residential_share"]
    care.refer_specialist(m, pr[res], S.REF_OTHER, week, residential=True)
    care.refer_specialist(m, pr[~res], S.REF_OTHER, week)
    care.refer_specialist(m, cand[med], S.REF_OTHER, week)
