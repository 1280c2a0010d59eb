"""Weekly invariants (``--check``): each child in one state, queues and places consistent, costs add up,
the life-threatening flag only on a crisis.

Each failed check adds one violation and a message; the count goes into the summary.
"""

from __future__ import annotations

import numpy as np

from sim import states as S


def check(m, week: int, counts: np.ndarray) -> int:
    """Run every invariant for this week; return the number of violations."""
    ch, msgs = m.children, []
    st = ch.state
    if counts.sum() != ch.n or st.min() < 0 or st.max() >= S.N_STATES:
        msgs.append("a child is in no state or in more than one")
    if ch.need.min() < 0 or ch.need.max() > 4:
        msgs.append("need level outside 0-4")
    if np.any(ch.need[st == S.NONE] != 0):
        msgs.append("a child without help state has a need (state none, need > 0)")
    if np.any(ch.need[st == S.UNMET] == 0):
        msgs.append("a child with unmet need has need 0")
    if np.any(ch.life_threat & (ch.need != 4)):
        msgs.append("a child flagged life-threatening is not in crisis (need 4)")
    if not np.array_equal(m.children_per_family, np.bincount(ch.family, minlength=m.families.n)):
        msgs.append("children per family out of step with the child table")
    for pool, wait_state, care_state in (
        (m.specialist, S.WAIT_SPECIALIST, S.SPECIALIST),
        (m.residential, S.WAIT_RESIDENTIAL, S.RESIDENTIAL),
    ):
        for s in (wait_state, care_state):
            prov = ch.provider[st == s]
            if len(prov) and (prov.min() < 0 or prov.max() >= pool.n):
                msgs.append(f"{S.STATE_NAMES[s]}: a child without a valid provider")
        prov = ch.provider[st == care_state]
        occ = np.bincount(prov[(prov >= 0) & (prov < pool.n)], minlength=pool.n)
        if np.any(occ > pool.capacity):
            msgs.append(
                f"{pool.name}: capacity exceeded ({int(occ.sum())} in care, {int(pool.capacity.sum())} places)"
            )
        if np.any(pool.places < 0):
            msgs.append(f"{pool.name}: negative places")
    if np.any(counts < 0):
        msgs.append("a queue below zero")
    led = m.ledger
    wk = led.week
    if not np.isclose(wk.sum(), led.added_this_week, rtol=1e-9, atol=1e-6):
        msgs.append("costs booked this week do not add up to the ledger")
    if not np.isclose(wk.sum(axis=0).sum(), wk.sum(axis=1).sum()) or np.any(wk < -1e-9):
        msgs.append("costs by payer and by tier differ, or a cost is negative")
    t = m.collab.trust
    if t.min() < 0 or t.max() > 1 or m.collab.knowledge.min() < 0 or m.collab.knowledge.max() > 1:
        msgs.append("trust or knowledge outside [0, 1]")
    if msgs:
        m.invariant_messages.extend(f"week {week}: {s}" for s in msgs)
    return len(msgs)
