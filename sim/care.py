"""Moving children into help, waiting lists, admission, care that resolves need, and endings.

``send`` carries out a referral decision; ``refer_specialist`` puts a child on a provider's list
(through Bureau Jeugdzorg before 2015); ``admissions`` fills free places; ``care`` lets care
resolve need by the match of care level and need level and ends trajectories (step-down, exit,
extension). Under-treatment works poorly; over-treatment works more slowly, costs more and
medicalises (DESIGN §3).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np
from numba.core import types
from numba.experimental import structref

from sim import states as S
from sim.buffers import push, push_row
from sim.context import define_struct, unliteral_fields
from sim.context import kernel_context as ctx
from sim.population import NEVER
from sim.queues import admit_mask, smooth_waits, smoothing_alpha, usable_places
from sim.rng import Purpose, normal_at, uniform_at
from sim.routing import ensure_occupancy, occupancy, wijkteam_refers_one
from sim.states import Count

ROUTE_MUNICIPALITY, ROUTE_PROVINCE, ROUTE_INSURER = 0, 1, 2
ROUTE_PAYER = ("municipality", "province", "insurer")


def _u(m, purpose, idx, week, extra=0):
    return m.streams.uniform(purpose + extra, m.children.uid[idx], week)


@numba.njit(cache=True, nogil=True)
def enter_one(k, i: int, new_state: int, week: int) -> None:
    """The one place where a child changes state: it logs a child leaving a waiting list
    (Little's law), and a child entering unmet need has its events drawn at the week's end."""
    c = k
    old = c.state[i]
    if k.waiting[old] and old != new_state:
        push_row(k.log, k.log_n, old, c.q_entry[i], week)
    c.state[i] = new_state
    c.since[i] = week
    c.next_event[i] = NEVER
    if new_state == S.UNMET:
        push(k.unmet, k.unmet_n, i)


@numba.njit(cache=True, nogil=True)
def exit_one(k, i: int, week: int) -> None:
    """Need resolved: the child leaves help; a relapse window opens (DESIGN §3 relapse)."""
    c = k
    enter_one(k, i, S.NONE, week)
    c.need[i] = 0
    c.life_threat[i] = False
    c.prof_mask[i] = 0
    c.provider[i] = -1
    c.preventive[i] = False
    c.protection[i] = False
    c.ref_gp[i] = -1  # a later episode is not credited to or blamed on this GP
    c.relapse_until[i] = week + k.relapse_weeks
    push(k.onsets, k.onsets_n, i)
    k.count[Count.EXITS] += 1


@numba.njit(cache=True, nogil=True)
def reassure_one(k, i: int, week: int, blocked: int, selfhelp: bool) -> None:
    """Back to unmet need; the family waits ``blocked`` weeks before it asks again. A child
    whose need has already resolved leaves help instead (exit, relapse window)."""
    c = k
    if c.need[i] == 0:
        exit_one(k, i, week)
        return
    c.blocked_until[i] = week + blocked
    c.selfhelp[i] = selfhelp
    c.preventive[i] = False
    enter_one(k, i, S.UNMET, week)


@numba.njit(cache=True, nogil=True)
def first_help_one(k, i: int, week: int) -> None:
    """Onset-to-help time of a child that gets help for the first time this episode."""
    c = k
    if not c.helped[i]:
        c.helped[i] = True
        k.count[Count.ONSET_HELP_WEEKS] += week - c.onset_start[i]
        k.count[Count.ONSET_HELP_N] += 1


@numba.njit(cache=True, nogil=True)
def _enter_all(k, idx, new_state, week):
    for i in idx:
        enter_one(k, i, new_state, week)


@numba.njit(cache=True, nogil=True)
def _exit_all(k, idx, week):
    for i in idx:
        exit_one(k, i, week)


@numba.njit(cache=True, nogil=True)
def _reassure_all(k, idx, week, blocked, selfhelp):
    for i in idx:
        reassure_one(k, i, week, blocked, selfhelp)


def enter_state(m, idx: np.ndarray, state: int, week: int) -> None:
    """Move children ``idx`` to ``state`` (:func:`enter_one`)."""
    if len(idx):
        _enter_all(ctx(m, len(idx)), idx, state, week)


def exit_care(m, idx: np.ndarray, week: int) -> None:
    """Children ``idx`` leave help, their need resolved (:func:`exit_one`)."""
    if len(idx):
        _exit_all(ctx(m, len(idx)), idx, week)


def reassure(m, idx: np.ndarray, week: int, blocked: int, selfhelp: bool = False) -> None:
    """Children ``idx`` back to unmet need, blocked for ``blocked`` weeks (:func:`reassure_one`)."""
    if len(idx):
        _reassure_all(ctx(m, len(idx)), idx, week, blocked, bool(selfhelp))


@numba.njit(cache=True, nogil=True)
def handover_one(k, r, i, prof):
    """Add a professional to the family; with a shared plan or warm handover the previous one
    hands over (one family, one plan), so professionals do not pile up (M11)."""
    c = k
    if prof == S.PROF_JGZ and r.integrated:
        prof = S.PROF_WIJKTEAM  # JGZ is part of the local team: one team, one professional
    if r.coordinated:
        c.prof_mask[i] = S.PROF_GP | prof
        return
    new = c.prof_mask[i] | prof | S.PROF_GP
    # One family, one plan: at the threshold a coordinator takes over and the family keeps the
    # GP and the current professional (seeds/001 L1259-1263).
    if r.pyramid and S.POPCOUNT[new & 127] >= r.coordinator_threshold:
        new = S.PROF_GP | prof
    c.prof_mask[i] = new


class Rules(NamedTuple):
    """The settings the compiled kernels read, from the registry and the model's switches
    (rebuilt when parameters change: ``YouthCareModel._configure``). The kernels get them as
    a StructRef (:func:`rules`): a tuple of this many numbers took 6 us to pass to a kernel."""

    key: np.uint64  # the run's random key
    pre2015: bool
    ggz_direct: float  # bjz.ggz_direct_share
    gatekeeper: float  # mechanisms.gatekeeper
    noise_sd: float  # specialist.perception_noise_sd
    preventive_offer: bool  # waiting.preventive_offer
    blocked_after_refusal: int  # seek.blocked_weeks_after_refusal
    integrated: bool  # jgz.integrated_in_wijkteam
    coordinated: bool  # a shared plan or warm handover (YouthCareModel.coordinated)
    pyramid: bool  # one family, one plan (YouthCareModel.pyramid)
    coordinator_threshold: int  # coordination.coordinator_threshold
    resolution: float  # care.resolution_per_week
    under_ratio: float  # care.under_treatment_ratio
    over_ratio: float  # care.over_treatment_ratio ** mechanisms.stigma
    escalation: float  # need.escalation_per_week
    feedback: float  # mechanisms.feedback: weight of a good outcome the GP hears of
    jgz_support_weeks: int
    noshow_wijkteam: float  # seek.noshow_wijkteam x mechanisms.noshow
    blocked_after_noshow: int
    blocked_after_light_help: int
    blocked_after_care: int
    intake_weeks: int  # wijkteam.intake_weeks
    help_weeks: int  # wijkteam.help_weeks
    stepdown: float  # mechanisms.stepdown (M12)
    stepdown_to_jgz: float  # wijkteam.stepdown_to_jgz
    crisis_referral: float  # residential.crisis_referral_per_week
    monitoring: float  # JGZ's monitoring step-down per week x its mechanism x M12 (at most 1)
    specialist_stepdown_at_end: float  # specialist.stepdown_at_end_share
    residential_stepdown_at_end: float  # residential.stepdown_at_end_share
    extension_share: float  # care.extension_share
    residential_extension_weeks: int  # residential.stay_weeks x care.extension_share, at least 1
    safety: float  # residential.safety_secured_per_week
    caseload_norm: float  # wijkteam.caseload_norm
    wijkteam_noise_sd: float  # wijkteam.perception_noise_sd
    wijkteam_constant: float  # wijkteam.referral_constant
    wijkteam_need_slope: float  # wijkteam.referral_need_slope
    wijkteam_occupancy_slope: float  # M6 x wijkteam.referral_occupancy_slope
    wijkteam_medicalising: float  # M7 x wijkteam.medicalising_slope x its staff share
    # help-seeking and the GP (signalling)
    protection_placed: float  # other.protection_residential_share
    route_gp_after_4: float  # weight of the GP route after age 4 (M19; 1 before)
    route_wijkteam: float  # seek.route_wijkteam_weight
    route_knowledge: float  # M8 x seek.route_knowledge_effect
    knowledge_of_offer: float  # families' knowledge of the offer (model.knowledge_of_offer)
    route_direct: float  # seek.route_direct_weight (moderate needs and worse)
    noshow_gp: float  # seek.noshow_gp x mechanisms.noshow
    gp_miss: float  # 1 - gp.detection: the GP misses each need level with this chance
    blocked_after_reassurance: int
    selfhelp_material: bool  # gp.selfhelp_material
    # referral decisions (routing)
    levels: tuple  # care level of each option (reassure, worker, wijkteam, JGZ, specialist)
    beta_fit: float
    beta_wait: float  # gp.beta_wait x mechanisms.wait_response
    gp_noise_sd: float
    gp_noise_reduction: float  # gp.knowledge_noise_reduction
    s_knowledge: float  # mechanisms.knowledge
    s_trust: float  # mechanisms.trust
    specialist_constant: float  # gp.specialist_constant
    local_knowledge: float  # mechanisms.knowledge x gp.beta_knowledge
    reassure_utility: float
    request_share: float  # gp.request_share
    beta_request: float
    has_worker: bool
    worker_share: float  # the worker's hours over the GP's youth consult hours, at most 1
    worker_noise_sd: float  # practice_worker.perception_noise_sd
    jgz_noise_sd: float
    jgz_normalising: float  # jgz.normalising x mechanisms.medicalisation
    jgz_support_utility: float
    # carrying out a choice (send)
    feedback_share: float  # model.feedback_share(): the GP hears how a referral went (M3)
    digital_plan: bool  # plan.digital_family_plan
    digital_contacts: float  # plan.digital_contacts_per_case
    worker_sessions: int  # practice_worker.sessions_per_trajectory
    worker_level: int  # practice_worker.care_level
    worker_contacts: float  # practice_worker.contacts_per_case
    joint_intake: bool  # wijkteam.joint_intake_with_jgz

    @classmethod
    def of(cls, m) -> Rules:
        """The settings of model ``m``."""
        p = m.p
        return cls(
            key=m.streams.key,
            pre2015=m.pre2015,
            ggz_direct=p["bjz.ggz_direct_share"],
            gatekeeper=p["mechanisms.gatekeeper"],
            noise_sd=p["specialist.perception_noise_sd"],
            preventive_offer=bool(p["waiting.preventive_offer"]),
            blocked_after_refusal=int(p["seek.blocked_weeks_after_refusal"]),
            integrated=bool(p["jgz.integrated_in_wijkteam"]),
            coordinated=m.coordinated,
            pyramid=m.pyramid,
            coordinator_threshold=int(p["coordination.coordinator_threshold"]),
            resolution=p["care.resolution_per_week"],
            under_ratio=p["care.under_treatment_ratio"],
            over_ratio=p["care.over_treatment_ratio"] ** p["mechanisms.stigma"],
            escalation=p["need.escalation_per_week"],
            feedback=float(p["mechanisms.feedback"]),
            jgz_support_weeks=int(p["jgz.support_weeks"]),
            noshow_wijkteam=p["seek.noshow_wijkteam"] * p["mechanisms.noshow"],
            blocked_after_noshow=int(p["seek.blocked_weeks_after_noshow"]),
            blocked_after_light_help=int(p["seek.blocked_weeks_after_light_help"]),
            blocked_after_care=int(p["seek.blocked_weeks_after_care"]),
            intake_weeks=int(p["wijkteam.intake_weeks"]),
            help_weeks=int(p["wijkteam.help_weeks"]),
            stepdown=float(p["mechanisms.stepdown"]),
            stepdown_to_jgz=p["wijkteam.stepdown_to_jgz"],
            crisis_referral=p["residential.crisis_referral_per_week"],
            monitoring=min(
                p["jgz.monitoring_stepdown_per_week"]
                * p["mechanisms.monitoring"]
                * p["mechanisms.stepdown"],
                1.0,
            ),
            specialist_stepdown_at_end=p["specialist.stepdown_at_end_share"],
            residential_stepdown_at_end=p["residential.stepdown_at_end_share"],
            extension_share=p["care.extension_share"],
            residential_extension_weeks=max(
                1, int(p["residential.stay_weeks"] * p["care.extension_share"])
            ),
            safety=p["residential.safety_secured_per_week"],
            caseload_norm=float(p["wijkteam.caseload_norm"]),
            wijkteam_noise_sd=p["wijkteam.perception_noise_sd"],
            wijkteam_constant=p["wijkteam.referral_constant"],
            wijkteam_need_slope=p["wijkteam.referral_need_slope"],
            wijkteam_occupancy_slope=p["mechanisms.workload_referral"]
            * p["wijkteam.referral_occupancy_slope"],
            wijkteam_medicalising=p["mechanisms.medicalisation"]
            * p["wijkteam.medicalising_slope"]
            * p["wijkteam.medicalising_share"],
            protection_placed=p["other.protection_residential_share"],
            route_gp_after_4=1.0 + p["mechanisms.jgz_decline"] * (p["seek.after_4_gp_ratio"] - 1.0),
            route_wijkteam=p["seek.route_wijkteam_weight"],
            route_knowledge=p["mechanisms.supply_induced_demand"]
            * p["seek.route_knowledge_effect"],
            knowledge_of_offer=m.knowledge_of_offer(),
            route_direct=p["seek.route_direct_weight"],
            noshow_gp=p["seek.noshow_gp"] * p["mechanisms.noshow"],
            gp_miss=1.0 - p["gp.detection"],
            blocked_after_reassurance=int(p["seek.blocked_weeks_after_reassurance"]),
            selfhelp_material=bool(p["gp.selfhelp_material"]),
            levels=(0.0, float(p["practice_worker.care_level"]), 2.0, 1.0, 3.0),
            beta_fit=p["gp.beta_fit"],
            beta_wait=p["gp.beta_wait"] * p["mechanisms.wait_response"],
            gp_noise_sd=p["gp.perception_noise_sd"],
            gp_noise_reduction=p["gp.knowledge_noise_reduction"],
            s_knowledge=p["mechanisms.knowledge"],
            s_trust=p["mechanisms.trust"],
            specialist_constant=p["gp.specialist_constant"],
            local_knowledge=p["mechanisms.knowledge"] * p["gp.beta_knowledge"],
            reassure_utility=p["gp.reassure_utility"],
            request_share=p["gp.request_share"],
            beta_request=p["gp.beta_request"],
            has_worker=bool(m.has_worker),
            worker_share=min(
                1.0, p["practice_worker.hours_per_week"] / p["gp.youth_consult_hours_per_week"]
            ),
            worker_noise_sd=p["practice_worker.perception_noise_sd"],
            jgz_noise_sd=p["jgz.perception_noise_sd"],
            jgz_normalising=p["jgz.normalising"] * p["mechanisms.medicalisation"],
            jgz_support_utility=p["jgz.support_utility"],
            feedback_share=m.feedback_share(),
            digital_plan=bool(p["plan.digital_family_plan"]),
            digital_contacts=float(p["plan.digital_contacts_per_case"]),
            worker_sessions=int(p["practice_worker.sessions_per_trajectory"]),
            worker_level=int(p["practice_worker.care_level"]),
            worker_contacts=float(p["practice_worker.contacts_per_case"]),
            joint_intake=bool(p["wijkteam.joint_intake_with_jgz"]),
        )


@structref.register
class _RulesType(types.StructRef):
    preprocess_fields = unliteral_fields


class RulesRef(structref.StructRefProxy):
    """:class:`Rules` as the kernels read them."""


_new_rules = define_struct(RulesRef, _RulesType, Rules._fields)


def rules(values: Rules) -> RulesRef:
    """The settings ``values`` as the kernels read them."""
    return _new_rules(*values)


def note_referral(m, idx: np.ndarray, gp: np.ndarray, partner: int, week: int) -> None:
    """GPs ``gp`` referred children ``idx`` to ``partner`` (:func:`note_referral_one`)."""
    if len(idx):
        _note_all(ctx(m, 0), m.care_rules, idx, np.asarray(gp, np.int64), partner, week)


@numba.njit(cache=True, nogil=True)
def _note_all(k, r, idx, gps, partner, week):
    for j in range(idx.size):
        note_referral_one(k, r, idx[j], gps[j], partner, week)


ON_LIST, TO_BJZ, REFUSED = 0, 1, 2  # what became of a referral (refer_one)
_GGZ_DIRECT = int(Purpose.ROUTE) + 300  # insurer-paid jeugd-ggz before 2015
_PARTLY_GATED = int(Purpose.ROUTE) + 400  # through the gatekeeper when it is partly away (M13)
_PROVIDER = int(Purpose.PROVIDER)
_SEEN_BY_PROVIDER = int(Purpose.PERCEIVE) + 4000


@numba.njit(cache=True, nogil=True)
def pick_provider(places, u):
    """The provider whose share of all ``places`` holds uniform ``u``: a provider in proportion
    to its places (the referrer's usual partners)."""
    total = 0.0
    for p in places:
        total += p
    u = u * total
    cum = 0.0
    for j in range(places.size):
        cum += places[j]
        if cum > u:
            return j
    return places.size - 1


@numba.njit(cache=True, nogil=True)
def refer_one(k, r, i, ref, week, residential, indicated):
    """Put child ``i`` on a specialist (or residential) waiting list, referred by ``ref``;
    returns what became of it: ON_LIST, TO_BJZ (waiting for an indication) or REFUSED.

    Before 2015 referrals other than insurer-paid jeugd-ggz go through a Bureau Jeugdzorg
    indication first (M13); a crisis is placed at once and indicated afterwards (seeds/001
    L619, L629). The provider is drawn in proportion to its places (``cum_places``: their
    running sum; the referrer's usual partners) and admits to its list only above its
    admission threshold, which follows from the funding rule; urgent cases (crisis, 'other'
    referrers) always. A refusal is a bad experience for the referring GP, and the family is
    reassured."""
    c = k
    uid = c.uid[i]
    c.referrer[i] = ref
    if c.withdrew[i]:
        k.count[Count.RETURNS] += 1
        c.withdrew[i] = False
    route = ROUTE_MUNICIPALITY
    if r.pre2015:
        route = ROUTE_PROVINCE
        if (ref == S.REF_GP or ref == S.REF_NONE) and uniform_at(
            r.key, uid, week, _GGZ_DIRECT
        ) < r.ggz_direct:
            route = ROUTE_INSURER
        if (
            not indicated
            and route == ROUTE_PROVINCE
            and ref != S.REF_OTHER
            and c.need[i] < 4
            and (r.gatekeeper >= 1.0 or uniform_at(r.key, uid, week, _PARTLY_GATED) < r.gatekeeper)
        ):
            enter_one(k, i, S.WAIT_INDICATION, week)
            c.q_entry[i] = week
            c.route[i] = ROUTE_PROVINCE
            c.to_residential[i] = residential
            c.prof_mask[i] |= S.PROF_BJZ
            return TO_BJZ
    c.route[i] = route
    urgent = c.need[i] >= 4 or ref == S.REF_OTHER
    prov = pick_provider(
        k.res_places if residential else k.spec_places, uniform_at(r.key, uid, week, _PROVIDER)
    )
    if not residential and not (urgent or indicated):
        seen = c.need[i] + r.noise_sd * normal_at(r.key, uid, week, _SEEN_BY_PROVIDER)
        if seen < k.threshold[prov]:
            k.count[Count.REFUSED] += 1
            if c.ref_gp[i] >= 0:
                k.bad[c.ref_gp[i], S.P_SPECIALIST] += 1.0
            reassure_one(k, i, week, r.blocked_after_refusal, False)
            return REFUSED
    enter_one(k, i, S.WAIT_RESIDENTIAL if residential else S.WAIT_SPECIALIST, week)
    c.provider[i] = prov
    c.q_entry[i] = week
    c.priority[i] = urgent
    c.to_residential[i] = residential
    c.preventive[i] = r.preventive_offer and not residential
    if c.preventive[i]:
        handover_one(k, r, i, S.PROF_JGZ)
    return ON_LIST


@numba.njit(cache=True, nogil=True)
def _refer_all(k, r, idx, referrer, week, residential, indicated):
    for j in range(idx.size):
        refer_one(k, r, idx[j], referrer[j], week, residential, indicated)


def refer_specialist(
    m,
    idx: np.ndarray,
    referrer: int | np.ndarray,
    week: int,
    residential: bool = False,
    indicated: bool = False,
) -> None:
    """Put children ``idx`` on a specialist (or residential) waiting list (:func:`refer_one`)."""
    if len(idx) == 0:
        return
    ref = np.empty(len(idx), np.int8)
    ref[:] = referrer
    _refer_all(ctx(m, 2 * len(idx)), m.care_rules, idx, ref, int(week), residential, indicated)


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


@numba.njit(cache=True, nogil=True)
def urgency_one(k, i: int) -> int:
    """Rank of child ``i`` on a waiting list (:func:`urgency_of`)."""
    return urgency_of(k.priority[i], k.need[i], k.life_threat[i])


@numba.njit(cache=True, nogil=True, inline="always")
def urgency_of(priority: bool, need: int, life_threat: bool) -> int:
    """Rank on a waiting list, highest first: 2 for a life-threatening situation, 1 for a
    crisis now or a referral that was urgent when made (crisis, 'other' referrers), 0
    otherwise.

    Read at every admission, so a need that becomes a crisis on the list moves the child up
    (lists ordered by urgency, then arrival: DESIGN §3)."""
    return (1 if priority or need >= 4 else 0) + (1 if life_threat else 0)


@numba.njit(cache=True, nogil=True)
def _urgency_all(k, idx):
    out = np.empty(idx.size, np.int64)
    for j in range(idx.size):
        out[j] = urgency_one(k, idx[j])
    return out


def urgency(m, idx: np.ndarray) -> np.ndarray:
    """:func:`urgency_one` of children ``idx`` of model ``m``."""
    return _urgency_all(ctx(m, 0), np.asarray(idx, np.int64))


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


@numba.njit(cache=True, nogil=True)
def secure_safety_one(k, r, i, week):
    """A placement secures the safety of a child placed in a life-threatening situation.

    Placing the child out of home is one of the measures that raise its safety at once
    (Richtlijn Crisisplaatsing, step 4), and a crisis placement lasts at most 28 days (both
    outside ``shared/sources``: see the parameter's source); the brandpunt's binding decision
    serves that safety (seeds/001 L1287-1292). Each week a placed child's level-5 flag lifts
    with chance ``residential.safety_secured_per_week`` (an assumption: its default puts the
    mean at the 28-day maximum); the crisis (level 4) stays until care lowers it
    (:func:`resolve_rows`)."""
    c = k
    if c.life_threat[i] and uniform_at(r.key, c.uid[i], week, _SAFETY) < r.safety:
        c.life_threat[i] = False


@numba.njit(cache=True, nogil=True)
def _secure_safety_all(k, r, idx, week):
    for i in idx:
        secure_safety_one(k, r, i, week)


def secure_safety(m, idx: np.ndarray, week: int) -> None:
    """A week of residential care for the safety of children ``idx`` (:func:`secure_safety_one`)."""
    if len(idx):
        _secure_safety_all(ctx(m, 0), m.care_rules, idx, week)


_WITHDRAW, _LENGTH = int(Purpose.WITHDRAW), int(Purpose.LENGTH)


@numba.njit(cache=True, nogil=True)
def withdraw_one(k, r, i, week):
    """A child leaves a list: with its need remitted it leaves help; otherwise the family is
    reassured and marked as having withdrawn (a later referral counts as a return)."""
    k.count[Count.WITHDRAWALS] += 1
    k.withdrew[i] = k.need[i] > 0
    reassure_one(k, i, week, r.blocked_after_refusal, False)


@numba.njit(cache=True, nogil=True)
def _withdraw_all(k, r, idx, week):
    for i in idx:
        withdraw_one(k, r, i, week)


def _withdraw(m, gone: np.ndarray, week: int) -> None:
    """Children ``gone`` leave their list (:func:`withdraw_one`)."""
    if len(gone):
        _withdraw_all(ctx(m, len(gone)), m.care_rules, gone, week)


@numba.njit(cache=True, nogil=True)
def _leave_lists(k, r, cand, wait_state, care_state, week, withdrawal, preventive_ratio, n_prov):
    """Withdrawal from list ``wait_state`` among the children ``cand``: returns the children
    still on it, the children in ``care_state`` per provider, and the children of ``cand`` on
    the other tier's list or in its care (what that tier's admissions look at: nothing here
    moves a child into or out of them)."""
    # Columns in local variables: a read through the context costs a reference count.
    state, provider, preventive = k.state, k.provider, k.preventive
    uid, life_threat, need = k.uid, k.life_threat, k.need
    stay = np.empty(cand.size, np.int64)
    other = np.empty(cand.size, np.int64)
    n = n_other = 0
    occupied = np.zeros(n_prov, np.int64)
    for i in cand:
        st = state[i]
        if st == care_state:
            occupied[provider[i]] += 1
        if st != wait_state:
            if st != care_state and S.TIER[st] >= 0:
                other[n_other] = i
                n_other += 1
            continue
        wd = withdrawal * (preventive_ratio if preventive[i] else 1.0)
        # A life-threatening situation under the escalation path does not leave the list
        # (§7.10); a need that remitted while waiting does (the family leaves the list).
        gone = uniform_at(r.key, uid[i], week, _WITHDRAW) < wd and not life_threat[i]
        if gone or need[i] == 0:
            withdraw_one(k, r, i, week)
        else:
            stay[n] = i
            n += 1
    return stay[:n], occupied, other[:n_other]


@numba.njit(cache=True, nogil=True)
def _admit(k, r, adm, care_state, prof, week, lengths, length_mult, spread, long_wait):
    """Children ``adm`` start care in ``care_state`` with professional ``prof``; treatment
    lengths by need level (``lengths``) x the provider's funding multiplier x a spread."""
    c = k
    level = 3 if care_state == S.SPECIALIST else 4
    for i in adm:
        waited = week - c.q_entry[i]
        enter_one(k, i, care_state, week)
        c.preventive[i] = False
        c.care_level[i] = level
        u = uniform_at(r.key, c.uid[i], week, _LENGTH)
        weeks = lengths[c.need[i]] * length_mult[c.provider[i]] * (1.0 - spread + 2.0 * spread * u)
        c.planned_end[i] = week + max(1, np.round(weeks))
        c.overtreated[i] = c.need[i] <= level - 2
        c.adm_need[i] = c.need[i]
        handover_one(k, r, i, prof)
        first_help_one(k, i, week)
        # A long wait is a bad experience the family reports to its GP (M2).
        if waited > long_wait and c.ref_gp[i] >= 0:
            k.bad[c.ref_gp[i], S.P_SPECIALIST] += 1.0


@numba.njit(cache=True, nogil=True)
def _select(k, wait, free):
    """Which of the waiting children ``wait`` get a place (:func:`sim.queues.admit`, by
    :func:`urgency_one`), in the order of ``wait``."""
    n = wait.size
    prov, urg = np.empty(n, np.int64), np.empty(n, np.int64)
    entry, uid = np.empty(n, np.int64), np.empty(n, np.int64)
    # Columns in local variables: a read through the context costs a reference count.
    provider, q_entry, uids = k.provider, k.q_entry, k.uid
    priority, need, life_threat = k.priority, k.need, k.life_threat
    for j in range(n):
        i = wait[j]
        prov[j], entry[j], uid[j] = provider[i], q_entry[i], uids[i]
        urg[j] = urgency_of(priority[i], need[i], life_threat[i])
    return wait[admit_mask(prov, urg, entry, uid, free)]


@numba.njit(cache=True, nogil=True)
def _admissions(
    k, r, cand, wait_state, care_state, prof, week, withdrawal, preventive_ratio, places,
    expected_wait, alpha, stop, tier, lengths, length_mult, spread, long_wait,
):  # fmt: skip
    """Withdrawal from list ``wait_state``, then admission to the free places of each provider
    (``places``, fractional: a provider uses their floor); updates each provider's expected
    wait (``expected_wait``, smoothed with ``alpha``) and the trajectories by referrer of
    ``tier`` (1 specialist, 2 residential). Returns the admitted, their waits in weeks and
    their need levels at admission, and the children of ``cand`` at the other tier."""
    wait, occupied, other = _leave_lists(
        k, r, cand, wait_state, care_state, week, withdrawal, preventive_ratio, places.size
    )
    if stop or wait.size == 0:
        return wait[:0], np.empty(0, np.float64), np.empty(0, np.int8), other
    free = np.empty(places.size, np.int64)
    for pr in range(places.size):
        free[pr] = max(usable_places(places[pr]) - occupied[pr], 0)
    adm = _select(k, wait, free)
    waits = np.empty(adm.size, np.float64)
    need = np.empty(adm.size, np.int8)
    prov = np.empty(adm.size, np.int64)
    q_entry, needs, provider, referrer = k.q_entry, k.need, k.provider, k.referrer
    trajectories, routes, new_traj_week = k.trajectories, k.routes, k.new_traj_week
    for j in range(adm.size):
        i = adm[j]
        waits[j] = week - q_entry[i]
        need[j] = needs[i]
        prov[j] = provider[i]
        ref = referrer[i]
        trajectories[ref] += 1
        routes[ref, tier] += 1
        new_traj_week[ref] += 1
    smooth_waits(expected_wait, prov, waits, alpha)
    _admit(k, r, adm, care_state, prof, week, lengths, length_mult, spread, long_wait)
    return adm, waits, need, other


def admissions(
    m,
    week: int,
    pool,
    wait_state: int,
    care_state: int,
    prof: int,
    stop: bool,
    cand: np.ndarray | None = None,
) -> np.ndarray:
    """Withdrawal from the list, then admission to free places (urgency, then arrival).

    ``cand``: the children that may be on the list or in care, in order (default: all with a
    state but none). Returns those of them on the other tier's list or in its care, in order:
    the ``cand`` of that tier's admissions, which this tier's leave untouched."""
    ch, p = m.children, m.p
    if cand is None:
        cand = np.flatnonzero(ch.state != S.NONE)
    if care_state == S.SPECIALIST:
        lengths, mult, tier = m._spec_len, m.funding.length_mult, 1
    else:
        lengths = np.full(S.N_LEVELS, float(p["residential.stay_weeks"]))
        mult, tier = np.full(pool.n, m.funding.res_length_mult), 2
    adm, waits, need, other = _admissions(
        ctx(m, 2 * len(cand)),
        m.care_rules,
        cand,
        wait_state,
        care_state,
        prof,
        week,
        p[f"{pool.name}.withdrawal_per_week"],  # each tier its own
        # a preventive offer is made on the specialist list only
        p["waiting.preventive_withdrawal_ratio"],
        pool.places,
        pool.expected_wait,
        smoothing_alpha(p["specialist.wait_smoothing_weeks"]),
        bool(stop),
        tier,
        lengths,
        mult,
        p["specialist.length_spread"],
        p["trust.long_wait_weeks"],
    )
    if len(adm):
        m.tally.record_waits(care_state, waits, week, m.measuring(week), need)
    return other


# --- care -------------------------------------------------------------------------------------
_RESOLVE, _ESCALATE_IN_CARE = int(Purpose.RESOLVE), int(Purpose.ESCALATE) + 700
_STEPDOWN, _RESIDENTIAL = int(Purpose.STEPDOWN), int(Purpose.RESIDENTIAL)
_SAFETY = int(Purpose.LIFE_THREAT) + 800
_WIJKTEAM_NOSHOW = int(Purpose.NOSHOW) + 100
FROM_WIJKTEAM, FROM_SPECIALIST, FROM_RESIDENTIAL = 0, 1, 2  # rows of care()'s endings
STEPDOWN_SOURCES = ("wijkteam", "specialist", "residential")


@numba.njit(cache=True, nogil=True)
def resolve_rows(k, r, rows: np.ndarray, week: int) -> None:
    """A week of care for children ``rows``: care lowers need by one level with a chance set by
    the match of care and need levels: ``care.resolution_per_week`` x
    ``care.under_treatment_ratio`` per level of need above the care level, x
    ``care.over_treatment_ratio`` (^ stigma) two or more levels below it. An under-treated need
    that does not come down escalates with ``need.escalation_per_week``.

    One call per group of children, with the columns in local variables: reading a column
    through the context costs a reference count each time, about twice the rule itself."""
    need, care_level, uid, life_threat = k.need, k.care_level, k.uid, k.life_threat
    key, under_ratio, over_ratio = r.key, r.under_ratio, r.over_ratio
    resolution, escalation = r.resolution, r.escalation
    for i in rows:
        lvl = need[i]
        gap = lvl - care_level[i]
        under = under_ratio ** float(max(gap, 0))
        over = over_ratio if gap <= -2 else 1.0
        if uniform_at(key, uid[i], week, _RESOLVE) < resolution * under * over and lvl > 0:
            need[i] = lvl - 1
            life_threat[i] = False  # the flag marks a crisis (level 4) only
        elif gap > 0 and lvl < 4 and uniform_at(key, uid[i], week, _ESCALATE_IN_CARE) < escalation:
            need[i] = lvl + 1


def resolve(m, idx: np.ndarray, week: int) -> None:
    """A week of care for children ``idx`` (:func:`resolve_rows`)."""
    if len(idx):
        resolve_rows(ctx(m, 0), m.care_rules, idx, week)


@numba.njit(cache=True, nogil=True)
def good_outcome_one(k, r, i):
    """A trajectory ended well; the referring GP learns of it if feedback was arranged (M3)."""
    c = k
    if c.ref_gp[i] >= 0 and c.ref_feedback[i]:
        k.good[c.ref_gp[i], c.ref_partner[i]] += r.feedback


@numba.njit(cache=True, nogil=True)
def enter_jgz_one(k, r, i, week):
    """Light support by JGZ for ``jgz.support_weeks``."""
    c = k
    enter_one(k, i, S.JGZ_SUPPORT, week)
    c.planned_end[i] = week + r.jgz_support_weeks
    c.care_level[i] = 1
    handover_one(k, r, i, S.PROF_JGZ)
    first_help_one(k, i, week)


@numba.njit(cache=True, nogil=True)
def enter_wijkteam_one(k, r, i, week, warm):
    """Start wijkteam help: an intake first unless the handover is warm, the plan is shared or
    JGZ is part of the team; a no-show sends the family back to unmet need."""
    c = k
    k.appointments[2] += 1
    if uniform_at(r.key, c.uid[i], week, _WIJKTEAM_NOSHOW) < r.noshow_wijkteam:
        k.appointment_noshows[2] += 1
        reassure_one(k, i, week, r.blocked_after_noshow, False)
        return
    skip = warm or r.coordinated or r.pyramid or r.integrated
    if not skip:
        k.count[Count.INTAKES] += 1
        # A duplicate intake: another professional besides the GP already knows the family.
        if c.prof_mask[i] & ~S.PROF_GP:
            k.count[Count.DUPLICATE_INTAKES] += 1
    intake = 0 if skip else r.intake_weeks
    enter_one(k, i, S.WIJKTEAM, week)
    c.intake_left[i] = intake
    c.planned_end[i] = week + intake + r.help_weeks
    c.care_level[i] = 2
    c.route[i] = ROUTE_MUNICIPALITY
    handover_one(k, r, i, S.PROF_WIJKTEAM)
    first_help_one(k, i, week)
    # a new trajectory, referred by the wijkteam itself (its own access)
    k.trajectories[S.REF_WIJKTEAM] += 1
    k.routes[S.REF_WIJKTEAM, 0] += 1
    k.new_traj_week[S.REF_WIJKTEAM] += 1


@numba.njit(cache=True, nogil=True)
def _enter_wijkteam_all(k, r, idx, week, warm):
    for i in idx:
        enter_wijkteam_one(k, r, i, week, warm)


def enter_wijkteam(m, idx: np.ndarray, week: int, warm: bool = False) -> None:
    """Children ``idx`` start wijkteam help (:func:`enter_wijkteam_one`)."""
    if len(idx):
        _enter_wijkteam_all(ctx(m, 2 * len(idx)), m.care_rules, idx, week, bool(warm))


_FEEDBACK_DRAW = int(Purpose.REQUEST) + 500


@numba.njit(cache=True, nogil=True)
def note_referral_one(k, r, i, g, partner, week):
    """Remember which GP referred the child, and whether the GP will hear how it went (M3);
    with a digital family plan the case is a digital contact."""
    k.ref_gp[i] = g
    k.ref_partner[i] = partner
    got = uniform_at(r.key, k.uid[i], week, _FEEDBACK_DRAW) < r.feedback_share
    k.ref_feedback[i] = got
    if got:
        k.feedback[g] += 1.0
    if r.digital_plan:
        k.digital[g, partner] += r.digital_contacts


@numba.njit(cache=True, nogil=True)
def enter_worker_one(k, r, i, g, week):
    """Start sessions with the practice worker (the case is discussed in person: a contact)."""
    enter_one(k, i, S.PRACTICE_WORKER, week)
    k.sessions_left[i] = r.worker_sessions
    k.noshows[i] = 0
    k.care_level[i] = r.worker_level
    k.ref_gp[i] = g
    k.ref_partner[i] = S.P_WORKER
    k.ref_feedback[i] = True  # same practice: the GP hears how it went
    k.in_person[g, S.P_WORKER] += r.worker_contacts
    handover_one(k, r, i, S.PROF_WORKER)
    first_help_one(k, i, week)


@numba.njit(cache=True, nogil=True)
def send_all(k, r, idx, option, referrer, week, gps, selfhelp):
    """Carry out referral choices ``option`` (``states.OPT_*``) for children ``idx``, option by
    option; ``gps`` the referring GP of each child, or -1 where no GP referred."""
    for opt in range(5):
        for j in range(idx.size):
            if option[j] != opt:
                continue
            i = idx[j]
            if opt == S.OPT_REASSURE:
                reassure_one(k, i, week, r.blocked_after_reassurance, selfhelp)
            elif opt == S.OPT_WORKER:
                enter_worker_one(k, r, i, gps[j], week)
        partner = (-1, -1, S.P_WIJKTEAM, S.P_JGZ, S.P_SPECIALIST)[opt]
        if partner < 0:
            continue
        for j in range(idx.size):
            if option[j] == opt and gps[j] >= 0:
                note_referral_one(k, r, idx[j], gps[j], partner, week)
        for j in range(idx.size):
            if option[j] != opt:
                continue
            i = idx[j]
            if opt == S.OPT_WIJKTEAM:
                # A joint intake of wijkteam and JGZ: JGZ's families start without a second one.
                enter_wijkteam_one(k, r, i, week, referrer == S.REF_JGZ and r.joint_intake)
            elif opt == S.OPT_JGZ:
                enter_jgz_one(k, r, i, week)
            else:
                refer_one(k, r, i, referrer, week, False, False)


def send(
    m,
    idx: np.ndarray,
    option: np.ndarray,
    referrer: int,
    week: int,
    gp: np.ndarray | None = None,
    selfhelp: bool = False,
) -> None:
    """Carry out referral choices ``option`` for children ``idx`` (:func:`send_all`)."""
    if len(idx) == 0:
        return
    gps = np.full(len(idx), -1, np.int64) if gp is None else np.asarray(gp, np.int64)
    send_all(
        ctx(m, 2 * len(idx)),
        m.care_rules,
        idx,
        np.asarray(option, np.int64),
        int(referrer),
        int(week),
        gps,
        bool(selfhelp),
    )


@numba.njit(cache=True, nogil=True)
def step_down_one(k, r, i, week, source, counts):
    """Step down to JGZ (integrated team, or from the wijkteam) or to the wijkteam (M12);
    ``counts[1, source]`` and ``counts[2, source]`` count step-downs and those to JGZ."""
    counts[1, source] += 1
    if r.integrated or source == FROM_WIJKTEAM:
        counts[2, source] += 1
        enter_jgz_one(k, r, i, week)
    else:
        enter_wijkteam_one(k, r, i, week, True)


@numba.njit(cache=True, nogil=True)
def stepdown_room_one(k, r, i):
    """Whether a step-down has somewhere to go: always within an integrated team (JGZ takes
    over, Hart voor jeugd en gezin); otherwise only as far as the local wijkteam has room (M12)."""
    occ = 0.0 if r.integrated else occupancy(k, r, k.hood[k.family[i]])
    return stepdown_room_of(r.integrated, occ)


@numba.njit(cache=True, nogil=True, inline="always")
def stepdown_room_of(integrated: bool, occ: float) -> float:
    """The room (0-1) for a step-down: 1 within an integrated team, else the local wijkteam's
    room at occupancy ``occ`` (caseload over its norm; :func:`stepdown_room_one`)."""
    if integrated:
        return 1.0
    return min(max(1.0 - occ, 0.0), 1.0)


@numba.njit(cache=True, nogil=True)
def _light_support(k, r, active, st, week):
    """JGZ support and monitoring: a week of support; at its end exit or back to unmet need."""
    rows = active[st == S.JGZ_SUPPORT]
    resolve_rows(k, r, rows, week)  # each child's care touches its own row only
    need, planned_end = k.need, k.planned_end
    for i in rows:
        if planned_end[i] <= week:
            if need[i] == 0:
                exit_one(k, i, week)
            else:
                reassure_one(k, i, week, r.blocked_after_light_help, False)


# Row of _tier_rows per state: wijkteam help 0, specialist ambulant 1, residential 2, others 3.
_CARE_GROUP = np.full(len(S.STATE_NAMES), 3, np.int64)
_CARE_GROUP[[S.WIJKTEAM, S.SPECIALIST, S.RESIDENTIAL]] = 0, 1, 2


@numba.njit(cache=True, nogil=True)
def _tier_rows(active, st):
    """The children of ``active`` in wijkteam help, specialist ambulant and residential care
    (by their states ``st``), each in the order of ``active``."""
    rows = np.empty((4, active.size), np.int64)
    n = np.zeros(4, np.int64)
    for j in range(active.size):  # no branch on the state: the other states go to row 3
        x = np.int64(st[j])
        g = _CARE_GROUP[x] if 0 <= x < _CARE_GROUP.size else 3  # a corrupt state: no tier
        rows[g, n[g]] = active[j]
        n[g] += 1
    return rows[0, : n[0]].copy(), rows[1, : n[1]].copy(), rows[2, : n[2]].copy()


@numba.njit(cache=True, nogil=True)
def _help_and_care(k, r, wait_term, active, st, week, measuring):
    """The wijkteam's, specialist and residential care of one week (see :func:`care`); returns
    (endings, step-downs, step-downs to JGZ) by source, rows 0-2."""
    # Columns in local variables: a read through the context costs a reference count.
    state, need, uid, planned_end = k.state, k.need, k.uid, k.planned_end
    intake_left, provider, referrer, adm_need = k.intake_left, k.provider, k.referrer, k.adm_need
    since, prof_mask, stepdown_rate, lengths = k.since, k.prof_mask, k.stepdown_rate, k.lengths
    length_mult, occ, hood, family = k.length_mult, k.occ, k.hood, k.family
    counts = np.zeros((3, 3), np.int64)
    # The children of each tier at the start of the week's care, in one pass.
    t, s, res = _tier_rows(active, st)

    # Wijkteam: intake, then help; at the end exit, step down, refer or extend.
    n = t.size
    in_intake = np.empty(n, np.bool_)
    for a in range(n):
        i = t[a]
        in_intake[a] = intake_left[i] > 0
        if in_intake[a]:
            intake_left[i] -= 1
    resolve_rows(k, r, t[~in_intake], week)  # help, not the intake that ended this week
    for a in range(n):
        i = t[a]
        if in_intake[a] and intake_left[i] == 0:  # assessed this week
            if wijkteam_refers_one(k, r, wait_term, i, week):
                refer_one(k, r, i, S.REF_WIJKTEAM, week, False, False)
    end = np.empty(n, np.int64)
    ne = 0
    for a in range(n):
        i = t[a]
        if intake_left[i] == 0 and planned_end[i] <= week and state[i] == S.WIJKTEAM:
            end[ne] = i
            ne += 1
    end = end[:ne]
    counts[0, FROM_WIJKTEAM] += ne
    for i in end:
        if need[i] == 0:
            good_outcome_one(k, r, i)
            exit_one(k, i, week)
    sd = r.stepdown_to_jgz * r.stepdown * (1.0 if r.integrated else 0.0)
    for i in end:
        if need[i] == 1 and uniform_at(r.key, uid[i], week, _STEPDOWN) < sd:
            step_down_one(k, r, i, week, FROM_WIJKTEAM, counts)
    for i in end:
        if need[i] == 1:
            good_outcome_one(k, r, i)
    for i in end:
        if need[i] == 1 and state[i] == S.WIJKTEAM:  # not stepped down
            reassure_one(k, i, week, r.blocked_after_care, False)
    for i in end:
        if need[i] >= 2:
            if wijkteam_refers_one(k, r, wait_term, i, week):
                refer_one(k, r, i, S.REF_WIJKTEAM, week, False, False)
            else:
                planned_end[i] = week + r.help_weeks

    # Specialist ambulant care.
    n = s.size
    resolve_rows(k, r, s, week)
    for i in s:
        if need[i] >= 4 and uniform_at(r.key, uid[i], week, _RESIDENTIAL) < r.crisis_referral:
            refer_one(k, r, i, referrer[i], week, True, False)
    if n and not r.integrated:
        ensure_occupancy(k, r)  # counted now for the step-down room of the children still here
    e = np.empty(n, np.int64)
    ne = 0
    for i in s:
        if state[i] != S.SPECIALIST:
            continue
        early = False
        if need[i] <= 1:  # only a child whose need has come down can step down early
            # stepdown_room_one with the occupancy counted above (unread within a team)
            room = stepdown_room_of(r.integrated, occ[hood[family[i]]])
            rate = min(stepdown_rate[provider[i]] * r.stepdown * room, 1.0)
            # An integrated local team keeps monitoring the children it referred and steps
            # them down when care is no longer needed ("blijft betrokken en monitort", seeds/004
            # L682-688, L712-713); x + mon * (1 - x) combines the two chances (x at mon 0).
            if (
                r.monitoring > 0
                and r.integrated
                and (referrer[i] == S.REF_WIJKTEAM or referrer[i] == S.REF_JGZ)
            ):
                rate = rate + r.monitoring * (1.0 - rate)
            early = uniform_at(r.key, uid[i], week, _STEPDOWN) < rate
        if early or planned_end[i] <= week:
            e[ne] = i
            ne += 1
    e = e[:ne]
    counts[0, FROM_SPECIALIST] += ne
    if measuring:
        for i in e:
            push_row(
                k.ep_rows,
                k.ep_n,
                adm_need[i],
                week - since[i],
                S.POPCOUNT[prof_mask[i] & 127],
            )
    for i in e:
        if need[i] == 0:
            good_outcome_one(k, r, i)
            exit_one(k, i, week)
    for i in e:
        if need[i] == 1:
            good_outcome_one(k, r, i)
    for i in e:
        if need[i] == 1:
            room = stepdown_room_one(k, r, i)
            if (
                uniform_at(r.key, uid[i], week, _STEPDOWN + 50)
                < r.stepdown * r.specialist_stepdown_at_end * room
            ):
                step_down_one(k, r, i, week, FROM_SPECIALIST, counts)
            else:
                reassure_one(k, i, week, r.blocked_after_care, False)
    for i in e:
        if need[i] >= 2:
            ext = math.floor(lengths[need[i]] * r.extension_share)
            planned_end[i] = week + np.int32(max(1.0, ext * length_mult[provider[i]]))

    # Residential care.
    n = res.size
    resolve_rows(k, r, res, week)
    for i in res:
        secure_safety_one(k, r, i, week)
    e = np.empty(n, np.int64)
    ne = 0
    for i in res:
        if planned_end[i] <= week:
            e[ne] = i
            ne += 1
    e = e[:ne]
    counts[0, FROM_RESIDENTIAL] += ne
    for i in e:
        if need[i] >= 3:
            planned_end[i] = week + r.residential_extension_weeks
    for i in e:
        if need[i] == 0:
            good_outcome_one(k, r, i)
            exit_one(k, i, week)
    for i in e:
        if need[i] == 1 or need[i] == 2:
            if (
                uniform_at(r.key, uid[i], week, _STEPDOWN + 60)
                < r.stepdown * r.residential_stepdown_at_end
            ):
                step_down_one(k, r, i, week, FROM_RESIDENTIAL, counts)
            else:
                reassure_one(k, i, week, r.blocked_after_care, False)
    return counts


def wijkteam_wait_term(m) -> float:
    """The wait response in the wijkteam's access decision: gp.beta_wait x its mechanism x the
    specialist wait the wijkteam expects (which changes at each week's admissions)."""
    return m.rule_values.beta_wait * m.expected_specialist_wait(S.REF_WIJKTEAM)


def good_outcome(m, idx: np.ndarray) -> None:
    """Trajectories of children ``idx`` ended well (:func:`good_outcome_one`)."""
    if len(idx):
        _good_outcome_all(ctx(m, 0), m.care_rules, idx)


@numba.njit(cache=True, nogil=True)
def _good_outcome_all(k, r, idx):
    for i in idx:
        good_outcome_one(k, r, i)


def care(m, week: int, active: np.ndarray) -> None:
    """One week of help in every help state: sessions, resolution, endings.

    Each state's children are those in it when the week's care starts (``active``: every
    child with a state but none). JGZ support first, then the practice worker's sessions,
    then the wijkteam, specialist ambulant care and residential care (:func:`_help_and_care`).
    """
    ch, r = m.children, m.care_rules
    st = ch.state[active]
    _light_support(ctx(m, len(active)), r, active, st, week)
    w = active[st == S.PRACTICE_WORKER]
    if len(w):
        _worker_sessions(m, w, week)
    counts = _help_and_care(
        ctx(m, 3 * len(active)), r, wijkteam_wait_term(m), active, st, week, m.measuring(week)
    )
    t = m.tally
    for source, name in enumerate(STEPDOWN_SOURCES):
        for row, tally in enumerate((t.endings, t.stepdowns, t.stepdowns_jgz)):
            if counts[row, source]:
                tally[name] += int(counts[row, source])


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
