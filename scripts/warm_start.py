#!/usr/bin/env python
"""The warm start: the baseline's steady state.

Runs the baseline for ``--years`` (20 by default) at region size for a few seeds and prints the
mean, over the second half of the run, of the GPs' trust in each partner and of their knowledge
of the social map, and of the stocks a run starts from: the share of children with a need, the
specialist and residential places per 1000 children, how full the places and lists are, how long
listed children have waited, the state of unmet need, and the need mix of each
block the warm start fills, who referred its children and whether a GP is credited with them
(sampled every 13 weeks). Those means are the registry's defaults
``trust.init_*`` (but not ``trust.init_practice_worker``: trust in a newly placed worker),
``gp.knowledge_init``, ``init.*`` (but not the assumed ``init.onset_spread_weeks``) and the
places per 1000 children of specialist and residential care, so a run starts near
the state the baseline settles in and the warm-up only has to settle the rest. A care block's mix
starts at need 0 (resolved, help running to its planned end); the unmet block's at light.

    .venv/bin/python scripts/warm_start.py [--families 20000] [--years 20] [--seeds 2] [--write]

(the registry's values come from ``--seeds 3``). ``--write`` puts the measured means into
sim/params.py as the new defaults (rounded to 3 decimals, 1 above 5); then regenerate what
depends on them (scripts/make_odd.py, scripts/update_golden.py, the README calibration table).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import states as S  # noqa: E402
from sim.model import YouthCareModel  # noqa: E402
from sim.params import (  # noqa: E402
    CREDIT_BLOCKS,
    INIT_REFERRER_MIX,
    init_need_keys,
    init_referrer_keys,
)
from sim.scenario import load  # noqa: E402

# Recorder column -> registry parameter.
TARGETS = {
    **{f"trust_{p}": f"trust.init_{p}" for p in S.PARTNERS if p != "practice_worker"},
    "knowledge_mean": "gp.knowledge_init",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", type=int, default=20000)
    ap.add_argument("--years", type=float, default=20.0)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="write the means into sim/params.py")
    a = ap.parse_args(argv)
    if a.seeds < 1 or a.years <= 0 or a.families < 100:
        ap.error("--seeds must be at least 1, --years above 0 and --families at least 100")
    params = load("baseline").params
    means: dict[str, list[float]] = {c: [] for c in TARGETS}
    stocks: dict[str, list[float]] = {
        name: [] for name in (*STOCKS, *UNMET_STATE, *LIST_AGES, *CREDIT, *REMAINING)
    }
    # a block's weights (registry names) -> its measured mix per seed
    mixes: dict[tuple[str, ...], list[np.ndarray]] = {
        init_need_keys(block): [] for block in (*BLOCKS, "unmet")
    }
    mixes |= {init_referrer_keys(block): [] for block, _ in INIT_REFERRER_MIX}
    for seed in range(1, a.seeds + 1):
        m = YouthCareModel(params, families=a.families, years=a.years, warmup_years=0, seed=seed)
        half = m.total_weeks // 2
        counts = {block: np.zeros(S.N_LEVELS) for block in (*BLOCKS, "unmet")}  # need levels 0..4
        unmet_tally, age_tally = np.zeros(4), np.zeros(4)
        referrers = {block: np.zeros(len(S.REFERRERS)) for block, _ in INIT_REFERRER_MIX}
        credit = {block: np.zeros(3) for block in CREDIT_BLOCKS}
        left = {block: [] for block in CARE_BLOCKS}
        while m.week < m.total_weeks:
            if m.week >= half and (m.week - half) % 13 == 0:
                for block, n in levels_by_block(m).items():
                    counts[block] += n
                unmet_tally += unmet_state(m)
                age_tally += list_ages(m)
                for block, n in referrers_by_block(m).items():
                    referrers[block] += n
                for block, n in credit_by_block(m).items():
                    credit[block] += n
                for block, weeks in care_weeks_left(m).items():
                    left[block].append(weeks)
            m.step()
        for name, (n, weeks) in zip(LIST_AGES, age_tally.reshape(-1, 2), strict=True):
            stocks[name].append(weeks / max(n, 1.0))
        n_unmet, n_blocked, weeks_left, n_helped = unmet_tally
        stocks["init.unmet_blocked_share"].append(n_blocked / max(n_unmet, 1.0))
        stocks["init.unmet_blocked_weeks"].append(weeks_left / max(n_blocked, 1.0))
        stocks["init.unmet_helped_share"].append(n_helped / max(n_unmet, 1.0))
        for block, n in counts.items():
            mixes[init_need_keys(block)].append(block_mix(block, n))
        for block, parts in left.items():
            weeks = np.concatenate(parts).astype(float)
            stocks[f"init.{block}_remaining_weeks"].append(weeks.mean())
            stocks[f"init.{block}_remaining_shape"].append(weeks.mean() ** 2 / weeks.var())
        for block, n in referrers.items():
            mixes[init_referrer_keys(block)].append(n / max(n.sum(), 1.0))
        for block, (n, credited, to_specialist) in credit.items():
            stocks[f"init.{block}_gp_credited_share"].append(credited / max(n, 1.0))
            if f"init.{block}_credited_specialist_share" in stocks:
                share = to_specialist / max(credited, 1.0)
                stocks[f"init.{block}_credited_specialist_share"].append(share)
        c = {
            k: np.asarray(v[half : m.total_weeks], dtype=float) for k, v in m.recorder.cols.items()
        }
        for col in TARGETS:
            means[col].append(float(np.mean(c[col])))
        for name, stock in STOCKS.items():
            stocks[name].append(float(np.mean(stock(c, m))))
    rows = [(name, np.array(means[col])) for col, name in TARGETS.items()]
    rows += [(name, np.array(v)) for name, v in stocks.items()]
    for keys, per_seed in mixes.items():
        v = np.array(per_seed)
        rows += [(name, v[:, k]) for k, name in enumerate(keys)]
    for name, v in rows:
        print(
            f"{name:36s} now {params[name]:.3f}  steady state {v.mean():.3f} (seeds: {np.round(v, 3)})"
        )
    if a.write:
        path = ROOT / "sim" / "params.py"
        text = path.read_text()
        new = rewrite_defaults(text, {name: float(v.mean()) for name, v in rows})
        tmp = path.with_suffix(".py.tmp")
        tmp.write_text(new)
        os.replace(tmp, path)  # whole or not at all
        print(
            f"wrote {len(rows)} defaults to {path}; now run scripts/make_odd.py and update_golden.py"
        )
    return 0


def _fmt(v: float) -> str:
    return repr(round(v, 1) if abs(v) > 5 else round(v, 3))


def rewrite_defaults(text: str, values: dict[str, float]) -> str:
    """sim/params.py's text with the defaults of ``values`` replaced: a scalar where its
    ``Param("name", <default>`` stands, a need weight inside its block's INIT_NEED_MIX tuple.
    Raises KeyError for a name it cannot find (so nothing is written)."""
    for name, v in values.items():
        if "_need_" in name or "_referrer_" in name:
            continue
        pat = re.compile(r'(Param\("' + re.escape(name) + r'", )(-?[0-9.]+)')
        val = _fmt(v)
        text, k = pat.subn(lambda mt, val=val: mt.group(1) + val, text)
        if k != 1:
            raise KeyError(f"{name}: found {k} times in sim/params.py")
    # (table, block, its weights, the start of its tuple in sim/params.py)
    tuples = [
        ("INIT_NEED_MIX", b, init_need_keys(b), r'(\(\s*"' + b + r'",\s*"[^"]*",\s*\()')
        for b in (*BLOCKS, "unmet")
    ]
    tuples += [
        ("INIT_REFERRER_MIX", b, init_referrer_keys(b), r'(\(\s*"' + b + r'",\s*\()')
        for b, _ in INIT_REFERRER_MIX
    ]
    for table, block, keys, head in tuples:
        if not all(k in values for k in keys):
            continue
        mix = ", ".join(_fmt(values[k]) for k in keys)
        pat = re.compile(head + r"([^)]*)(\))")
        text, k = pat.subn(lambda mt, mix=mix: mt.group(1) + mix + mt.group(3), text)
        if k != 1:
            raise KeyError(f"{table} block {block!r}: found {k} times in sim/params.py")
    return text


# Warm-start block -> the states whose children it stands for; 'unmet' is every other child with
# a need (the warm start puts them all in unmet need).
BLOCKS = {
    "specialist": (S.SPECIALIST,),
    "waiting": (S.WAIT_SPECIALIST,),
    "residential": (S.RESIDENTIAL,),
    "residential_waiting": (S.WAIT_RESIDENTIAL,),
    "wijkteam": (S.WIJKTEAM,),
}


def levels_by_block(m: YouthCareModel) -> dict[str, np.ndarray]:
    """Children per need level (0..4) in each warm-start block, now; 'unmet' holds no need 0."""
    need = m.children.need
    return {
        block: np.bincount(need[block_members(m, block)], minlength=S.N_LEVELS)
        for block in (*BLOCKS, "unmet")
    }


def unmet_block(m: YouthCareModel) -> np.ndarray:
    """The children the warm start's 'unmet' block stands for: a need, and in no named block (in
    unmet need, or in JGZ support, with the practice worker or waiting for an indication)."""
    ch = m.children
    named = np.isin(ch.state, [s for states in BLOCKS.values() for s in states])
    return ~named & (ch.need > 0)


def block_members(m: YouthCareModel, block: str) -> np.ndarray:
    """Which children a warm-start block stands for, now (a boolean mask over the child table)."""
    return unmet_block(m) if block == "unmet" else np.isin(m.children.state, BLOCKS[block])


def block_mix(block: str, levels: np.ndarray) -> np.ndarray:
    """A block's need mix from counts per level 0..4, over the levels its registry weights cover
    (from none in a care block, from light on the list and in unmet need)."""
    n = levels[S.N_LEVELS - len(init_need_keys(block)) :]
    return n / max(n.sum(), 1.0)


# The state of the children in unmet need that the warm start draws (sampled every 13 weeks).
UNMET_STATE = ("init.unmet_blocked_share", "init.unmet_blocked_weeks", "init.unmet_helped_share")


def unmet_state(m: YouthCareModel) -> np.ndarray:
    """(children in the 'unmet' block, of them waiting before they ask again, the weeks of that
    wait left in all, of them helped earlier in this episode), now."""
    ch = m.children
    unmet = unmet_block(m)
    left = ch.blocked_until[unmet] - m.week
    blocked = left > 0
    return np.array(
        [unmet.sum(), blocked.sum(), left[blocked].sum(), ch.helped[unmet].sum()], dtype=float
    )


# How long the children on each list have waited so far (sampled every 13 weeks).
LIST_BLOCKS = ("waiting", "residential_waiting")
LIST_AGES = tuple(f"init.{block}_age_weeks" for block in LIST_BLOCKS)


def list_ages(m: YouthCareModel) -> np.ndarray:
    """(children on the list, their weeks waited so far in all) for each of LIST_BLOCKS, now."""
    ch, out = m.children, []
    for block in LIST_BLOCKS:
        on = block_members(m, block)
        out += [on.sum(), (m.week - ch.q_entry[on]).sum()]
    return np.array(out, dtype=float)


# Whether a GP is credited with the children of each block (ref_gp), and with which partner.
CREDIT = (
    *(f"init.{block}_gp_credited_share" for block in CREDIT_BLOCKS),
    "init.wijkteam_credited_specialist_share",
    "init.unmet_credited_specialist_share",
)


def referrers_by_block(m: YouthCareModel) -> dict[str, np.ndarray]:
    """Children per referrer (sim.states.REFERRERS) in each block of INIT_REFERRER_MIX, now."""
    ch = m.children
    return {
        block: np.bincount(ch.referrer[block_members(m, block)], minlength=len(S.REFERRERS))
        for block, _ in INIT_REFERRER_MIX
    }


def credit_by_block(m: YouthCareModel) -> dict[str, np.ndarray]:
    """(children, of them credited to a GP, of those credited to specialist care) per block."""
    ch, out = m.children, {}
    for block in CREDIT_BLOCKS:
        on = block_members(m, block)
        cred = on & (ch.ref_gp >= 0)
        spec = cred & (ch.ref_partner == S.P_SPECIALIST)
        out[block] = np.array([on.sum(), cred.sum(), spec.sum()], dtype=float)
    return out


# How long the care of the children in care still runs (sampled every 13 weeks).
CARE_BLOCKS = ("specialist", "residential")
REMAINING = tuple(
    f"init.{block}_remaining_{what}" for block in CARE_BLOCKS for what in ("weeks", "shape")
)


def care_weeks_left(m: YouthCareModel) -> dict[str, np.ndarray]:
    """Weeks to the planned end of the care of each child in each of CARE_BLOCKS, now."""
    return {b: m.children.planned_end[block_members(m, b)] - m.week for b in CARE_BLOCKS}


def _need(c: dict) -> np.ndarray:
    return sum(c[f"need_{k}"] for k in range(1, S.N_LEVELS))


# Registry parameter -> its steady-state value from the weekly series (second half of the run).
STOCKS = {
    "init.need_share": lambda c, m: _need(c) / c["children"],
    "specialist.places_per_1000_children": lambda c, m: (
        c["specialist_places"] / c["children"] * 1000
    ),
    "residential.places_per_1000_children": lambda c, m: (
        c["residential_places"] / c["children"] * 1000
    ),
    "init.specialist_occupancy": lambda c, m: c["n_specialist"] / c["specialist_places"],
    "init.waiting_per_place": lambda c, m: c["n_waiting_specialist"] / c["specialist_places"],
    "init.residential_occupancy": lambda c, m: c["n_residential"] / c["residential_places"],
    "init.residential_waiting_per_place": lambda c, m: (
        c["n_waiting_residential"] / c["residential_places"]
    ),
    # all teams' caseload over all their norms, as the warm start fills them (the recorder's
    # wijkteam_occupancy is the mean over teams, which small teams pull up)
    "init.wijkteam_occupancy": lambda c, m: (
        c["n_wijkteam"] / (m.wijkteam_fte * m.p["wijkteam.caseload_norm"]).sum()
    ),
}


if __name__ == "__main__":
    sys.exit(main())
