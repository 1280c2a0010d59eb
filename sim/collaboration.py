"""Collaboration dynamics: trust per GP-partner pair and the GP's knowledge of the social map.

Trust (M2) follows the bounded update of DESIGN §3, once a week, for all practices at once:

    tau <- 1 - (1 - tau) * exp(-a_p * in_person - a_d * digital - b * good) - c * bad * tau - d * tau

clipped to [0, 1]; a change of person at the partner multiplies tau by (1 - r). Collaboration
forms differ only in the contacts, feedback and turnover they bring. Knowledge (M1) grows with
feedback after referral (M3) and joint cases, and decays without them.
"""

from __future__ import annotations

import numpy as np

from sim import states as S
from sim.rng import Purpose

N_PARTNERS = len(S.PARTNERS)


class Collaboration:
    """Trust and knowledge arrays of all GP practices, and this week's tallies that move them."""

    def __init__(self, n_gp: int, p, has_worker: bool):
        self.n_gp = n_gp
        init = np.array(
            [
                p["trust.init_practice_worker"] if has_worker else 0.0,
                p["trust.init_wijkteam"],
                p["trust.init_jgz"],
                p["trust.init_specialist"],
            ]
        )
        self.trust = np.tile(init, (n_gp, 1))
        self.knowledge = np.full(n_gp, p["gp.knowledge_init"])
        self.gp_hours = 0.0  # GP hours spent on collaboration this week
        # This week's tallies per (GP, partner): contacts, outcomes, feedback, staff changes.
        shape = (self.n_gp, N_PARTNERS)
        self.in_person = np.zeros(shape)
        self.digital = np.zeros(shape)
        self.good = np.zeros(shape)
        self.bad = np.zeros(shape)
        self.feedback = np.zeros(self.n_gp)
        self.staff_change = np.zeros(shape, dtype=bool)

    def _reset(self) -> None:
        # Cleared in place, never replaced: the compiled kernels hold these arrays (sim.context).
        for a in (self.in_person, self.digital, self.good, self.bad, self.feedback):
            a[:] = 0.0
        self.staff_change[:] = False

    def add(self, which: np.ndarray, gp: np.ndarray, partner: int | np.ndarray, amount=1.0) -> None:
        """Add events for (gp, partner) pairs to one of this week's tallies."""
        np.add.at(which, (gp, partner), amount)

    def step(self, m, week: int) -> None:
        """Apply this week's contacts, outcomes, feedback and staff changes; then clear tallies."""
        p = m.p
        s_t = p["mechanisms.trust"]
        tau = self.trust
        a_p, a_d = p["trust.gain_in_person"], p["trust.gain_digital"]
        b, c, d = (
            p["trust.gain_good_outcome"],
            p["trust.loss_bad_outcome"],
            p["trust.decay_per_week"],
        )
        if s_t > 0:
            grow = np.exp(-s_t * (a_p * self.in_person + a_d * self.digital + b * self.good))
            tau = 1.0 - (1.0 - tau) * grow - s_t * (c * self.bad + d) * tau
            # A staff change at the partner costs trust.
            r = p["trust.turnover_loss"] * p["mechanisms.staff_turnover"]
            tau = np.where(self.staff_change, tau * (1.0 - min(r, 1.0)), tau)
            self.trust[:] = np.clip(tau, 0.0, 1.0)  # in place: kernels hold the array
        if not m.has_worker:
            self.trust[:, S.P_WORKER] = 0.0
        s_k = p["mechanisms.knowledge"]
        if s_k > 0:
            joint = self.in_person.sum(axis=1)
            gain = (
                p["knowledge.gain_per_feedback"]
                * s_k
                * (self.feedback + p["knowledge.joint_case_weight"] * joint)
            )
            k = self.knowledge
            k = 1.0 - (1.0 - k) * np.exp(-gain) - p["knowledge.decay_per_week"] * k
            self.knowledge[:] = np.clip(k, 0.0, 1.0)
        self._reset()

    def draw_staff_changes(self, m, week: int) -> None:
        """Which partners' contact persons change this week (turnover, rotation, contract renewal)."""
        p = m.p
        gp_ids = np.arange(self.n_gp, dtype=np.int64)
        base = np.uint64(1_000_000_000)
        u_w = m.streams.uniform(Purpose.STAFF_CHANGE, gp_ids + base, week)
        u_t = m.streams.uniform(Purpose.STAFF_CHANGE, gp_ids + 2 * base, week)
        if m.has_worker:
            chg = u_w < p["practice_worker.staff_change_per_week"]
            if not p["practice_worker.same_person"]:
                u_r = m.streams.uniform(Purpose.ROTATION, gp_ids, week)
                chg |= (u_r < p["practice_worker.rotation_per_visit"]) & m.worker_present_this_week
            self.staff_change[:, S.P_WORKER] |= chg
        self.staff_change[:, S.P_WIJKTEAM] |= u_t < p["wijkteam.staff_change_per_week"]
        years = p["funding.contract_years"]
        if week > 0 and week % (52 * years) == 0:
            u_c = m.streams.uniform(Purpose.STAFF_CHANGE, gp_ids + 3 * base, week)
            renew = u_c < p["funding.renewal_staff_change"]
            self.staff_change[:, S.P_WORKER] |= renew & m.has_worker
            self.staff_change[:, S.P_WIJKTEAM] |= renew
