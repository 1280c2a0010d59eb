"""Care states of a child, care levels and codes shared by all phases.

A child is in exactly one state each week. "In care" (DESIGN §3) means wijkteam help, specialist
or residential care; JGZ support, reassurance and practice-worker sessions do not count.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

NONE = 0  # no need
UNMET = 1  # need, not in help (unsignalled, reassured, withdrawn)
JGZ_SUPPORT = 2  # light support or monitoring by JGZ
PRACTICE_WORKER = 3  # sessions with the practice worker (POH-jeugd / CJG-adviser)
WIJKTEAM = 4  # basic help by the wijkteam (intake first)
WAIT_SPECIALIST = 5
SPECIALIST = 6
WAIT_RESIDENTIAL = 7
RESIDENTIAL = 8
WAIT_INDICATION = 9  # waiting for a Bureau Jeugdzorg indication (pre-2015)
N_STATES = 10

STATE_NAMES = (
    "none",
    "unmet",
    "jgz_support",
    "practice_worker",
    "wijkteam",
    "waiting_specialist",
    "specialist",
    "waiting_residential",
    "residential",
    "waiting_indication",
)

IN_CARE = np.zeros(N_STATES, dtype=bool)
IN_CARE[[WIJKTEAM, SPECIALIST, RESIDENTIAL]] = True
WAITING = np.zeros(N_STATES, dtype=bool)
WAITING[[WAIT_SPECIALIST, WAIT_RESIDENTIAL, WAIT_INDICATION]] = True
# The provider tiers' list and care states (specialist ambulant, residential), and each state's
# tier (-1: none).
TIER_STATES = ((WAIT_SPECIALIST, SPECIALIST), (WAIT_RESIDENTIAL, RESIDENTIAL))
TIER = np.full(N_STATES, -1, dtype=np.int8)
TIER[[WAIT_SPECIALIST, SPECIALIST]] = 0
TIER[[WAIT_RESIDENTIAL, RESIDENTIAL]] = 1
# States in which need is unmet and evolves by escalation and remission.
UNTREATED = np.zeros(N_STATES, dtype=bool)
UNTREATED[[UNMET, WAIT_SPECIALIST, WAIT_RESIDENTIAL, WAIT_INDICATION]] = True

# Care level delivered in each state (0 where nothing is delivered).
CARE_LEVEL = np.zeros(N_STATES, dtype=np.int8)
CARE_LEVEL[JGZ_SUPPORT] = 1
CARE_LEVEL[WIJKTEAM] = 2
CARE_LEVEL[SPECIALIST] = 3
CARE_LEVEL[RESIDENTIAL] = 4
# PRACTICE_WORKER's level is a parameter (profile): set per run in the model.

# Need levels (DESIGN §3): 0 none, 1 light, 2 moderate, 3 severe, 4 crisis.
N_LEVELS = 5

# Referrers of a new trajectory (CBS 'verwijzer'); practice workers count as gp.
REF_GP, REF_WIJKTEAM, REF_JGZ, REF_NONE, REF_OTHER = 0, 1, 2, 3, 4
REFERRERS = ("gp", "wijkteam", "jgz", "none", "other")

# Partners of a GP practice, the columns of the trust matrix.
P_WORKER, P_WIJKTEAM, P_JGZ, P_SPECIALIST = 0, 1, 2, 3
PARTNERS = ("practice_worker", "wijkteam", "jgz", "specialist")

# Options of a referral choice and their care levels.
OPT_REASSURE, OPT_WORKER, OPT_WIJKTEAM, OPT_JGZ, OPT_SPECIALIST = 0, 1, 2, 3, 4
OPTIONS = ("reassure", "practice_worker", "wijkteam", "jgz", "specialist")

# Professionals involved with a family (bit mask).
PROF_GP, PROF_WORKER, PROF_WIJKTEAM, PROF_JGZ, PROF_SPECIALIST, PROF_RESIDENTIAL, PROF_BJZ = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
)
POPCOUNT = np.array([bin(i).count("1") for i in range(128)], dtype=np.int8)

# Payers and cost tiers (summary keys).
PAYERS = ("municipality", "insurer", "province")
TIERS = ("jgz", "practice", "wijkteam", "specialist", "residential", "indication")

# The phases rely on this order: every state from WIJKTEAM on is help, a waiting list or care.
assert WIJKTEAM < WAIT_SPECIALIST < SPECIALIST < WAIT_RESIDENTIAL < RESIDENTIAL < WAIT_INDICATION


class Count(IntEnum):
    """The run's event counters, one array (``Tally.count``) that compiled kernels add to."""

    DECISIONS = 0  # referral decisions, and those two or more levels over or under the need
    OVER = 1
    UNDER = 2
    INTAKES = 3  # wijkteam intakes, and those with another professional already involved
    DUPLICATE_INTAKES = 4
    WITHDRAWALS = 5
    RETURNS = 6
    RELAPSES = 7
    EXITS = 8
    ESCALATIONS_WAITING = 9
    ESCALATIONS_LIFE_THREAT = 10  # life-threatening situations sent to residential care
    REFUSED = 11
    INDICATIONS = 12
    # Bureau Jeugdzorg's clear errors against the true need: refused with a need at least half
    # a level above the indication threshold, granted at least half a level below it.
    INDICATIONS_REFUSED_NEEDY = 13
    INDICATIONS_GRANTED_LIGHT = 14
    GP_CONSULTS = 15
    ONSET_HELP_WEEKS = 16  # weeks from onset to first help, summed, and the children counted
    ONSET_HELP_N = 17
