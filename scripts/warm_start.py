#!/usr/bin/env python
"""The warm start: the baseline's steady state.

Runs the baseline for ``--years`` (20 by default) at region size for a few seeds and prints the
mean, over the second half of the run, of the GPs' trust in each partner and of their knowledge
of the social map, and of the stocks a run starts from: the share of children with a need, the
specialist places per 1000 children, how full the places and lists are, and the need mix of each
block the warm start fills (sampled every 13 weeks). Those means are the registry's defaults
``trust.init_*`` (but not ``trust.init_practice_worker``: trust in a newly placed worker),
``gp.knowledge_init``, ``init.*`` (but not the assumed ``init.onset_spread_weeks`` and
``init.list_entry_spread_ratio``) and ``specialist.places_per_1000_children``, so a run starts near
the state the baseline settles in and the warm-up only has to settle the rest. It also prints the
share of each care block whose need has already resolved (need 0, staying to the planned end):
the warm start gives every child in a block a need, so these children start in the other blocks.

    .venv/bin/python scripts/warm_start.py [--families 20000] [--years 20] [--seeds 2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import states as S  # noqa: E402
from sim.model import YouthCareModel  # noqa: E402
from sim.params import init_need_keys  # noqa: E402
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
    a = ap.parse_args(argv)
    if a.seeds < 1 or a.years <= 0 or a.families < 100:
        ap.error("--seeds must be at least 1, --years above 0 and --families at least 100")
    params = load("baseline").params
    means: dict[str, list[float]] = {c: [] for c in TARGETS}
    stocks: dict[str, list[float]] = {name: [] for name in STOCKS}
    mixes: dict[str, list[np.ndarray]] = {block: [] for block in (*BLOCKS, "unmet")}
    for seed in range(1, a.seeds + 1):
        m = YouthCareModel(params, families=a.families, years=a.years, warmup_years=0, seed=seed)
        half = m.total_weeks // 2
        counts = {block: np.zeros(S.N_LEVELS) for block in mixes}  # need levels 0..4
        while m.week < m.total_weeks:
            if m.week >= half and (m.week - half) % 13 == 0:
                for block, n in levels_by_block(m).items():
                    counts[block] += n
            m.step()
        for block, n in counts.items():
            mixes[block].append(n[1:] / max(n[1:].sum(), 1.0))
        shares = ", ".join(f"{b} {counts[b][0] / max(counts[b].sum(), 1.0):.3f}" for b in BLOCKS)
        print(
            f"seed {seed}: share of each block with need 0 (resolved, until the planned end): {shares}"
        )
        c = {
            k: np.asarray(v[half : m.total_weeks], dtype=float) for k, v in m.recorder.cols.items()
        }
        for col in TARGETS:
            means[col].append(float(np.mean(c[col])))
        for name, stock in STOCKS.items():
            stocks[name].append(float(np.mean(stock(c))))
    rows = [(name, np.array(means[col])) for col, name in TARGETS.items()]
    rows += [(name, np.array(v)) for name, v in stocks.items()]
    for block, per_seed in mixes.items():
        v = np.array(per_seed)
        rows += [(name, v[:, k]) for k, name in enumerate(init_need_keys(block))]
    for name, v in rows:
        print(
            f"{name:36s} now {params[name]:.3f}  steady state {v.mean():.3f} (seeds: {np.round(v, 3)})"
        )
    return 0


# Warm-start block -> the states whose children it stands for; 'unmet' is every other child with
# a need (the warm start puts them all in unmet need).
BLOCKS = {
    "specialist": (S.SPECIALIST,),
    "waiting": (S.WAIT_SPECIALIST,),
    "residential": (S.RESIDENTIAL,),
    "wijkteam": (S.WIJKTEAM,),
}


def levels_by_block(m: YouthCareModel) -> dict[str, np.ndarray]:
    """Children per need level (0..4) in each warm-start block, now; 'unmet' holds no need 0."""
    ch = m.children
    out, named = {}, np.zeros(len(ch.state), dtype=bool)
    for block, states in BLOCKS.items():
        sel = np.isin(ch.state, states)
        named |= sel
        out[block] = np.bincount(ch.need[sel], minlength=S.N_LEVELS)
    rest = ~named & (ch.need > 0)
    out["unmet"] = np.bincount(ch.need[rest], minlength=S.N_LEVELS)
    return out


def need_by_block(m: YouthCareModel) -> dict[str, np.ndarray]:
    """Children per need level (1..4) in each warm-start block, now."""
    return {block: n[1:] for block, n in levels_by_block(m).items()}


def _need(c: dict) -> np.ndarray:
    return sum(c[f"need_{k}"] for k in range(1, S.N_LEVELS))


# Registry parameter -> its steady-state value from the weekly series (second half of the run).
STOCKS = {
    "init.need_share": lambda c: _need(c) / c["children"],
    "specialist.places_per_1000_children": lambda c: c["specialist_places"] / c["children"] * 1000,
    "init.specialist_occupancy": lambda c: c["n_specialist"] / c["specialist_places"],
    "init.waiting_per_place": lambda c: c["n_waiting_specialist"] / c["specialist_places"],
    "init.residential_occupancy": lambda c: c["n_residential"] / c["residential_places"],
    "init.wijkteam_occupancy": lambda c: c["wijkteam_occupancy"],
}


if __name__ == "__main__":
    sys.exit(main())
