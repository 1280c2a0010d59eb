"""Signalling and first decisions: families ask for help, JGZ signals at contact moments, the
'other' streams arrive, and the GP, the wijkteam and JGZ decide (DESIGN §3 help-seeking).
"""

from __future__ import annotations

import numpy as np

from sim import care
from sim import states as S
from sim.population import WEEKS_PER_YEAR
from sim.rng import Purpose
from sim.routing import gp_choose
from sim.unmet import weekly_other_rates


def _u(m, purpose, idx, week, extra=0):
    return m.streams.uniform(purpose + extra, m.children.uid[idx], week)


def route_presentations(m, go: np.ndarray, week: int) -> None:
    """Families who ask for help go to the GP, the wijkteam or straight to a free-access provider."""
    if len(go) == 0:
        return
    ch, p = m.children, m.p
    s8 = p["mechanisms.supply_induced_demand"]
    # Route: GP (more so once JGZ contacts thin out after age 4, M19), wijkteam, or direct.
    age4 = (week - ch.birth[go]) >= 4 * WEEKS_PER_YEAR
    w_gp = np.where(
        age4, 1.0 + p["mechanisms.jgz_decline"] * (p["seek.after_4_gp_ratio"] - 1.0), 1.0
    )
    know_go = m.family_knowledge_of_offer(ch.family[go])
    k8 = s8 * p["seek.route_knowledge_effect"]
    w_wt = p["seek.route_wijkteam_weight"] * np.maximum(1.0 + k8 * (know_go - 0.5), 0.0)
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


def other_inflow(m, week: int, active: np.ndarray) -> None:
    """Streams the model does not explain, child protection (GI) and medical specialists, for
    children in light help (JGZ, practice worker, wijkteam); children with unmet need outside help
    meet these streams as events in ``sim.unmet``."""
    ch, p = m.children, m.p
    st = ch.state[active]
    # Only moderate needs and worse can enter these streams; each child's draw is its own.
    cand = active[(st >= S.JGZ_SUPPORT) & (st <= S.WIJKTEAM) & (ch.need[active] >= 2)]
    if len(cand) == 0:
        return
    w_prot, w_med = weekly_other_rates(m, cand)
    prot = _u(m, Purpose.OTHER_PROTECTION, cand, week) < w_prot
    med = (~prot) & (
        _u(m, Purpose.OTHER_MEDICAL, cand, week) < w_med / np.maximum(1.0 - w_prot, 1e-12)
    )
    pr = cand[prot]
    ch.protection[pr] = True
    res = _u(m, Purpose.RESIDENTIAL, pr, week, 900) < p["other.protection_residential_share"]
    care.refer_specialist(m, pr[res], S.REF_OTHER, week, residential=True)
    care.refer_specialist(m, pr[~res], S.REF_OTHER, week)
    care.refer_specialist(m, cand[med], S.REF_OTHER, week)
