"""Moving children into help, waiting lists, admission, care that resolves need, and endings.

``send`` carries out a referral decision; ``refer_specialist`` puts a child on a provider's list
(through Bureau Jeugdzorg before 2015); ``admissions`` fills free places; ``care`` lets care
resolve need by the match of care level and need level and ends trajectories (step-down, exit,
extension). Under-treatment works poorly; over-treatment works more slowly, costs more and
medicalises (DESIGN §3).
"""

from __future__ import annotations

import numba
import numpy as np

from sim import states as S
from sim import unmet
from sim.population import NEVER
from sim.queues import admit
from sim.rng import SECOND_STREAM, Purpose, normal_of, stream_base, uniform_of

ROUTE_MUNICIPALITY, ROUTE_PROVINCE, ROUTE_INSURER = 0, 1, 2
ROUTE_PAYER = ("municipality", "province", "insurer")
RESOLVE, ESCALATE_UNDER_CARE = int(Purpose.RESOLVE), int(Purpose.ESCALATE) + 700


def _u(m, purpose, idx, week, extra=0):
    return m.streams.uniform(purpose + extra, m.children.uid[idx], week)


def first_help(m, idx: np.ndarray, week: int) -> None:
    """Record onset-to-help time for children who get help for the first time this episode."""
    ch = m.children
    new = idx[~ch.helped[idx]]
    if len(new):
        ch.helped[new] = True
        m.tally.onset_to_help(week - ch.onset_start[new])


@numba.njit(cache=True, nogil=True, inline="always")
def _enter_one(i, new_state, week, state, since, next_event, q_entry, waiting, log, n):
    """Move child ``i`` to ``new_state``; log it as row ``n`` of ``log`` (state, week joined,
    week left) if it leaves a waiting list; returns the new row count."""
    old = state[i]
    if waiting[old] and old != new_state:
        log[n, 0] = old
        log[n, 1] = q_entry[i]
        log[n, 2] = week
        n += 1
    state[i] = new_state
    since[i] = week
    next_event[i] = NEVER  # unmet-need events are drawn again at the end of the week
    return n


@numba.njit(cache=True, nogil=True)
def _enter_state(idx, new_state, week, state, since, next_event, q_entry, waiting, log, n):
    for i in idx:
        n = _enter_one(i, new_state, week, state, since, next_event, q_entry, waiting, log, n)
    return n


def enter_state(m, idx: np.ndarray, state: int, week: int) -> None:
    """The one place where a child changes state; logs who leaves a queue (Little's law)."""
    if len(idx) == 0:
        return
    ch, log = m.children, m.tally.queue_log
    log.n = _enter_state(
        idx,
        state,
        week,
        ch.state,
        ch.since,
        ch.next_event,
        ch.q_entry,
        S.WAITING,
        log.reserve(len(idx)),
        log.n,
    )
    if state == S.UNMET:
        unmet.defer(m, idx)


def reassure(m, idx: np.ndarray, week: int, blocked: int, selfhelp: bool = False) -> None:
    """Back to unmet need; the family waits ``blocked`` weeks before it asks again.

    A child whose need has already resolved leaves help instead (exit, relapse window)."""
    ch = m.children
    healed = ch.need[idx] == 0
    if healed.any():
        exit_care(m, idx[healed], week)
        idx = idx[~healed]
    ch.blocked_until[idx] = week + blocked
    ch.selfhelp[idx] = selfhelp
    ch.preventive[idx] = False
    enter_state(m, idx, S.UNMET, week)


def exit_care(m, idx: np.ndarray, week: int) -> None:
    """Need resolved: the child leaves help; a relapse window opens (DESIGN §3 relapse)."""
    if len(idx) == 0:
        return
    ch = m.children
    enter_state(m, idx, S.NONE, week)
    ch.need[idx] = 0
    ch.life_threat[idx] = False
    ch.prof_mask[idx] = 0
    ch.provider[idx] = -1
    ch.preventive[idx] = False
    ch.protection[idx] = False
    ch.ref_gp[idx] = -1  # a later episode is not credited to or blamed on this GP
    ch.relapse_until[idx] = week + m.p["need.relapse_window_weeks"]
    m.needs.defer_onset(idx)
    m.tally.exits += len(idx)


def _handover(m, idx: np.ndarray, prof: int) -> None:
    """Add a professional to the family; with a shared plan or warm handover the previous one
    hands over (one family, one plan), so professionals do not pile up (M11)."""
    ch = m.children
    if prof == S.PROF_JGZ and m.p["jgz.integrated_in_wijkteam"]:
        prof = S.PROF_WIJKTEAM  # JGZ is part of the local team: one team, one professional
    if m.coordinated:
        ch.prof_mask[idx] = S.PROF_GP | prof
        return
    new = ch.prof_mask[idx] | prof | S.PROF_GP
    if m.pyramid:
        # One family, one plan: at the threshold a coordinator takes over and the family keeps
        # the GP and the current professional (seeds/001 L1259-1263).
        full = S.POPCOUNT[new & 127] >= m.p["coordination.coordinator_threshold"]
        new = np.where(full, S.PROF_GP | prof, new).astype(new.dtype)
    ch.prof_mask[idx] = new


def note_referral(m, idx: np.ndarray, gp: np.ndarray | None, partner: int, week: int) -> None:
    """Remember which GP referred the child, and whether the GP will hear how it went (M3)."""
    ch = m.children
    if gp is None:
        ch.ref_gp[idx] = -1
        return
    ch.ref_gp[idx] = gp
    ch.ref_partner[idx] = partner
    fb = m.feedback_share()
    got = _u(m, Purpose.REQUEST, idx, week, 500) < fb
    ch.ref_feedback[idx] = got
    c = m.collab
    if got.any():
        np.add.at(c.feedback, gp[got], 1.0)
    if m.p["plan.digital_family_plan"]:
        c.add(c.digital, gp, partner, m.p["plan.digital_contacts_per_case"])


def send(
    m,
    idx: np.ndarray,
    option: np.ndarray,
    referrer: int,
    week: int,
    gp: np.ndarray | None = None,
    selfhelp: bool = False,
) -> None:
    """Carry out referral choices ``option`` (``states.OPT_*``) for children ``idx``."""
    p = m.p
    for opt in np.unique(option):
        sel = idx[option == opt]
        g = None if gp is None else gp[option == opt]
        if opt == S.OPT_REASSURE:
            reassure(m, sel, week, p["seek.blocked_weeks_after_reassurance"], selfhelp)
        elif opt == S.OPT_WORKER:
            enter_worker(m, sel, week, g)
        elif opt == S.OPT_WIJKTEAM:
            if g is not None:
                note_referral(m, sel, g, S.P_WIJKTEAM, week)
            # A joint intake of wijkteam and JGZ: JGZ's families start without a second intake.
            joint = referrer == S.REF_JGZ and m.p["wijkteam.joint_intake_with_jgz"]
            enter_wijkteam(m, sel, week, warm=joint)
        elif opt == S.OPT_JGZ:
            if g is not None:
                note_referral(m, sel, g, S.P_JGZ, week)
            enter_jgz(m, sel, week)
        elif opt == S.OPT_SPECIALIST:
            if g is not None:
                note_referral(m, sel, g, S.P_SPECIALIST, week)
            refer_specialist(m, sel, referrer, week)


def enter_worker(m, idx: np.ndarray, week: int, gp: np.ndarray) -> None:
    """Start sessions with the practice worker (the case is discussed in person: a contact)."""
    ch, p = m.children, m.p
    enter_state(m, idx, S.PRACTICE_WORKER, week)
    ch.sessions_left[idx] = p["practice_worker.sessions_per_trajectory"]
    ch.noshows[idx] = 0
    ch.care_level[idx] = p["practice_worker.care_level"]
    ch.ref_gp[idx] = gp
    ch.ref_partner[idx] = S.P_WORKER
    ch.ref_feedback[idx] = True  # same practice: the GP hears how it went
    m.collab.add(m.collab.in_person, gp, S.P_WORKER, p["practice_worker.contacts_per_case"])
    _handover(m, idx, S.PROF_WORKER)
    first_help(m, idx, week)


def enter_jgz(m, idx: np.ndarray, week: int) -> None:
    ch, p = m.children, m.p
    enter_state(m, idx, S.JGZ_SUPPORT, week)
    ch.planned_end[idx] = week + p["jgz.support_weeks"]
    ch.care_level[idx] = 1
    _handover(m, idx, S.PROF_JGZ)
    first_help(m, idx, week)


def enter_wijkteam(m, idx: np.ndarray, week: int, warm: bool = False) -> None:
    """Start wijkteam help: an intake first unless the handover is warm or the plan is shared."""
    if len(idx) == 0:
        return
    ch, p = m.children, m.p
    noshow = (
        _u(m, Purpose.NOSHOW, idx, week, 100) < p["seek.noshow_wijkteam"] * p["mechanisms.noshow"]
    )
    m.tally.appointments[2] += len(idx)
    m.tally.noshows[2] += int(noshow.sum())
    reassure(m, idx[noshow], week, p["seek.blocked_weeks_after_noshow"])
    idx = idx[~noshow]
    skip = warm or m.coordinated or m.pyramid or p["jgz.integrated_in_wijkteam"]
    intake = 0 if skip else p["wijkteam.intake_weeks"]
    m.tally.count_intakes(ch.prof_mask[idx], skip)
    enter_state(m, idx, S.WIJKTEAM, week)
    ch.intake_left[idx] = intake
    ch.planned_end[idx] = week + intake + p["wijkteam.help_weeks"]
    ch.care_level[idx] = 2
    ch.route[idx] = ROUTE_MUNICIPALITY
    _handover(m, idx, S.PROF_WIJKTEAM)
    first_help(m, idx, week)
    m.tally.trajectory(S.REF_WIJKTEAM, ch.need[idx], week)


ON_LIST, TO_BJZ, REFUSED = 0, 1, 2  # what became of a referral (_refer)
_REF_DRAWS = (
    int(Purpose.ROUTE) + 300,  # insurer-paid jeugd-ggz before 2015
    int(Purpose.ROUTE) + 400,  # through the gatekeeper when it is only partly in the way (M13)
    int(Purpose.PROVIDER),
    int(Purpose.PERCEIVE) + 4000,  # the provider's view of the need
)


@numba.njit(cache=True, nogil=True)
def _refer(
    idx,
    referrer,
    week,
    key,
    residential,
    indicated,
    pre2015,
    ggz_direct,
    gatekeeper,
    noise_sd,
    threshold,
    cum_places,
    need,
    uid,
    ref_col,
    withdrew,
    route,
    state,
    since,
    next_event,
    q_entry,
    to_residential,
    prof_mask,
    provider,
    priority,
    waiting,
    log,
    n,
):
    """The referrals of :func:`refer_specialist`, child by child; returns (log rows, returns,
    what became of each referral: ON_LIST, TO_BJZ or REFUSED)."""
    b_ggz = stream_base(key, week, _REF_DRAWS[0])
    b_bjz = stream_base(key, week, _REF_DRAWS[1])
    b_prov = stream_base(key, week, _REF_DRAWS[2])
    b_seen1 = stream_base(key, week, _REF_DRAWS[3])
    b_seen2 = stream_base(key, week, _REF_DRAWS[3] + SECOND_STREAM)
    wait_state = S.WAIT_RESIDENTIAL if residential else S.WAIT_SPECIALIST
    outcome = np.empty(idx.size, np.int8)
    returns = 0
    for k in range(idx.size):
        i = idx[k]
        ref = referrer[k]
        ref_col[i] = ref
        if withdrew[i]:
            returns += 1
            withdrew[i] = False
        r = ROUTE_MUNICIPALITY
        if pre2015:
            r = ROUTE_PROVINCE
            if (ref == S.REF_GP or ref == S.REF_NONE) and uniform_of(uid[i], b_ggz) < ggz_direct:
                r = ROUTE_INSURER
            # A crisis is placed at once and indicated afterwards (seeds/001 L619, L629); the
            # rest is indicated in parallel or afterwards when the gatekeeper is partly away.
            if (
                not indicated
                and r == ROUTE_PROVINCE
                and ref != S.REF_OTHER
                and need[i] < 4
                and (gatekeeper >= 1.0 or uniform_of(uid[i], b_bjz) < gatekeeper)
            ):
                n = _enter_one(
                    i, S.WAIT_INDICATION, week, state, since, next_event, q_entry, waiting, log, n
                )
                q_entry[i] = week
                route[i] = ROUTE_PROVINCE
                to_residential[i] = residential
                prof_mask[i] |= S.PROF_BJZ
                outcome[k] = TO_BJZ
                continue
        route[i] = r
        urgent = need[i] >= 4 or ref == S.REF_OTHER
        u = uniform_of(uid[i], b_prov) * cum_places[-1]
        prov = min(np.searchsorted(cum_places, u, side="right"), cum_places.size - 1)
        if not residential and not (urgent or indicated):
            seen = need[i] + noise_sd * normal_of(uid[i], b_seen1, b_seen2)
            if seen < threshold[prov]:
                outcome[k] = REFUSED
                continue
        n = _enter_one(i, wait_state, week, state, since, next_event, q_entry, waiting, log, n)
        provider[i] = prov
        q_entry[i] = week
        priority[i] = urgent
        to_residential[i] = residential
        outcome[k] = ON_LIST
    return n, returns, outcome


def refer_specialist(
    m,
    idx: np.ndarray,
    referrer: int | np.ndarray,
    week: int,
    residential: bool = False,
    indicated: bool = False,
) -> None:
    """Put children on a specialist (or residential) waiting list.

    Before 2015 referrals other than insurer-paid jeugd-ggz go through a Bureau Jeugdzorg
    indication first (M13). The provider is drawn in proportion to places (the referrer's
    usual partners) and admits to its list only above its admission threshold, which follows
    from the funding rule; urgent cases (crisis, 'other' referrers) always.
    """
    if len(idx) == 0:
        return
    ch, p, log = m.children, m.p, m.tally.queue_log
    pool = m.residential if residential else m.specialist
    log.n, returns, outcome = _refer(
        idx,
        np.broadcast_to(np.asarray(referrer, dtype=np.int8), idx.shape),
        int(week),
        m.streams.key,
        residential,
        indicated,
        m.pre2015,
        p["bjz.ggz_direct_share"],
        p["mechanisms.gatekeeper"],
        p["specialist.perception_noise_sd"],
        m.funding.threshold,
        np.cumsum(pool.places),
        ch.need,
        ch.uid,
        ch.referrer,
        ch.withdrew,
        ch.route,
        ch.state,
        ch.since,
        ch.next_event,
        ch.q_entry,
        ch.to_residential,
        ch.prof_mask,
        ch.provider,
        ch.priority,
        S.WAITING,
        log.reserve(len(idx)),
        log.n,
    )
    m.tally.returns += returns
    refused = idx[outcome == REFUSED]
    if len(refused):
        m.tally.refused += len(refused)
        g = ch.ref_gp[refused]
        known = g >= 0
        if known.any():
            m.collab.add(m.collab.bad, g[known], S.P_SPECIALIST, 1.0)
        reassure(m, refused, week, p["seek.blocked_weeks_after_refusal"])
    if not residential:
        listed = idx[outcome == ON_LIST]
        ch.preventive[listed] = p["waiting.preventive_offer"]
        if p["waiting.preventive_offer"]:
            _handover(m, listed, S.PROF_JGZ)
    else:
        ch.preventive[idx[outcome == ON_LIST]] = False


# --- admission --------------------------------------------------------------------------------
def indications(m, week: int) -> None:
    """Bureau Jeugdzorg (pre-2015): indicate in order of arrival, as capacity allows."""
    ch, p = m.children, m.p
    wait = np.flatnonzero(ch.state == S.WAIT_INDICATION)
    if len(wait) == 0:
        return
    # Families leave the indication list as they leave a provider's list; a need that remitted
    # while waiting ends the wait.
    out = (_u(m, Purpose.WITHDRAW, wait, week, 600) < p["bjz.withdrawal_per_week"]) | (
        ch.need[wait] == 0
    )
    _withdraw(m, wait[out], week)
    wait = wait[~out]
    # A need that became a crisis while waiting is placed at once, indicated afterwards
    # (seeds/001 L619, L629), as a crisis referral is.
    crisis = ch.need[wait] >= 4
    _refer_indicated(m, wait[crisis], week)
    wait = wait[~crisis]
    if len(wait) == 0:
        return
    m.bjz_credit += p["bjz.indications_per_week_per_1000"] * m.n_children_k
    n = int(m.bjz_credit)
    if n <= 0:
        return
    order = np.lexsort((ch.uid[wait], ch.q_entry[wait]))
    done = wait[order[:n]]
    m.bjz_credit -= len(done)
    m.tally.indications += len(done)
    # Referrers learn the indication wait as they learn a provider's (smoothed observed waits).
    waited = float((week - ch.q_entry[done]).mean())
    m.bjz_expected_wait += (waited - m.bjz_expected_wait) / p["specialist.wait_smoothing_weeks"]
    seen = ch.need[done] + p["bjz.perception_noise_sd"] * m.streams.normal(
        Purpose.PERCEIVE + 5000, ch.uid[done], week
    )
    ok = seen >= p["bjz.threshold"]
    # Clear errors: refused with a need at least half a level above the threshold, granted
    # with one at least half a level below it.
    gap = ch.need[done] - p["bjz.threshold"]
    m.tally.indications_refused_needy += int(np.count_nonzero((gap >= 0.5) & ~ok))
    m.tally.indications_granted_light += int(np.count_nonzero((gap <= -0.5) & ok))
    _refer_indicated(m, done[ok], week)
    # Refused: referred back to the CJG / local team (seeds/001 L1192-1194).
    enter_wijkteam(m, done[~ok], week)


def _refer_indicated(m, idx: np.ndarray, week: int) -> None:
    """Indicated children to the provider's list: ambulant, or residential if that was asked."""
    res = m.children.to_residential[idx]
    refer_specialist(m, idx[~res], int(S.REF_WIJKTEAM), week, indicated=True)
    refer_specialist(m, idx[res], int(S.REF_WIJKTEAM), week, residential=True, indicated=True)


def urgency(ch, idx: np.ndarray) -> np.ndarray:
    """Rank on a waiting list, highest first: 2 for a life-threatening situation, 1 for a crisis
    now or a referral that was urgent when made (crisis, 'other' referrers), 0 otherwise.

    Read at every admission, so a need that becomes a crisis on the list moves the child up
    (lists ordered by urgency, then arrival: DESIGN §3)."""
    return (ch.priority[idx] | (ch.need[idx] >= 4)) + ch.life_threat[idx]


# Help below the residential level from which a life-threatening situation is escalated, with
# the referrer its residential trajectory counts under (None: the child's current referrer).
_ESCALATED_FROM = {
    S.JGZ_SUPPORT: S.REF_JGZ,
    S.PRACTICE_WORKER: S.REF_GP,
    S.WIJKTEAM: S.REF_WIJKTEAM,
    S.WAIT_INDICATION: None,
    S.WAIT_SPECIALIST: None,
    S.SPECIALIST: None,
}
_ESCALATES = np.zeros(S.N_STATES, dtype=bool)
_ESCALATES[list(_ESCALATED_FROM)] = True


def escalate(m, week: int) -> None:
    """The escalation path for a life-threatening situation (Almere's level 5).

    The digest reads Almere's crisis and life-threatening levels as states that trigger the
    escalation path (seed-digest §7.3, after seeds/001 L1037-1041 and L1287-1292: the brandpunt
    convenes everyone, within 48 hours if needed, and in exceptional cases decides for all
    parties when that is the only way to secure a child's safety). That this means a residential
    referral at the head of the list (:func:`urgency`) for a child known to help below the
    residential level, with the weekly chance ``residential.life_threat_escalation_per_week``
    (1 by default: at once), is an assumption. A crisis without the flag keeps the weekly chance
    ``residential.crisis_referral_per_week``."""
    ch = m.children
    lt = np.flatnonzero(ch.life_threat)
    if len(lt) == 0:
        return
    lt = lt[_ESCALATES[ch.state[lt]]]
    rate = m.p["residential.life_threat_escalation_per_week"]
    if rate < 1.0 and len(lt):
        lt = lt[_u(m, Purpose.LIFE_THREAT, lt, week, 900) < rate]
    for state, referrer in _ESCALATED_FROM.items():
        sel = lt[ch.state[lt] == state]
        if len(sel):
            ref = ch.referrer[sel].copy() if referrer is None else int(referrer)
            m.tally.escalations_life_threat += len(sel)
            refer_specialist(m, sel, ref, week, residential=True)


def secure_safety(m, idx: np.ndarray, week: int) -> None:
    """A placement secures the safety of a child placed in a life-threatening situation.

    Placing the child out of home is one of the measures that raise its safety at once
    (Richtlijn Crisisplaatsing, step 4), and a crisis placement lasts at most 28 days (both
    outside ``shared/sources``: see the parameter's source); the brandpunt's binding decision
    serves that safety (seeds/001 L1287-1292). Each week a placed child's level-5 flag lifts
    with chance ``residential.safety_secured_per_week`` (an assumption: its default puts the
    mean at the 28-day maximum); the crisis (level 4) stays until care lowers it
    (:func:`resolve`)."""
    ch = m.children
    lt = idx[ch.life_threat[idx]]
    if len(lt):
        safe = (
            _u(m, Purpose.LIFE_THREAT, lt, week, 800) < m.p["residential.safety_secured_per_week"]
        )
        ch.life_threat[lt[safe]] = False


def _withdraw(m, gone: np.ndarray, week: int) -> None:
    """Children leaving a list: with their need remitted they leave help; the others are
    reassured and marked as having withdrawn (a later referral counts as a return)."""
    if len(gone) == 0:
        return
    ch = m.children
    m.tally.withdrawals += len(gone)
    ch.withdrew[gone] = ch.need[gone] > 0
    reassure(m, gone[ch.need[gone] > 0], week, m.p["seek.blocked_weeks_after_refusal"])
    exit_care(m, gone[ch.need[gone] == 0], week)


def admissions(m, week: int, pool, wait_state: int, care_state: int, prof: int, stop: bool) -> None:
    """Withdrawal from the list, then admission to free places (urgency, then arrival)."""
    ch, p = m.children, m.p
    wait = np.flatnonzero(ch.state == wait_state)
    if len(wait) == 0:
        return
    # each tier its own withdrawal rate (a preventive offer is made on the specialist list only)
    wd = p[f"{pool.name}.withdrawal_per_week"] * np.where(
        ch.preventive[wait], p["waiting.preventive_withdrawal_ratio"], 1.0
    )
    # a life-threatening situation under the escalation path does not leave the list (§7.10)
    out = (_u(m, Purpose.WITHDRAW, wait, week) < wd) & ~ch.life_threat[wait]
    out |= ch.need[wait] == 0  # need remitted while waiting: the family leaves the list
    _withdraw(m, wait[out], week)
    wait = wait[~out]
    if stop or len(wait) == 0:
        return
    occupied = np.bincount(ch.provider[ch.state == care_state], minlength=pool.n)
    free = np.maximum(pool.capacity - occupied, 0)
    take = admit(ch.provider[wait], urgency(ch, wait), ch.q_entry[wait], ch.uid[wait], free)
    adm = wait[take]
    if len(adm) == 0:
        return
    waits = (week - ch.q_entry[adm]).astype(np.float64)
    pool.observe_waits(ch.provider[adm], waits, p["specialist.wait_smoothing_weeks"])
    enter_state(m, adm, care_state, week)
    ch.preventive[adm] = False
    level = 3 if care_state == S.SPECIALIST else 4
    ch.care_level[adm] = level
    mult = (
        m.funding.length_mult[ch.provider[adm]]
        if care_state == S.SPECIALIST
        else m.funding.res_length_mult
    )
    base = m.treatment_weeks(ch.need[adm], care_state)
    s = p["specialist.length_spread"]
    spread = 1.0 - s + 2.0 * s * _u(m, Purpose.LENGTH, adm, week)
    ch.planned_end[adm] = week + np.maximum(1, np.round(base * mult * spread)).astype(np.int32)
    ch.overtreated[adm] = ch.need[adm] <= level - 2
    ch.adm_need[adm] = ch.need[adm]
    _handover(m, adm, prof)
    first_help(m, adm, week)
    ref = ch.referrer[adm]
    m.tally.trajectory_many(ref, ch.need[adm], 1 if care_state == S.SPECIALIST else 2)
    m.tally.record_waits(care_state, waits, week, m.measuring(week), ch.need[adm])
    # A long wait is a bad experience the family reports to its GP (M2).
    long = adm[(waits > p["trust.long_wait_weeks"]) & (ch.ref_gp[adm] >= 0)]
    if len(long):
        m.collab.add(m.collab.bad, ch.ref_gp[long], S.P_SPECIALIST, 1.0)


# --- care -------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def _resolve(
    idx, key, week, need, care_level, life_threat, uid, rate0, under_ratio, over_ratio, escalation
):
    b_resolve = stream_base(key, week, RESOLVE)
    b_escalate = stream_base(key, week, ESCALATE_UNDER_CARE)
    for i in idx:
        lvl = need[i]
        gap = lvl - care_level[i]
        under = under_ratio ** float(max(gap, 0))
        over = over_ratio if gap <= -2 else 1.0
        down = uniform_of(uid[i], b_resolve) < rate0 * under * over and lvl > 0
        if down:
            need[i] = lvl - 1
            life_threat[i] = False  # the flag marks a crisis (level 4) only
        # Under-treated needs can still escalate.
        elif gap > 0 and lvl < 4 and uniform_of(uid[i], b_escalate) < escalation:
            need[i] = lvl + 1


def resolve(m, idx: np.ndarray, week: int) -> None:
    """Care lowers need by one level with a chance set by the match of care and need levels:
    ``care.resolution_per_week`` x ``care.under_treatment_ratio`` per level of need above the
    care level, x ``care.over_treatment_ratio`` (^ stigma) two or more levels below it. An
    under-treated need that does not come down escalates with ``need.escalation_per_week``."""
    if len(idx) == 0:
        return
    ch, p, key = m.children, m.p, m.streams.key
    _resolve(
        idx,
        key,
        week,
        ch.need,
        ch.care_level,
        ch.life_threat,
        ch.uid,
        p["care.resolution_per_week"],
        p["care.under_treatment_ratio"],
        p["care.over_treatment_ratio"] ** p["mechanisms.stigma"],
        p["need.escalation_per_week"],
    )


def good_outcome(m, idx: np.ndarray) -> None:
    """A trajectory ended well; the referring GP learns of it if feedback was arranged (M3)."""
    ch = m.children
    sel = idx[(ch.ref_gp[idx] >= 0) & ch.ref_feedback[idx]]
    if len(sel):
        s = m.p["mechanisms.feedback"]
        m.collab.add(m.collab.good, ch.ref_gp[sel], ch.ref_partner[sel].astype(np.int64), s)


def stepdown_room(m, idx: np.ndarray) -> np.ndarray:
    """Whether a step-down has somewhere to go: always within an integrated team (JGZ takes over,
    Hart voor jeugd en gezin); otherwise only as far as the local wijkteam has room (M12)."""
    if m.p["jgz.integrated_in_wijkteam"]:
        return np.ones(len(idx))
    occ = m.wijkteam_occupancy()[m.families.hood[m.children.family[idx]]]
    return np.minimum(np.maximum(1.0 - occ, 0.0), 1.0)


def step_down(m, idx: np.ndarray, week: int, source: str) -> None:
    """Step down to JGZ (integrated team) or to the wijkteam (M12)."""
    if len(idx) == 0:
        return
    m.tally.stepdowns[source] += len(idx)
    if m.p["jgz.integrated_in_wijkteam"] or source == "wijkteam":
        m.tally.stepdowns_jgz[source] += len(idx)
        enter_jgz(m, idx, week)
    else:
        enter_wijkteam(m, idx, week, warm=True)


def care(m, week: int, active: np.ndarray) -> None:
    """One week of help in every help state: sessions, resolution, endings."""
    ch, p = m.children, m.p
    st = ch.state[active]
    s12 = p["mechanisms.stepdown"]

    # JGZ support and monitoring.
    j = active[st == S.JGZ_SUPPORT]
    resolve(m, j, week)
    end = j[ch.planned_end[j] <= week]
    exit_care(m, end[ch.need[end] == 0], week)
    reassure(m, end[ch.need[end] > 0], week, p["seek.blocked_weeks_after_light_help"])

    # Practice-worker sessions.
    w = active[st == S.PRACTICE_WORKER]
    if len(w):
        _worker_sessions(m, w, week)

    # Wijkteam: intake, then help; at the end exit, step down, refer or extend.
    t = active[st == S.WIJKTEAM]
    if len(t):
        in_intake = ch.intake_left[t] > 0
        intake = t[in_intake]
        ch.intake_left[intake] -= 1
        assessed = intake[ch.intake_left[intake] == 0]
        helping = t[ch.intake_left[t] == 0]
        resolve(m, t[~in_intake], week)  # help, not the intake that ended this week
        if len(assessed):
            from sim.routing import wijkteam_refers

            ref = wijkteam_refers(m, assessed, week)
            refer_specialist(m, assessed[ref], S.REF_WIJKTEAM, week)
        end = helping[(ch.planned_end[helping] <= week) & (ch.state[helping] == S.WIJKTEAM)]
        if len(end):
            m.tally.endings["wijkteam"] += len(end)
            done = end[ch.need[end] == 0]
            good_outcome(m, done)
            exit_care(m, done, week)
            light = end[ch.need[end] == 1]
            sd = p["wijkteam.stepdown_to_jgz"] * s12 * p["jgz.integrated_in_wijkteam"]
            down = _u(m, Purpose.STEPDOWN, light, week) < sd
            step_down(m, light[down], week, "wijkteam")
            good_outcome(m, light)
            reassure(m, light[~down], week, p["seek.blocked_weeks_after_care"])
            heavy = end[ch.need[end] >= 2]
            if len(heavy):
                from sim.routing import wijkteam_refers

                ref = wijkteam_refers(m, heavy, week)
                refer_specialist(m, heavy[ref], S.REF_WIJKTEAM, week)
                ch.planned_end[heavy[~ref]] = week + p["wijkteam.help_weeks"]

    # Specialist ambulant care.
    s = active[st == S.SPECIALIST]
    if len(s):
        resolve(m, s, week)
        crisis = s[
            (ch.need[s] >= 4)
            & (_u(m, Purpose.RESIDENTIAL, s, week) < p["residential.crisis_referral_per_week"])
        ]
        refer_specialist(m, crisis, ch.referrer[crisis].copy(), week, residential=True)
        s = s[ch.state[s] == S.SPECIALIST]
        prov = ch.provider[s]
        light = ch.need[s] <= 1
        receive = stepdown_room(m, s)
        rate = np.minimum(m.funding.stepdown_rate[prov] * s12 * receive, 1.0)
        # An integrated local team keeps monitoring the children it referred and steps them
        # down when care is no longer needed ("blijft betrokken en monitort", seeds/004
        # L682-688, L712-713); x + mon * (1 - x) combines the two chances (exactly x at mon 0).
        mon = min(p["jgz.monitoring_stepdown_per_week"] * p["mechanisms.monitoring"] * s12, 1.0)
        if mon > 0 and p["jgz.integrated_in_wijkteam"]:
            ref = ch.referrer[s]
            ours = (ref == S.REF_WIJKTEAM) | (ref == S.REF_JGZ)
            rate = np.where(ours, rate + mon * (1.0 - rate), rate)
        early = light & (_u(m, Purpose.STEPDOWN, s, week) < rate)
        due = ch.planned_end[s] <= week
        ending = early | due
        e = s[ending]
        if len(e):
            m.tally.endings["specialist"] += len(e)
            if m.measuring(week):
                m.tally.specialist_episodes.append(
                    np.stack(
                        [ch.adm_need[e], week - ch.since[e], S.POPCOUNT[ch.prof_mask[e] & 127]],
                        axis=1,
                    )
                )
            done = e[ch.need[e] == 0]
            good_outcome(m, done)
            exit_care(m, done, week)
            lt = e[ch.need[e] == 1]
            good_outcome(m, lt)
            down = _u(m, Purpose.STEPDOWN, lt, week, 50) < (
                s12 * p["specialist.stepdown_at_end_share"] * stepdown_room(m, lt)
            )
            step_down(m, lt[down], week, "specialist")
            reassure(m, lt[~down], week, p["seek.blocked_weeks_after_care"])
            heavy = e[ch.need[e] >= 2]
            ext = np.floor(
                m.treatment_weeks(ch.need[heavy], S.SPECIALIST) * p["care.extension_share"]
            )
            ch.planned_end[heavy] = week + np.maximum(
                1, ext * m.funding.length_mult[ch.provider[heavy]]
            ).astype(np.int32)

    # Residential care.
    r = active[st == S.RESIDENTIAL]
    if len(r):
        resolve(m, r, week)
        secure_safety(m, r, week)
        e = r[ch.planned_end[r] <= week]
        if len(e):
            m.tally.endings["residential"] += len(e)
            heavy = e[ch.need[e] >= 3]
            ch.planned_end[heavy] = week + max(
                1, int(p["residential.stay_weeks"] * p["care.extension_share"])
            )
            done = e[ch.need[e] == 0]
            good_outcome(m, done)
            exit_care(m, done, week)
            aftercare = e[(ch.need[e] >= 1) & (ch.need[e] <= 2)]
            down = _u(m, Purpose.STEPDOWN, aftercare, week, 60) < (
                s12 * p["residential.stepdown_at_end_share"]
            )
            step_down(m, aftercare[down], week, "residential")
            reassure(m, aftercare[~down], week, p["seek.blocked_weeks_after_care"])


def _worker_sessions(m, w: np.ndarray, week: int) -> None:
    """Sessions with the practice worker, as far as its hours allow; no-shows (M9)."""
    ch, p = m.children, m.p
    g = m.families.gp[ch.family[w]]
    cap = m.worker_sessions_capacity()  # sessions per practice this week
    load = np.bincount(g, minlength=m.n_gp)
    share = np.divide(cap, load, out=np.zeros(m.n_gp), where=load > 0)
    seen = _u(m, Purpose.PW_AVAILABLE, w, week, 200) < share[g]
    sw = w[seen]
    noshow = (
        _u(m, Purpose.NOSHOW, sw, week) < p["seek.noshow_practice_worker"] * p["mechanisms.noshow"]
    )
    m.tally.appointments[1] += len(sw)
    m.tally.noshows[1] += int(noshow.sum())
    held = np.bincount(g[seen][~noshow], minlength=m.n_gp)
    m.worker_sessions_held += held
    ch.noshows[sw[noshow]] += 1
    drop = sw[noshow & (ch.noshows[sw] >= p["seek.noshows_to_drop_out"])]
    reassure(m, drop, week, p["seek.blocked_weeks_after_reassurance"])
    att = sw[~noshow]
    resolve(m, att, week)
    ch.sessions_left[att] -= 1
    done = att[ch.sessions_left[att] <= 0]
    if len(done) == 0:
        return
    fixed = done[ch.need[done] == 0]
    good_outcome(m, fixed)
    exit_care(m, fixed, week)
    rest = done[ch.need[done] > 0]
    if len(rest):
        from sim.routing import worker_choose

        opt = worker_choose(m, rest, week)
        gp = m.families.gp[ch.family[rest]]
        warm = p["practice_worker.in_wijkteam"]
        to_team = opt == S.OPT_WIJKTEAM
        if warm and to_team.any():
            sel = rest[to_team]
            note_referral(m, sel, gp[to_team], S.P_WIJKTEAM, week)
            enter_wijkteam(m, sel, week, warm=True)
            rest, opt, gp = rest[~to_team], opt[~to_team], gp[~to_team]
        send(m, rest, opt, S.REF_GP, week, gp=gp)
