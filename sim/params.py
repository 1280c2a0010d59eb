"""The parameter registry: every parameter of the model, in one place.

Each parameter has a dotted name (``section.key``), a type, a default, a unit, hard bounds (what is
allowed at all), an uncertainty distribution (what a probabilistic run or a sensitivity analysis
draws from; ``None`` for scenario levers and structural settings) and a source: a file and line in
``../shared/sources/`` (``seed-digest``, ``public-figures``, ``seeds/00x``) or ``assumption``.

Scenario files, SALib problems, the workshop's sliders and the ODD table all read this registry;
there is no second list of parameters anywhere.

Mechanism strengths live under ``mechanisms.*``: 1 is the calibrated strength, 0 switches the
mechanism off (DESIGN §3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.states import REFERRERS

SRC_DIGEST = "shared/sources/seed-digest.md"
SRC_FIG = "shared/sources/public-figures.md"
ASSUMPTION = "assumption"
CALIBRATED = (
    "calibrated to the DESIGN §3 targets (README, calibration table); prior range is an assumption"
)
# Set by hand against the same targets while the model was built; `youthcare calibrate` keeps
# them fixed (it fits FREE in sim/calibration.py only).
TUNED = (
    "tuned by hand to the DESIGN §3 targets during development; held fixed by `youthcare "
    "calibrate`; prior range is an assumption"
)
WARM_START = (
    "warm start: the baseline's steady state (scripts/warm_start.py --seeds 3: 20,000 families, "
    "20 years, seeds 1-3)"
)


NEED_LEVEL_NAMES = ("none", "light", "moderate", "severe", "crisis")  # need levels 0-4
# (block, the children it holds, need mix from none or light to crisis) of the warm start: the
# baseline's steady state (scripts/warm_start.py, sampled every 13 weeks). A care block has a
# 'none' weight: help runs to its planned end after the need has resolved. A child on a list whose
# need resolves leaves it, so the list, like unmet need, starts at light.
INIT_NEED_MIX = (
    ("specialist", "children in specialist care at the start", (0.131, 0.259, 0.392, 0.189, 0.029)),
    ("waiting", "children on a specialist list at the start", (0.051, 0.512, 0.436, 0.0)),
    (
        "residential",
        "children in residential care at the start",
        (0.076, 0.117, 0.248, 0.304, 0.255),
    ),
    (
        "residential_waiting",
        "children on a residential list at the start",
        (0.0, 0.005, 0.162, 0.833),
    ),
    ("wijkteam", "children in wijkteam help at the start", (0.144, 0.375, 0.411, 0.065, 0.005)),
    ("unmet", "the other children with a need at the start", (0.537, 0.375, 0.085, 0.003)),
)


# (block, referrer weights in sim.states.REFERRERS order: gp, wijkteam, jgz, none, other) of the
# children in specialist and residential care and on their lists at the start: who sent them, as
# at the baseline's steady state (scripts/warm_start.py). Children in wijkteam help and in unmet
# need carry no referrer that acts; theirs is the GP.
INIT_REFERRER_MIX = (
    ("specialist", (0.519, 0.055, 0.059, 0.193, 0.173)),
    ("waiting", (0.626, 0.069, 0.067, 0.238, 0.0)),
    ("residential", (0.56, 0.051, 0.054, 0.182, 0.154)),
    ("residential_waiting", (0.549, 0.049, 0.054, 0.171, 0.177)),
)
# Warm-start blocks whose children may be credited to their GP (a referring GP who hears how it
# went, M2/M3): every block but JGZ support, which starts empty.
CREDIT_BLOCKS = ("specialist", "waiting", "residential", "residential_waiting", "wijkteam", "unmet")


def init_referrer_keys(block: str) -> tuple[str, ...]:
    """The registry names of a warm-start block's referrer weights, in REFERRERS order."""
    return tuple(f"init.{block}_referrer_{r}" for r in REFERRERS)


def init_need_levels(block: str) -> tuple[str, ...]:
    """The need levels a warm-start block draws from, lowest first (unmet need starts at light)."""
    mix = next(m for b, _, m in INIT_NEED_MIX if b == block)
    return NEED_LEVEL_NAMES[len(NEED_LEVEL_NAMES) - len(mix) :]


def init_need_keys(block: str) -> tuple[str, ...]:
    """The registry names of a warm-start block's need weights, lowest level first."""
    return tuple(f"init.{block}_need_{level}" for level in init_need_levels(block))


class ParameterError(ValueError):
    """A parameter name or value that the registry does not allow (one line, user-facing)."""


@dataclass(frozen=True)
class Param:
    """One parameter: name, default, unit, bounds, uncertainty distribution and source.

    ``kind`` is ``float``, ``int``, ``bool`` or ``choice``. ``dist`` is ``("uniform", lo, hi)``,
    ``("triangular", lo, mode, hi)`` or ``None`` (not uncertain: a lever or a structural setting).
    """

    name: str
    default: Any
    unit: str
    lo: float | None = None
    hi: float | None = None
    kind: str = "float"
    choices: tuple[str, ...] = ()
    dist: tuple | None = None
    source: str = ASSUMPTION
    doc: str = ""
    group: str = field(default="")

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        kind = "an integer" if self.kind == "int" else "a number"
        return f"{kind} in [{self.lo:g}, {self.hi:g}]"

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to this parameter's type, or raise ParameterError."""
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(self.allowed())
            return value
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ParameterError(self.allowed())
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ParameterError(self.allowed())
        if not np.isfinite(float(value)):
            raise ParameterError(self.allowed())
        if self.kind == "int":
            if float(value) != int(value):
                raise ParameterError(self.allowed())
            value = int(value)
        else:
            value = float(value)
        if not np.isfinite(value) or value < self.lo or value > self.hi:
            raise ParameterError(self.allowed())
        return value

    def sample(self, u: float) -> float:
        """Map a uniform number ``u`` in [0, 1) through this parameter's distribution."""
        if self.dist is None:
            return self.default
        kind = self.dist[0]
        if kind == "uniform":
            lo, hi = self.dist[1], self.dist[2]
            return lo + u * (hi - lo)
        if kind == "triangular":
            lo, mode, hi = self.dist[1:]
            c = (mode - lo) / (hi - lo)
            if u < c:
                return lo + np.sqrt(u * (hi - lo) * (mode - lo))
            return hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
        raise ValueError(f"unknown distribution {kind}")

    @property
    def uncertain_bounds(self) -> tuple[float, float] | None:
        """Bounds of the uncertainty distribution (for SALib), or None for fixed parameters."""
        if self.dist is None:
            return None
        return (float(self.dist[1]), float(self.dist[-1]))


def _u(lo: float, hi: float) -> tuple:
    return ("uniform", lo, hi)


def _t(lo: float, mode: float, hi: float) -> tuple:
    return ("triangular", lo, mode, hi)


# fmt: off
_P: list[Param] = [
    # --- era and population -------------------------------------------------------------------
    Param("era.rules", "2015", "-", kind="choice", choices=("2015", "pre2015"),
          source=f"{SRC_DIGEST} §6.1, §7.1 (ERA_2015 / ERA_PRE2015)",
          doc="Referral and payer rules: 2015+ (GP and wijkteam refer directly, municipality pays) or pre-2015 (Bureau Jeugdzorg indicates, province pays)."),
    Param("population.children_per_family", 1.8, "children/family", 1.0, 4.0,
          source=f"{SRC_DIGEST} §7.1 [DERIVED] 3.3 M minors / 1.8 M families (seeds/004 L2095-2096)",
          doc="Mean number of minors per family at the start."),
    Param("population.families_per_gp_practice", 358.0, "families/practice", 50, 2000,
          source=f"{SRC_FIG} 2.11 (5,028 practices) and seeds/004 L2096 (1.8 M families) [DERIVED]",
          doc="Families with minors per GP practice."),
    Param("population.families_per_neighbourhood", 2500.0, "families/neighbourhood", 200, 20000,
          source=ASSUMPTION, doc="Families per neighbourhood (wijk); one wijkteam per neighbourhood."),
    Param("population.parental_problems_share", 0.15, "share of families", 0, 1, dist=_u(0.08, 0.25),
          source=f"{ASSUMPTION} (M18: {SRC_DIGEST} §6.4)", doc="Families with parental (adult-domain) problems."),
    Param("population.network_share", 0.25, "share of families", 0, 1,
          source=f"{SRC_DIGEST} §6.2: 'slechts een kwart van de ouders hulp krijgt vanuit hun netwerk' (seeds/004 L392-394)",
          doc="Families that get help from their informal network (M17)."),
    Param("population.shame_share", 0.67, "share of families", 0, 1,
          source=f"{SRC_DIGEST} §6.2: 'Tweederde ... durft ... niet' (seeds/004 L392-394)",
          doc="Families with help-seeking shame (vraagschaamte, M17)."),
    Param("population.same_family_birth_share", 0.5, "share of births", 0, 1, source=ASSUMPTION,
          doc="Share of births into an existing family of the leaving child; the rest go to a random family."),

    # --- need: onset, escalation, remission ---------------------------------------------------
    Param("need.onset_per_year_0_3", 0.06, "1/year", 0, 1, dist=_u(0.04, 0.08), source=TUNED,
          doc="Hazard of a new need at ages 0-3 for an average family."),
    Param("need.onset_per_year_4_11", 0.22, "1/year", 0, 1, dist=_u(0.17, 0.27), source=CALIBRATED,
          doc="Hazard of a new need at ages 4-11 (calibrated to the share in care)."),
    Param("need.onset_per_year_12_17", 0.24, "1/year", 0, 1, dist=_u(0.19, 0.29), source=CALIBRATED,
          doc="Hazard of a new need at ages 12-17 (girls 12-18 rising: public-figures 1.14)."),
    Param("need.parental_hazard_ratio", 2.0, "ratio", 1, 5, dist=_u(1.5, 3.0),
          source=f"{ASSUMPTION} (M18: seeds/004 L1397-1400)", doc="Onset hazard ratio with parental problems."),
    Param("need.resilience_hazard_ratio", 0.7, "ratio per SD", 0.2, 1, dist=_u(0.55, 0.85), source=ASSUMPTION,
          doc="Onset hazard ratio per standard deviation of family resilience (draagkracht)."),
    Param("need.onset_moderate_share", 0.35, "share of onsets", 0, 1, dist=_u(0.25, 0.45), source=ASSUMPTION,
          doc="Share of new needs that start moderate (level 2); the rest start light, minus the severe share."),
    Param("need.onset_severe_share", 0.08, "share of onsets", 0, 1, dist=_u(0.04, 0.12), source=ASSUMPTION,
          doc="Share of new needs that start severe (level 3)."),
    Param("need.escalation_per_week", 0.008, "1/week", 0, 0.2, dist=_u(0.004, 0.015),
          source=f"{ASSUMPTION} (M4: seeds/001 L611; seeds/002 L5)", doc="Weekly chance that an unmet need rises one level."),
    Param("need.crisis_escalation_per_week", 0.006, "1/week", 0, 0.2, dist=_u(0.003, 0.012), source=ASSUMPTION,
          doc="Weekly chance that an unmet severe need (level 3) becomes a crisis (level 4)."),
    Param("need.life_threatening_per_week", 0.01, "1/week", 0, 0.5, source=ASSUMPTION,
          doc="Weekly chance that an unmet crisis becomes life-threatening (flag on level 4)."),
    Param("need.remission_per_week_light", 0.03, "1/week", 0, 0.5, dist=_u(0.015, 0.05), source=ASSUMPTION,
          doc="Weekly chance that an unmet light need remits by itself."),
    Param("need.remission_per_week_moderate", 0.008, "1/week", 0, 0.5, dist=_u(0.004, 0.015), source=ASSUMPTION,
          doc="Weekly chance that an unmet moderate need falls one level by itself."),
    Param("need.remission_per_week_severe", 0.003, "1/week", 0, 0.5, dist=_u(0.001, 0.006), source=ASSUMPTION,
          doc="Weekly chance that an unmet severe or crisis need falls one level by itself."),
    Param("need.network_remission_ratio", 1.6, "ratio", 1, 4, dist=_u(1.2, 2.2),
          source=f"{ASSUMPTION} (M17: seeds/004 L382-394)", doc="Remission multiplier for families with informal-network help."),
    Param("need.waiting_harm_ratio", 1.5, "ratio", 1, 4, dist=_u(1.0, 2.5),
          source=f"{ASSUMPTION} (M4/M5: waiting harms)", doc="Escalation multiplier while on a waiting list."),
    Param("need.relapse_per_year", 0.25, "1/year", 0, 3, dist=_u(0.1, 0.5), source=ASSUMPTION,
          doc="Hazard of a new need in the relapse window after care ends."),
    Param("need.relapse_window_weeks", 52, "weeks", 1, 260, kind="int", source=ASSUMPTION,
          doc="Length of the relapse window after care ends."),
    Param("need.overtreatment_relapse_ratio", 1.5, "ratio", 1, 5, dist=_u(1.0, 2.5),
          source=f"{ASSUMPTION} (M10: medicalising over-treatment)", doc="Relapse hazard multiplier after over-treatment."),

    # --- help-seeking --------------------------------------------------------------------------
    Param("seek.present_per_week_light", 0.012, "1/week", 0, 1, dist=_u(0.006, 0.02), source=ASSUMPTION,
          doc="Weekly chance that a family with an unmet light need asks for help."),
    Param("seek.present_per_week_moderate", 0.03, "1/week", 0, 1, dist=_u(0.015, 0.05), source=ASSUMPTION,
          doc="Weekly chance to ask for help with a moderate need."),
    Param("seek.present_per_week_severe", 0.07, "1/week", 0, 1, dist=_u(0.04, 0.12), source=ASSUMPTION,
          doc="Weekly chance to ask for help with a severe need."),
    Param("seek.present_per_week_crisis", 0.3, "1/week", 0, 1, source=ASSUMPTION,
          doc="Weekly chance to ask for help in a crisis."),
    Param("seek.shame_ratio", 0.6, "ratio", 0, 1, dist=_u(0.4, 0.8),
          source=f"{ASSUMPTION} (M17: seeds/004 L392-394)", doc="Help-seeking multiplier for families with shame."),
    Param("seek.after_4_gp_ratio", 2.5, "ratio", 0.5, 3, source=TUNED,
          doc="Relative preference for the GP over JGZ-less routes once the child is 4 or older."),
    Param("seek.route_wijkteam_weight", 0.05, "relative weight", 0, 10, dist=_u(0.02, 0.1), source=CALIBRATED,
          doc="Weight of going to the wijkteam (or school route) relative to the GP (weight 1)."),
    Param("seek.route_direct_weight", 0.65, "relative weight", 0, 10, dist=_u(0.5, 0.8),
          source=f"{ASSUMPTION}; calibrated to 'geen verwijzer' 14.9% ({SRC_FIG} 2.4)",
          doc="Weight of going straight to a free-access provider (moderate needs and up)."),
    Param("seek.blocked_weeks_after_reassurance", 12, "weeks", 0, 104, kind="int", source=ASSUMPTION,
          doc="Weeks a reassured family waits before it asks again."),
    Param("seek.blocked_weeks_after_noshow", 4, "weeks", 0, 104, kind="int", source=ASSUMPTION,
          doc="Weeks before a family that missed its wijkteam intake asks again."),
    Param("seek.blocked_weeks_after_light_help", 4, "weeks", 0, 104, kind="int", source=ASSUMPTION,
          doc="Weeks before a family whose JGZ support ended with need left asks again."),
    Param("seek.blocked_weeks_after_refusal", 8, "weeks", 0, 104, kind="int", source=ASSUMPTION,
          doc="Weeks before a family refused by a provider, or that left the waiting list, asks again."),
    Param("seek.blocked_weeks_after_care", 8, "weeks", 0, 104, kind="int", source=ASSUMPTION,
          doc="Weeks before a family whose care ended with a light need left asks again."),
    Param("seek.noshows_to_drop_out", 2, "no-shows", 1, 10, kind="int", source=f"{ASSUMPTION} (M9)",
          doc="Missed practice-worker sessions after which a family drops out."),
    Param("seek.noshow_gp", 0.05, "share of appointments", 0, 1,
          source=f"{ASSUMPTION}; ordinal constraint noshow(GP) < noshow(practice worker) (seeds/000 L307-312)",
          doc="No-show at the GP consult."),
    Param("seek.noshow_practice_worker", 0.18, "share of appointments", 0, 1, dist=_u(0.1, 0.3),
          source=f"{ASSUMPTION} (M9: 'vaak' niet op een afspraak, seeds/000 L307-312)",
          doc="No-show at a session with the low-threshold practice worker."),
    Param("seek.noshow_wijkteam", 0.1, "share of appointments", 0, 1, dist=_u(0.05, 0.15), source=ASSUMPTION,
          doc="No-show at the wijkteam intake."),
    Param("seek.knowledge_of_offer", 0.5, "0-1", 0, 1, source=ASSUMPTION,
          doc="Families' knowledge of the local offer; raises the wijkteam route and help-seeking (M8)."),
    Param("seek.worker_knowledge_boost", 0.25, "0-1", 0, 1, source=f"{ASSUMPTION} (M8: seeds/000 L357-359)",
          doc="Rise in families' knowledge of the offer when their practice has a practice worker."),
    Param("seek.knowledge_effect", 0.5, "ratio per unit", 0, 3, source=ASSUMPTION,
          doc="Help-seeking multiplier (1 + effect x (knowledge - 0.5))."),
    Param("seek.route_knowledge_effect", 1.0, "ratio per unit", 0, 3, source=ASSUMPTION,
          doc="Weight of the wijkteam among the routes of a family that asks for help: x (1 + effect x M8 x (knowledge - 0.5))."),

    # --- exogenous 'other' inflow (child protection, medical specialists) -----------------------
    Param("other.protection_per_week", 0.0065, "1/week", 0, 0.2, dist=_u(0.005, 0.008),
          source=f"calibrated to GI share 7.0% of started trajectories ({SRC_FIG} 2.4)",
          doc="Weekly chance that a child with a severe or crisis need enters via child protection (gecertificeerde instelling)."),
    Param("other.medical_per_week", 0.0025, "1/week", 0, 0.2, dist=_u(0.0018, 0.0032),
          source=f"calibrated to medical-specialist share 4.7% ({SRC_FIG} 2.4)",
          doc="Weekly chance that a child with a moderate or worse need is referred by a medical specialist."),
    Param("other.protection_cost_per_week", 230.0, "EUR/week", 0, 2000,
          source=f"{ASSUMPTION}; child-protection measure (JB, GI) cost while in care; 'protection included' in EUR 13,900 ({SRC_DIGEST} §7.7 V9)",
          doc="Municipal cost of a child-protection measure per week, for children who entered through child protection."),
    Param("other.protection_residential_share", 0.25, "share", 0, 1, source=ASSUMPTION,
          doc="Share of child-protection entries placed in residential care."),

    # --- JGZ -----------------------------------------------------------------------------------
    Param("jgz.reach", 0.98, "share of children", 0, 1, source=f"{SRC_DIGEST} §6.2 'circa 98%' (seeds/004 L2094)",
          doc="Share of children JGZ sees."),
    Param("jgz.contacts_per_year_0_3", 4.0, "contacts/year", 0, 20, source=f"{ASSUMPTION}; dense 0-4 (seeds/004 L946-948)",
          doc="JGZ contact moments per year at ages 0-3."),
    Param("jgz.contacts_per_year_4_17", 0.4, "contacts/year", 0, 20, source=f"{ASSUMPTION}; sparse after 4 (seeds/004 L946-948)",
          doc="JGZ contact moments per year at ages 4-17."),
    Param("jgz.detection", 0.5, "probability", 0, 1, dist=_u(0.3, 0.7), source=ASSUMPTION,
          doc="Chance that a contact moment signals an existing need."),
    Param("jgz.perception_noise_sd", 0.4, "need levels", 0, 3, dist=_u(0.2, 0.6),
          source=f"{ASSUMPTION} (as the practice worker's: JGZ knows the child from its contact moments)",
          doc="SD of JGZ's error on the need level of a child whose need it signals."),
    Param("jgz.normalising", 0.2, "need levels", 0, 2, dist=_u(0.0, 0.4),
          source=f"{ASSUMPTION} (M7 counterweight: seeds/004 L727, L797-798)",
          doc="How far JGZ lowers the perceived need (de-medicalising)."),
    Param("jgz.support_utility", 0.8, "utility", -5, 5, source=TUNED,
          doc="JGZ's preference for its own light support over referring on."),
    Param("jgz.support_weeks", 8, "weeks", 1, 52, kind="int", source=ASSUMPTION, doc="Length of JGZ light support."),
    Param("jgz.cost_per_child_per_year", 216.0, "EUR/child/year", 0, 2000,
          source=f"{SRC_DIGEST} §7.4 [DERIVED] ~EUR 216 JGZ basic per minor (seeds/004 L2091-2095)",
          doc="JGZ basic-package cost per child (municipality)."),
    Param("jgz.monitoring_stepdown_per_week", 0.01, "1/week", 0, 0.5, dist=_u(0.0, 0.03),
          source=f"{ASSUMPTION} (monitoring after referral: seeds/004 L682-688, L712-713)",
          doc="Integrated team only: weekly chance that monitoring steps a child in specialist care with a light need down (on top of the provider's own step-down)."),
    Param("jgz.integrated_in_wijkteam", False, "-", kind="bool",
          source=f"{SRC_DIGEST} §7.5 S7/S8 (seeds/004 L776, L797-798)",
          doc="JGZ part of the local team (Hart voor jeugd en gezin): joint intake, step-down, monitoring."),

    # --- GP practice ---------------------------------------------------------------------------
    Param("gp.detection", 0.6, "probability", 0, 1, dist=_u(0.4, 0.8),
          source=f"{ASSUMPTION} (seeds/000 L274-280: GP brings few questions that suit the CJG)",
          doc="Chance that the GP detects the problem behind a complaint (level 1; rises with level)."),
    Param("gp.perception_noise_sd", 0.9, "need levels", 0, 3, dist=_u(0.6, 1.2), source=ASSUMPTION,
          doc="SD of the GP's error on the need level at zero knowledge of the social map."),
    Param("gp.knowledge_noise_reduction", 0.5, "share", 0, 1, source=f"{ASSUMPTION} (M1)",
          doc="Share of the perception noise removed at full knowledge of the social map."),
    Param("gp.beta_fit", 1.2, "utility per level^2", 0, 5, dist=_u(0.8, 1.6), source=ASSUMPTION,
          doc="Weight of the fit between perceived need and an option's care level."),
    Param("gp.beta_knowledge", 1.0, "utility", 0, 5, source=f"{ASSUMPTION} (M1)",
          doc="Utility of local options (practice worker, wijkteam, JGZ) per unit knowledge of the social map."),
    Param("gp.beta_wait", 0.04, "utility/week", 0, 1, dist=_u(0.02, 0.08), source=ASSUMPTION,
          doc="Disutility per week of expected wait at an option."),
    Param("gp.beta_request", 1.0, "utility", 0, 5, dist=_u(0.5, 1.5), source=f"{ASSUMPTION} (seeds/004 L961-977 speltherapeut vignette)",
          doc="Utility of the specialist option when parents ask for it."),
    Param("gp.request_share", 0.25, "share of presentations", 0, 1, source=ASSUMPTION,
          doc="Share of presenting parents who ask for a specialist referral (moderate need and up)."),
    Param("gp.reassure_utility", 0.6, "utility", -5, 5, source=ASSUMPTION, doc="Constant utility of reassuring."),
    Param("gp.specialist_constant", 4.0, "utility", -5, 5, dist=_u(3.5, 4.5), source=CALIBRATED,
          doc="Constant in the utility of a direct specialist referral (calibrated to the GP share)."),
    Param("gp.knowledge_init", 0.487, "0-1", 0, 1, source=WARM_START,
          doc="GP knowledge of the social map (sociale kaart) at the start: where the baseline settles (it starts low when a practice is new, M1: seeds/000 L34-39)."),
    Param("gp.youth_consult_hours_per_week", 4.0, "hours/week", 0.5, 40, source=ASSUMPTION,
          doc="GP consult hours per week in which youth problems can present."),
    Param("gp.consult_cost_eur", 11.0, "EUR/consult", 0, 100, source=ASSUMPTION, doc="Insurer-paid GP consult fee."),
    Param("gp.hourly_cost_eur", 110.0, "EUR/hour", 0, 500, source=ASSUMPTION, doc="Cost of an hour of GP time (collaboration)."),
    Param("gp.hours_per_meeting", 0.5, "hours", 0, 8, source=f"{ASSUMPTION} (time investment: seeds/000 L236-238)",
          doc="GP time per case meeting or contact with a partner."),
    Param("gp.selfhelp_material", False, "-", kind="bool", source=f"{SRC_DIGEST} §7.5 S4 (seeds/000 L80-84)",
          doc="GP hands out Triple P self-help material when reassuring."),
    Param("gp.selfhelp_remission_ratio", 1.5, "ratio", 1, 4, source=ASSUMPTION,
          doc="Remission multiplier for a light need after reassurance with self-help material."),
    Param("gp.wijkteam_meetings_per_week", 0.0, "meetings/week", 0, 5,
          source=f"{SRC_DIGEST} §7.5 S3: kind-MDO when cases arise (seeds/000 L73-78, L144-148)",
          doc="Case-based meetings of the GP with the wijkteam per week."),

    # --- practice worker (POH-jeugd / CJG-adviser / J&G-worker) ---------------------------------
    Param("practice_worker.hours_per_week", 0.0, "hours/week", 0, 40,
          source=f"{SRC_DIGEST} §6.2: '4 dagdelen per maand'; 'wekelijks' (seeds/000 L64-66, L69)",
          doc="Hours the practice worker is present per practice per week (0: none)."),
    Param("practice_worker.sessions_per_trajectory", 3, "sessions", 1, 20, kind="int",
          source=f"{SRC_FIG} 5.10 (example resolved in 3 talks)", doc="Sessions per practice-worker trajectory."),
    Param("practice_worker.session_hours", 0.75, "hours", 0.1, 3, source=f"{SRC_FIG} 5.10 (20-45 min)",
          doc="Length of a session."),
    Param("practice_worker.perception_noise_sd", 0.4, "need levels", 0, 3, dist=_u(0.2, 0.6),
          source=f"{ASSUMPTION} ('gerichter en beter onderbouwd', seeds/002 L39)", doc="SD of the worker's error on the need level."),
    Param("practice_worker.care_level", 1, "care level", 1, 2, kind="int",
          source=f"{SRC_DIGEST} §7.5 S6 profile (seeds/002 L31)", doc="Care level the worker offers: 1 light (opvoeden), 2 moderate (jeugd-ggz profile)."),
    Param("practice_worker.in_wijkteam", False, "-", kind="bool", source=f"{SRC_DIGEST} §7.5 S6 positioning (seeds/002 L53)",
          doc="Worker positioned in practice and wijkteam: warm handover to the team."),
    Param("practice_worker.same_person", True, "-", kind="bool", source="seeds/000 L140-144",
          doc="The same person every visit (else rotating staff)."),
    Param("practice_worker.staff_change_per_week", 0.004, "1/week", 0, 1, source=ASSUMPTION,
          doc="Weekly chance that the practice worker leaves (turnover)."),
    Param("practice_worker.rotation_per_visit", 0.6, "probability", 0, 1,
          source=f"{ASSUMPTION} ('constante wisseling van personen', seeds/000 L266-270)",
          doc="With rotating staff: chance that a visit is by another person."),
    Param("practice_worker.contacts_per_visit", 1.0, "contacts", 0, 5, source=ASSUMPTION,
          doc="In-person GP contacts per practice visit of the worker."),
    Param("practice_worker.contacts_per_case", 1.0, "contacts", 0, 5, source=ASSUMPTION,
          doc="In-person GP contacts when the GP hands a case to the worker (the case is discussed)."),
    Param("practice_worker.fte_cost_eur", 80000.0, "EUR/FTE/year", 30000, 200000,
          source=f"{ASSUMPTION}; not found in public sources ({SRC_FIG} 3.14)", doc="Cost of one practice-worker FTE."),
    Param("practice_worker.fte_hours", 36.0, "hours/week", 20, 40, source=ASSUMPTION, doc="Hours in one FTE."),

    # --- wijkteam ------------------------------------------------------------------------------
    Param("wijkteam.fte_per_1000_children", 1.1, "FTE/1000 children", 0, 10, dist=_u(0.8, 1.4), source=ASSUMPTION,
          doc="Wijkteam youth FTE per 1000 children."),
    Param("wijkteam.caseload_norm", 16.0, "children/FTE", 1, 60, source=ASSUMPTION, doc="Caseload per FTE at occupancy 1."),
    Param("wijkteam.help_weeks", 14, "weeks", 1, 104, kind="int", source=ASSUMPTION, doc="Planned length of basic help."),
    Param("wijkteam.intake_weeks", 2, "weeks", 0, 12, kind="int",
          source=f"{ASSUMPTION} (duplicate intake: seeds/001 L443)", doc="Weeks of intake before help starts (skipped on warm handover)."),
    Param("wijkteam.perception_noise_sd", 0.6, "need levels", 0, 3, source=ASSUMPTION, doc="SD of the team's error on the need level."),
    Param("wijkteam.referral_constant", -1.0, "log-odds", -10, 5, dist=_u(-1.5, -0.5), source=TUNED,
          doc="Log-odds of a specialist referral at perceived need 2 and occupancy 1."),
    Param("wijkteam.referral_need_slope", 1.6, "log-odds/level", 0, 5, source=ASSUMPTION,
          doc="Increase in log-odds per level of perceived need."),
    Param("wijkteam.referral_occupancy_slope", 2.0, "log-odds per unit occupancy", 0, 10, dist=_u(1.0, 3.0),
          source=f"{ASSUMPTION} (M6: seeds/004 L731-733)", doc="Increase in log-odds per unit of occupancy above 1."),
    Param("wijkteam.medicalising_share", 0.3, "share of staff", 0, 1, source=f"{ASSUMPTION} (M7: seeds/004 L733-736)",
          doc="Share of staff with a medicalising (care) background."),
    Param("wijkteam.medicalising_slope", 1.5, "log-odds per share", 0, 10, source=f"{ASSUMPTION} (M7)",
          doc="Increase in log-odds of referral per unit of medicalising staff share."),
    Param("wijkteam.fte_cost_eur", 85000.0, "EUR/FTE/year", 30000, 200000, source=ASSUMPTION, doc="Cost of one wijkteam FTE."),
    Param("wijkteam.staff_change_per_week", 0.01, "1/week", 0, 1, source=f"{ASSUMPTION} (seeds/000 L266-270)",
          doc="Weekly chance that the GP's contact in the wijkteam changes."),
    Param("wijkteam.joint_intake_with_jgz", False, "-", kind="bool", source=f"{SRC_DIGEST} §7.5 S8 (seeds/003; seeds/004 L776)",
          doc="Wijkteam and JGZ take in families together: no second intake after a JGZ referral."),
    Param("wijkteam.stepdown_to_jgz", 0.0, "share of endings", 0, 1,
          source=f"{SRC_DIGEST} §7.7 V7 (80/365, seeds/004 L756-758) is validation; this is the team's propensity",
          doc="Propensity to step a finished trajectory down to JGZ monitoring when JGZ is in the team."),

    # --- care: resolution by the match of care level and need level ---------------------------
    Param("care.resolution_per_week", 0.06, "1/week", 0, 1, dist=_u(0.04, 0.08), source=ASSUMPTION,
          doc="Weekly chance that care at the matching level lowers the need one level."),
    Param("care.under_treatment_ratio", 0.3, "ratio per level", 0, 1, dist=_u(0.15, 0.5), source=f"{ASSUMPTION} (M4 too-light help)",
          doc="Resolution multiplier per level that care falls short of need."),
    Param("care.extension_share", 0.5, "share of base length", 0.05, 2, source=ASSUMPTION,
          doc="Extension of a treatment or stay that ends with need left, as a share of its base length."),
    Param("care.over_treatment_ratio", 0.7, "ratio", 0, 1, dist=_u(0.5, 0.9), source=f"{ASSUMPTION} (M10: over-treatment works but longer)",
          doc="Resolution multiplier when care is two or more levels above need (medicalising)."),

    # --- specialist ambulant providers ---------------------------------------------------------
    Param("specialist.providers", 6, "providers", 1, 100, kind="int", source=ASSUMPTION, doc="Specialist ambulant providers in the region."),
    Param("specialist.places_per_1000_children", 44.8, "places/1000 children", 1, 200, dist=_u(38.0, 51.0), source=WARM_START,
          doc="Ambulant specialist places at the start (from there, capacity follows the waiting list)."),
    Param("specialist.treatment_weeks_moderate", 22, "weeks", 1, 260, kind="int", source=f"{ASSUMPTION} ([NOT IN DOCS] {SRC_DIGEST} §6.3)",
          doc="Planned treatment length at moderate need."),
    Param("specialist.treatment_weeks_severe", 36, "weeks", 1, 260, kind="int", source=ASSUMPTION, doc="Planned treatment length at severe need."),
    Param("specialist.treatment_weeks_crisis", 48, "weeks", 1, 260, kind="int", source=ASSUMPTION, doc="Planned treatment length in crisis."),
    Param("specialist.tariff_eur_per_week", 560.0, "EUR/week", 20, 1000, dist=_u(480.0, 640.0),
          source=f"calibrated to EUR 13,900 per child in care ({SRC_DIGEST} §7.7 V9; {SRC_FIG} 3.7-3.8)",
          doc="p×q tariff per week of ambulant specialist care."),
    Param("specialist.marginal_cost_share", 0.85, "share of tariff", 0, 2, dist=_u(0.7, 0.95), source=ASSUMPTION,
          doc="Provider's marginal cost of a care week as a share of the tariff."),
    Param("specialist.withdrawal_per_week", 0.01, "1/week", 0, 1, dist=_u(0.005, 0.02),
          source=f"{ASSUMPTION} (withdrawal and return: {SRC_FIG} 7.1)", doc="Weekly chance that a waiting family leaves the list."),
    Param("specialist.base_threshold", 1.3, "perceived need level", 0, 4, source=ASSUMPTION,
          doc="Admission threshold on perceived need at zero incentive."),
    Param("specialist.capacity_lag_weeks", 52.0, "weeks", 1, 520, dist=_u(26.0, 104.0),
          source=f"{ASSUMPTION} (slow supply response: {SRC_FIG} 7.12)", doc="Adjustment time of places to a lasting waiting list."),
    Param("specialist.target_wait_weeks", 13.0, "weeks", 0, 52, source=f"{ASSUMPTION} (Rijnmond 13-14 weeks: {SRC_FIG} 4.5)",
          doc="Wait above which providers add places (and below which they shed them)."),
    Param("specialist.workforce_cap_ratio", 1.25, "ratio", 1, 5, source=ASSUMPTION,
          doc="Most places a provider can staff, relative to its start."),
    Param("specialist.stepdown_per_week", 0.01, "1/week", 0, 1, source=f"{ASSUMPTION} (M12)",
          doc="Weekly chance of stepping a child whose need has fallen to light down to lighter help (at zero incentive)."),
    Param("specialist.stepdown_at_end_share", 0.3, "probability", 0, 1, source=f"{ASSUMPTION} (M12: step-down is hard without integration, seeds/004 L728-729)",
          doc="Chance that a trajectory ending with light need is handed down (where there is room) rather than closed."),
    Param("specialist.length_spread", 0.5, "share", 0, 0.95, source=ASSUMPTION,
          doc="Planned treatment and stay lengths vary uniformly within (1 - spread, 1 + spread) x the base."),
    Param("specialist.capacity_floor_ratio", 0.5, "ratio", 0, 1, source=ASSUMPTION,
          doc="Fewest places a provider keeps, relative to its start, when waits are short."),
    Param("specialist.perception_noise_sd", 0.6, "need levels", 0, 3, source=f"{ASSUMPTION} (as the wijkteam's)",
          doc="SD of a provider's error on the need level when it decides whether to accept a referral (against its admission threshold)."),
    Param("specialist.wait_smoothing_weeks", 8.0, "weeks", 1, 104, source=ASSUMPTION,
          doc="Smoothing time of the expected wait that referrers see."),

    # --- residential tier ----------------------------------------------------------------------
    Param("residential.places_per_1000_children", 5.8, "places/1000 children", 0, 100, dist=_u(4.5, 7.0),
          source=f"{WARM_START}; 41,605 with stay in 2023 ({SRC_FIG} 1.5)",
          doc="Residential places at the start (from there, capacity follows the waiting list)."),
    Param("residential.stay_weeks", 40, "weeks", 1, 260, kind="int", source=ASSUMPTION, doc="Planned length of stay."),
    Param("residential.tariff_eur_per_week", 615.0, "EUR/week", 100, 3000,
          source=f"{SRC_FIG} 3.7-3.8: EUR 31,300-32,500 per client-year [DERIVED /52]", doc="Residential tariff per week."),
    Param("residential.crisis_referral_per_week", 0.08, "1/week", 0, 1, source=ASSUMPTION,
          doc="Weekly chance that a child in crisis in ambulant care is referred to residential care."),
    Param("residential.life_threat_escalation_per_week", 1.0, "1/week", 0, 1, dist=_u(0.5, 1.0),
          source=f"{ASSUMPTION} (escalation path: seed-digest 7.3 after seeds/001 L1037-1041, L1287-1292)",
          doc="Weekly chance that a life-threatening situation known to help below the residential level "
          "is referred to residential care at the head of the list (1: the week it is known)."),
    Param("residential.safety_secured_per_week", 0.25, "1/week", 0, 1, dist=_u(0.15, 0.5),
          source=f"{ASSUMPTION} (a crisis placement lasts at most 28 days: monitorsociaal.almere.nl, "
          "crisisopvang; placement raises safety at once: richtlijnenjeugdhulp.nl, Crisisplaatsing step 4; "
          "doorzettingsmacht to secure safety: seeds/001 L1287-1292)",
          doc="Weekly chance that placement has secured the safety of a child placed in a life-threatening "
          "situation (the level-5 flag lifts; the crisis, level 4, stays until care lowers it)."),
    Param("residential.withdrawal_per_week", 0.01, "1/week", 0, 1, dist=_u(0.005, 0.02),
          source=f"{ASSUMPTION} (as specialist care's; withdrawal and return: {SRC_FIG} 7.1)",
          doc="Weekly chance that a family waiting for a residential place leaves the list (without it, a child without priority could wait behind every crisis for years)."),
    Param("residential.target_wait_weeks", 13.0, "weeks", 0, 52, source=f"{ASSUMPTION} (as specialist care's)",
          doc="Wait above which residential providers add places (and below which they shed them)."),
    Param("residential.capacity_lag_weeks", 52.0, "weeks", 1, 520, dist=_u(26.0, 104.0),
          source=f"{ASSUMPTION} (as specialist care's: {SRC_FIG} 7.12)", doc="Adjustment time of residential places to a lasting waiting list."),
    Param("residential.workforce_cap_ratio", 1.25, "ratio", 1, 5, source=f"{ASSUMPTION} (as specialist care's)",
          doc="Most places a residential provider can staff, relative to its start."),
    Param("residential.capacity_floor_ratio", 0.5, "ratio", 0, 1, source=f"{ASSUMPTION} (as specialist care's)",
          doc="Fewest places a residential provider keeps, relative to its start, when waits are short."),
    Param("residential.providers", 2, "providers", 1, 100, kind="int", source=ASSUMPTION,
          doc="Residential providers in the region."),
    Param("residential.stepdown_at_end_share", 1.0, "probability", 0, 1, source=f"{ASSUMPTION} (M12)",
          doc="Chance (times the step-down strength s12, capped at 1) that a stay ending with light or moderate need is handed down to the wijkteam or JGZ (aftercare) rather than closed; unlike specialist.stepdown_at_end_share it does not wait for room."),

    # --- Bureau Jeugdzorg (pre-2015) -----------------------------------------------------------
    Param("bjz.indications_per_week_per_1000", 1.0, "indications/week/1000 children", 0, 20, source=f"{ASSUMPTION} (seeds/001)",
          doc="Indication capacity of Bureau Jeugdzorg."),
    Param("bjz.threshold", 2.0, "perceived need level", 0, 4, source=f"{ASSUMPTION} (M13 drempel: seeds/001 L611)",
          doc="Indication threshold on perceived need."),
    Param("bjz.perception_noise_sd", 0.8, "need levels", 0, 3, source=f"{ASSUMPTION}; network model (model 2) of CJG-BJZ; co-location (model 1) shares the CJG's knowledge (seeds/001 L70-122)",
          doc="SD of Bureau Jeugdzorg's error on the need level at indication."),
    Param("bjz.cost_per_indication_eur", 1200.0, "EUR/indication", 0, 10000, source=ASSUMPTION, doc="Cost of an indication (province)."),
    Param("bjz.ggz_direct_share", 0.5, "share", 0, 1, source=f"{ASSUMPTION} (jeugd-ggz via insurer before 2015)",
          doc="Share of GP specialist referrals that went straight to insurer-paid jeugd-ggz before 2015."),
    Param("bjz.withdrawal_per_week", 0.01, "1/week", 0, 1, dist=_u(0.005, 0.02),
          source=f"{ASSUMPTION} (as from a provider's list: {SRC_FIG} 7.1)",
          doc="Weekly chance that a family waiting for a Bureau Jeugdzorg indication leaves the list."),

    # --- collaboration: trust, knowledge, feedback, digital plan --------------------------------
    Param("trust.gain_in_person", 0.08, "per contact", 0, 2, dist=_u(0.04, 0.12), source=f"{ASSUMPTION} (M2)",
          doc="Trust gain rate a per in-person contact."),
    Param("trust.gain_digital", 0.02, "per contact", 0, 2, source=f"{ASSUMPTION} (digital plan builds trust more slowly)",
          doc="Trust gain rate per digital contact."),
    Param("trust.gain_good_outcome", 0.1, "per outcome", 0, 2, source=f"{ASSUMPTION} (seeds/000 L427-431)",
          doc="Trust gain rate b per good outcome the GP learns of."),
    Param("trust.loss_bad_outcome", 0.08, "per outcome", 0, 1, source=ASSUMPTION,
          doc="Trust loss c per bad outcome (refused referral, long wait)."),
    Param("trust.decay_per_week", 0.006, "1/week", 0, 0.2, source=f"{ASSUMPTION} (seeds/000 L224-229)", doc="Trust decay d per week."),
    Param("trust.turnover_loss", 0.5, "share", 0, 1, source=f"{ASSUMPTION} (seeds/000 L266-270)",
          doc="Share r of trust lost when the partner's person changes."),
    Param("trust.init_wijkteam", 0.039, "0-1", 0, 1, source=WARM_START, doc="GP trust in the wijkteam at the start."),
    Param("trust.init_jgz", 0.024, "0-1", 0, 1, source=WARM_START, doc="GP trust in JGZ at the start."),
    Param("trust.init_specialist", 0.122, "0-1", 0, 1, source=WARM_START, doc="GP trust in specialist care at the start."),
    Param("trust.init_practice_worker", 0.2, "0-1", 0, 1, source=ASSUMPTION, doc="GP trust in a new practice worker."),
    Param("trust.long_wait_weeks", 14.0, "weeks", 0, 104, source=f"Treeknorm 4 + 10 weeks ({SRC_FIG} 4.1)",
          doc="A wait longer than this counts as a bad outcome for the GP."),
    Param("knowledge.gain_per_feedback", 0.04, "per feedback", 0, 1, source=f"{ASSUMPTION} (M1, M3)",
          doc="Knowledge gain per feedback message or joint case."),
    Param("knowledge.joint_case_weight", 0.5, "feedback equivalents", 0, 5, source=f"{ASSUMPTION} (M1)",
          doc="Knowledge gained from an in-person joint case, relative to one feedback message."),
    Param("knowledge.decay_per_week", 0.003, "1/week", 0, 0.2, source=ASSUMPTION, doc="Knowledge decay per week."),
    Param("feedback.share_after_referral", 0.1, "share of referrals", 0, 1,
          source=f"M3: feedback usually absent ({SRC_DIGEST} §6.4; seeds/000 L38-39)", doc="Share of referrals the GP hears back about."),
    Param("plan.digital_family_plan", False, "-", kind="bool", source=f"{SRC_DIGEST} §7.5 S5 (seeds/000 L85-89, L162-169)",
          doc="A shared digital family plan (1Gezin1Plan)."),
    Param("plan.feedback_share", 0.8, "share of referrals", 0, 1, source=ASSUMPTION, doc="Feedback share with a shared plan."),
    Param("plan.platform_cost_per_1000_children", 1500.0, "EUR/year/1000 children", 0, 50000, source=ASSUMPTION,
          doc="Platform cost of the digital plan."),
    Param("plan.digital_contacts_per_case", 1.0, "contacts", 0, 5, source=ASSUMPTION,
          doc="Digital contacts between GP and partner per shared case."),
    Param("handover.warm", False, "-", kind="bool", source=f"{SRC_DIGEST} §7.5 S10 (seeds/001 L226; seeds/000 L38-39)",
          doc="Warm handover with a feedback message after every referral."),
    Param("coordination.one_family_one_plan", False, "-", kind="bool", source=f"{SRC_DIGEST} §7.5 S9 (seeds/001 L1259-1288)",
          doc="Escalation pyramid with one coordinator per family."),
    Param("coordination.coordinator_threshold", 4, "professionals", 2, 10, kind="int",
          source=f"{SRC_DIGEST} §6.2 (>=4 professionals: process coordinator, seeds/001 L1259-1263)",
          doc="Professionals per family at which a coordinator takes over."),
    Param("waiting.preventive_offer", False, "-", kind="bool", source=f"{SRC_DIGEST} §7.5 S13 (seeds/004 L800-808)",
          doc="JGZ preventive offer to families on the waiting list; they keep their place."),
    Param("waiting.preventive_escalation_ratio", 0.6, "ratio", 0, 1, source=ASSUMPTION,
          doc="Escalation multiplier with the preventive offer."),
    Param("waiting.preventive_withdrawal_ratio", 0.5, "ratio", 0, 1, source=ASSUMPTION,
          doc="Withdrawal multiplier with the preventive offer."),
    Param("waiting.preventive_cost_per_week", 40.0, "EUR/week", 0, 1000, source=ASSUMPTION,
          doc="Cost of the preventive offer per waiting child per week (JGZ)."),

    # --- funding -------------------------------------------------------------------------------
    Param("funding.scheme", "pxq", "-", kind="choice", choices=("pxq", "lumpsum"),
          source=f"{SRC_DIGEST} §7.5 F1/F2 (seeds/004 L1951-1957)", doc="How specialist and residential care are paid."),
    Param("funding.threshold_slope", 2.0, "levels per unit incentive", 0, 10, source=ASSUMPTION,
          doc="How far the admission threshold falls per unit of margin incentive."),
    Param("funding.length_slope", 0.8, "log length per unit incentive", 0, 5, source=ASSUMPTION,
          doc="How much longer treatment becomes per unit of margin incentive."),
    Param("funding.stepdown_slope", 2.0, "log odds per unit incentive", 0, 10, source=ASSUMPTION,
          doc="How much step-down falls per unit of margin incentive."),
    Param("funding.lumpsum_budget_basis", "stated", "-", kind="choice", choices=("stated", "last_year"),
          source=f"scenario lever; 'last_year' is an assumption: a municipality leaving p×q contracts at what it spent (cf. Amsterdam's switch, {SRC_FIG} 6.8)",
          doc="How a lumpsum budget is set: 'stated' (funding.lumpsum_budget_per_1000_children) or 'last_year' "
              "(the p×q tariff spending on specialist and residential care of the 52 weeks before the contract: a run "
              "pays p×q through its warm-up and contracts the lumpsum when measurement begins)."),
    Param("funding.lumpsum_budget_per_1000_children", 0.0, "EUR/year/1000 children", 0, 1e8,
          source="scenario lever (each lumpsum scenario states its budget)",
          doc="Lumpsum budget for specialist and residential care with basis 'stated'; 0 means: the spending rate of the places at the start."),
    Param("funding.lumpsum_monitoring_share", 0.02, "share of budget", 0, 0.5,
          source=f"{ASSUMPTION} (monitoring need: seeds/004 L1951-1957)", doc="Monitoring cost under lumpsum."),
    Param("funding.slack_weight", 1.0, "utility per unit slack", 0, 10, source=ASSUMPTION,
          doc="How much budget slack under lumpsum relaxes providers."),
    Param("funding.need_weight", 1.0, "utility per unit of need met", 0.1, 10, source="DESIGN §3 (margin rule: margin plus a weight on need met); assumption",
          doc="The weight providers give to meeting need against their margin: the margin's effect on threshold, length and step-down is divided by it (1: as calibrated; larger: the margin matters less)."),
    Param("funding.pxq_ceiling_per_1000_children", 0.0, "EUR/year/1000 children", 0, 1e8,
          source="scenario lever (registration stops in practice)", doc="Budget ceiling under p×q; 0: none."),
    Param("funding.contract_years", 1, "years", 1, 10, kind="int", source=f"{SRC_DIGEST} §7.5 F3 (seeds/004 L1969-1976)",
          doc="Length of contracts for front-line programmes; staff may change at each renewal."),
    Param("funding.renewal_staff_change", 0.3, "probability", 0, 1, source=ASSUMPTION,
          doc="Chance that a partner's person changes at a contract renewal."),
    Param("funding.front_shift_share", 0.0, "share of specialist places", 0, 0.5, source=f"{SRC_DIGEST} §7.5 F4 (seeds/004 L1932-1934)",
          doc="Share of specialist places whose budget moves to wijkteam FTE."),

    # --- burden (QALY) -------------------------------------------------------------------------
    Param("qaly.disutility_light", 0.02, "QALY/year", 0, 1, dist=_u(0.01, 0.04), source=ASSUMPTION, doc="Utility loss per year at light need."),
    Param("qaly.disutility_moderate", 0.07, "QALY/year", 0, 1, dist=_u(0.04, 0.10), source=ASSUMPTION, doc="At moderate need."),
    Param("qaly.disutility_severe", 0.15, "QALY/year", 0, 1, dist=_u(0.10, 0.22), source=ASSUMPTION, doc="At severe need."),
    Param("qaly.disutility_crisis", 0.30, "QALY/year", 0, 1, dist=_u(0.20, 0.45), source=ASSUMPTION, doc="In crisis."),
    Param("qaly.disutility_overtreatment", 0.02, "QALY/year", 0, 1, source=f"{ASSUMPTION} (M10 stigma: seeds/000 L288-291)",
          doc="Extra loss per year while treated two or more levels above need."),

    # --- mechanism strengths (1 calibrated, 0 off) ---------------------------------------------
    Param("mechanisms.knowledge", 1.0, "strength", 0, 3, source=f"M1 ({SRC_DIGEST} §6.4)", doc="Knowledge of the social map."),
    Param("mechanisms.trust", 1.0, "strength", 0, 3, source=f"M2 ({SRC_DIGEST} §6.4)", doc="Trust in the GP's choice."),
    Param("mechanisms.feedback", 1.0, "strength", 0, 3, source=f"M3 ({SRC_DIGEST} §6.4)", doc="Feedback after referral."),
    Param("mechanisms.waiting_harm", 1.0, "strength", 0, 3, source="M4/M5", doc="Escalation while waiting."),
    Param("mechanisms.workload_referral", 1.0, "strength", 0, 3, source="M6", doc="Workload-driven wijkteam referral."),
    Param("mechanisms.medicalisation", 1.0, "strength", 0, 3, source="M7", doc="Medicalising staff mix and JGZ normalising."),
    Param("mechanisms.supply_induced_demand", 1.0, "strength", 0, 3, source="M8", doc="Knowledge of the offer raises help-seeking."),
    Param("mechanisms.noshow", 1.0, "strength", 0, 3, source="M9", doc="No-shows."),
    Param("mechanisms.stigma", 1.0, "strength", 0, 3, source="M10", doc="Over-treatment disutility and medicalising relapse."),
    Param("mechanisms.coordination", 1.0, "strength", 0, 3, source="M11", doc="Duplicate intakes and professionals per family."),
    Param("mechanisms.stepdown", 1.0, "strength", 0, 3, source="M12", doc="Step-down."),
    Param("mechanisms.funding", 1.0, "strength", 0, 3, source="M15", doc="Funding incentives on provider behaviour."),
    Param("mechanisms.informal_network", 1.0, "strength", 0, 3, source="M17", doc="Informal network and shame."),
    Param("mechanisms.parental_problems", 1.0, "strength", 0, 3, source="M18", doc="Parental problems raise onset."),
    Param("mechanisms.wait_response", 1.0, "strength", 0, 3, source="balancing loops (DESIGN §3)",
          doc="Referrers react to the expected wait; capacity answers a lasting list."),
    Param("mechanisms.staff_turnover", 1.0, "strength", 0, 3, source="M2", doc="Staff turnover breaks trust."),
    Param("mechanisms.monitoring", 1.0, "strength", 0, 3, source="DESIGN §3 JGZ: monitoring after referral (seeds/004 L682-688)",
          doc="Monitoring of referred children by an integrated local team (0 = none)."),
    Param("mechanisms.gatekeeper", 1.0, "share", 0, 1, source="M13 (seeds/001 L611; parallel or retroactive indication L619, L629)",
          doc="Pre-2015: share of referrals to indicated care that wait for a Bureau Jeugdzorg indication; the rest go straight to the provider (0 = no gatekeeper)."),
    Param("mechanisms.jgz_decline", 1.0, "strength", 0, 3, source="M19 (seeds/004 L946-950)",
          doc="How far the thinning of JGZ contact after age 4 sends help-seeking parents to the GP (scales seek.after_4_gp_ratio - 1; 0 = as before age 4)."),

    # --- warm start ----------------------------------------------------------------------------
    Param("init.need_share", 0.198, "share of children", 0, 1, source=WARM_START,
          doc="Share of children with a need at the start."),
    Param("init.specialist_occupancy", 0.973, "share of places", 0, 1, source=WARM_START,
          doc="Occupied share of specialist places at the start."),
    Param("init.waiting_per_place", 0.356, "waiting/place", 0, 5, source=WARM_START,
          doc="Children waiting per specialist place at the start."),
    Param("init.residential_occupancy", 0.982, "share of places", 0, 1, source=WARM_START,
          doc="Occupied share of residential places at the start."),
    Param("init.residential_waiting_per_place", 0.332, "waiting/place", 0, 5, source=WARM_START,
          doc="Children waiting per residential place at the start."),
    Param("init.wijkteam_occupancy", 0.462, "caseload/norm", 0, 3, source=WARM_START,
          doc="Children in wijkteam help at the start over all teams' caseload norms (FTE x wijkteam.caseload_norm)."),
    Param("init.unmet_blocked_share", 0.096, "share", 0, 1, source=WARM_START,
          doc="Share of the children in unmet need at the start who wait before they ask for help again (reassured or sent back)."),
    Param("init.unmet_blocked_weeks", 4.699, "weeks", 1, 104, source=WARM_START,
          doc="Mean weeks left of that wait at the start: whole weeks, uniform from 1 to twice this less 1."),
    Param("init.unmet_helped_share", 0.288, "share", 0, 1, source=WARM_START,
          doc="Share of the children in unmet need at the start who had help earlier in this episode (their next help is not a new trajectory)."),
    Param("init.specialist_remaining_weeks", 17.2, "weeks", 1, 520, source=WARM_START,
          doc="Mean weeks of care left for a child in specialist care at the start (gamma-distributed, whole weeks; 0 ends the care in week 0)."),
    Param("init.specialist_remaining_shape", 1.521, "gamma shape", 0.2, 50, source=WARM_START,
          doc="Shape of that distribution: mean squared over variance at the steady state (1 = exponential)."),
    Param("init.residential_remaining_weeks", 22.2, "weeks", 1, 520, source=WARM_START,
          doc="The same for residential care."),
    Param("init.residential_remaining_shape", 1.986, "gamma shape", 0.2, 50, source=WARM_START,
          doc="The same for residential care."),
    Param("init.onset_spread_weeks", 26.0, "weeks", 0, 520, source=ASSUMPTION,
          doc="A child with a need at the start had its need begin uniformly up to this many weeks before week 0."),
    Param("init.waiting_age_weeks", 7.8, "weeks", 1, 520, source=WARM_START,
          doc="Mean time a child on the specialist list at the start has already waited: whole weeks, uniform from 1 to twice this less 1, and not before its episode began."),
    Param("init.residential_waiting_age_weeks", 8.8, "weeks", 1, 520, source=WARM_START,
          doc="The same for the residential list."),
    # Who referred the children of each block, and whether a GP is credited with them.
    *[
        Param(name, w, "weight", 0, 1, source=WARM_START,
              doc=f"Warm start: weight of referrer '{r}' among the children of block '{block}' (normalised per block).")
        for block, mix in INIT_REFERRER_MIX
        for name, r, w in zip(init_referrer_keys(block), REFERRERS, mix, strict=True)
    ],
    Param("init.specialist_gp_credited_share", 0.6, "share", 0, 1, source=WARM_START,
          doc="Share of the children in specialist care at the start whose referring GP is known (ref_gp): the GP hears of a long wait or a refusal, and of a good outcome if feedback was arranged (M2, M3). Among them, those whom the GP sent through the wijkteam or JGZ are credited to specialist care too (about 5% at the steady state)."),
    Param("init.waiting_gp_credited_share", 0.687, "share", 0, 1, source=WARM_START,
          doc="The same for the children on the specialist list at the start."),
    Param("init.residential_gp_credited_share", 0.66, "share", 0, 1, source=WARM_START,
          doc="The same for the children in residential care at the start."),
    Param("init.residential_waiting_gp_credited_share", 0.65, "share", 0, 1, source=WARM_START,
          doc="The same for the children on the residential list at the start."),
    Param("init.wijkteam_gp_credited_share", 0.45, "share", 0, 1, source=WARM_START,
          doc="The same for the children in wijkteam help at the start."),
    Param("init.wijkteam_credited_specialist_share", 0.49, "share", 0, 1, source=WARM_START,
          doc="Of those, the share whose outcome counts for the GP's trust in specialist care (stepped down from it); the rest count for the wijkteam."),
    Param("init.unmet_gp_credited_share", 0.175, "share", 0, 1, source=WARM_START,
          doc="The same for the other children with a need at the start (sent back or refused earlier in the episode)."),
    Param("init.unmet_credited_specialist_share", 0.679, "share", 0, 1, source=WARM_START,
          doc="Of those, the share last sent to specialist care; the rest count for JGZ."),
    # The need mix of each block of the warm start: weights of the levels, normalised per block.
    *[
        Param(name, w, "weight", 0, 1, source=WARM_START,
              doc=f"Warm start: weight of {level} need among {what}"
              + (" (resolved; help runs to its planned end)." if level == "none" else "."))
        for block, what, mix in INIT_NEED_MIX
        for name, level, w in zip(init_need_keys(block), init_need_levels(block), mix, strict=True)
    ],
]
# fmt: on


def _apply_calibrated(params: list[Param], path=None) -> list[Param]:
    """Defaults written by ``youthcare calibrate --apply`` (sim/calibrated.toml), if present."""
    import dataclasses
    import tomllib
    from pathlib import Path

    path = Path(path) if path is not None else Path(__file__).with_name("calibrated.toml")
    if not path.exists():
        return params
    values = tomllib.loads(path.read_text(encoding="utf-8")).get("values", {})
    by_name = {p.name: p for p in params}
    for name, v in values.items():
        if name not in by_name:
            raise RuntimeError(f"{path}: unknown parameter {name!r}")
        by_name[name] = dataclasses.replace(by_name[name], default=by_name[name].validate(v))
    return [by_name[p.name] for p in params]


# The defaults as written above, before sim/calibrated.toml: where `youthcare calibrate` starts,
# so that re-running its recorded command reproduces the calibrated values.
PRIOR_DEFAULTS: dict[str, Any] = {p.name: p.default for p in _P}
_P = _apply_calibrated(_P)
REGISTRY: dict[str, Param] = {p.name: p for p in _P}
if len(REGISTRY) != len(_P):  # pragma: no cover - guards against a copy-paste slip
    raise RuntimeError("duplicate parameter names in the registry")

SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(p.section for p in _P))


def describe(name: str) -> Param:
    """The registry entry for ``name``; raises ParameterError for an unknown name."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ParameterError(f"unknown parameter {name!r}") from None


class Params(Mapping[str, Any]):
    """A validated, complete set of parameter values (a read-only mapping name -> value)."""

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        self._v: dict[str, Any] = {n: p.default for n, p in REGISTRY.items()}
        if overrides:
            self._v.update(validate_values(overrides))

    def __getitem__(self, name: str) -> Any:
        return self._v[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._v)

    def __len__(self) -> int:
        return len(self._v)

    def replace(self, overrides: Mapping[str, Any]) -> Params:
        """A copy with ``overrides`` applied (validated)."""
        new = Params()
        new._v = dict(self._v)
        new._v.update(validate_values(overrides))
        return new

    def to_dict(self) -> dict[str, Any]:
        return dict(self._v)


def validate_values(values: Mapping[str, Any], origin: str = "") -> dict[str, Any]:
    """Validate ``values`` (dotted names); raise ParameterError with a one-line message."""
    out = {}
    where = f"{origin}: " if origin else ""
    for name, value in values.items():
        if name not in REGISTRY:
            raise ParameterError(f"{where}unknown parameter {name!r}")
        try:
            out[name] = REGISTRY[name].validate(value)
        except ParameterError as e:
            raise ParameterError(
                f"{where}parameter {name!r} = {value!r} is not allowed; allowed: {e}"
            ) from None
    return out


def init_mix_error(get: Callable[[str], Any]) -> tuple[tuple[str, ...], str] | None:
    """(the keys, a one-line message) if a warm-start block has all its need weights, or all its
    referrer weights, at 0, else None. ``get`` returns a parameter's value by name (a scenario's
    value or the default)."""
    mixes = [(init_need_keys(b), "need", init_need_levels(b), b) for b, _, _ in INIT_NEED_MIX]
    mixes += [(init_referrer_keys(b), "referrer", REFERRERS, b) for b, _ in INIT_REFERRER_MIX]
    for keys, what, names, block in mixes:
        if all(float(get(k)) <= 0 for k in keys):
            names = "/".join(names)
            return keys, f"init.{block}_{what}_{{{names}}} are all 0; at least one must be above 0"
    return None


def uncertain_parameters() -> list[Param]:
    """Parameters with an uncertainty distribution, in registry order."""
    return [p for p in _P if p.dist is not None]


def sample_uncertain(u: np.ndarray) -> dict[str, float]:
    """Map a vector of uniforms (one per uncertain parameter) to parameter values."""
    ps = uncertain_parameters()
    if len(u) != len(ps):
        raise ValueError(f"need {len(ps)} uniforms, got {len(u)}")
    return {p.name: float(p.sample(float(x))) for p, x in zip(ps, u, strict=True)}
