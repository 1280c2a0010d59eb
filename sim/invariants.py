"""Weekly invariants (``--check``): each child in one state, queues and places consistent, costs add up,
the life-threatening flag only on a crisis.

Each failed check adds one violation and a message; the count goes into the summary.
"""

from __future__ import annotations

import numba
import numpy as np

from sim import states as S

# What each of _scan's child flags means (its messages, in the order of the flags).
_CHILD_MESSAGES = (
    "a child is in no state or in more than one",
    "need level outside 0-4",
    "a child without help state has a need (state none, need > 0)",
    "a child with unmet need has need 0",
    "a child flagged life-threatening is not in crisis (need 4)",
)


@numba.njit(cache=True, nogil=True)
def _scan(state, need, life_threat, provider, family, n_fam, n_spec, n_res):
    """One pass over the child table: the child flags (``_CHILD_MESSAGES``), whether a child
    on a list or in care has no valid provider (wait and care state of each tier), the
    children in care per provider of each tier, and the children per family (a family id
    out of range counts in the last slot)."""
    flags = np.zeros(len(_CHILD_MESSAGES), np.bool_)
    bad_provider = np.zeros((2, 2), np.bool_)
    occ_spec = np.zeros(n_spec, np.int64)
    occ_res = np.zeros(n_res, np.int64)
    per_family = np.zeros(n_fam + 1, np.int64)
    for i in range(state.size):
        s, lvl = state[i], need[i]
        if s < 0 or s >= S.N_STATES:
            flags[0] = True
        if lvl < 0 or lvl > 4:
            flags[1] = True
        if s == S.NONE and lvl != 0:
            flags[2] = True
        if s == S.UNMET and lvl == 0:
            flags[3] = True
        if life_threat[i] and lvl != 4:
            flags[4] = True
        f = family[i]
        per_family[f if 0 <= f < n_fam else n_fam] += 1
        t = S.TIER[s] if 0 <= s < S.N_STATES else -1
        if t < 0:
            continue
        in_care = S.IN_CARE[s]
        pr = provider[i]
        if pr < 0 or pr >= (n_spec if t == 0 else n_res):
            bad_provider[t, 1 if in_care else 0] = True
        elif in_care:
            (occ_spec if t == 0 else occ_res)[pr] += 1
    return flags, bad_provider, occ_spec, occ_res, per_family


def check(m, week: int, counts: np.ndarray) -> int:
    """Run every invariant for this week; return the number of violations."""
    ch, msgs = m.children, []
    flags, bad_provider, occ_spec, occ_res, per_family = _scan(
        ch.state,
        ch.need,
        ch.life_threat,
        ch.provider,
        ch.family,
        m.families.n,
        m.specialist.n,
        m.residential.n,
    )
    flags[0] |= counts.sum() != ch.n
    msgs += [msg for msg, bad in zip(_CHILD_MESSAGES, flags, strict=True) if bad]
    if per_family[-1] or not np.array_equal(m.children_per_family, per_family[:-1]):
        msgs.append("children per family out of step with the child table")
    for t, (pool, occ) in enumerate(((m.specialist, occ_spec), (m.residential, occ_res))):
        for c, s in enumerate(S.TIER_STATES[t]):
            if bad_provider[t, c]:
                msgs.append(f"{S.STATE_NAMES[s]}: a child without a valid provider")
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
