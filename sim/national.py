"""The whole country as its 42 youth-care regions, run in parallel and aggregated.

Region sizes: equal shares of the country's families (an assumption, stated in every output:
1.8 million families with minors, seeds/004 L2096, over the 42 jeugdzorgregio's). Each region gets
its own seed spawned from one ``SeedSequence``; the regions run on any ``concurrent.futures``
executor and the aggregate does not depend on the executor or the number of workers.
"""

from __future__ import annotations

import sys
from concurrent.futures import Executor, ProcessPoolExecutor

import numpy as np
import pandas as pd

from sim import states as S
from sim.experiment import mp_context, run_model
from sim.params import Params

N_REGIONS = 42
NATIONAL_FAMILIES = 1_800_000  # seeds/004 L2096: 'ruim 1,8 miljoen gezinnen'
SIZE_NOTE = (
    "42 youth-care regions of equal size (assumption): 1.8 million families with minors "
    "(seeds/004 L2096) divided equally"
)


def region_sizes(total: int = NATIONAL_FAMILIES, n: int = N_REGIONS) -> list[int]:
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _region(params: dict, families: int, years: float, warmup: float, seed: int, i: int) -> dict:
    summary, _ = run_model(
        Params(params),
        families,
        years,
        warmup,
        np.random.SeedSequence(seed, spawn_key=(i,)),
        f"region-{i + 1:02d}",
    )
    return summary


def run_national(
    params: Params,
    years: float,
    warmup: float,
    seed: int,
    scenario: str,
    executor: Executor | None = None,
    workers: int = 2,
    total_families: int = NATIONAL_FAMILIES,
    progress: bool | None = None,
) -> tuple[dict, pd.DataFrame]:
    """Run every region and return (national summary, one row per region)."""
    sizes = region_sizes(total_families)
    own = executor is None
    ex = executor or ProcessPoolExecutor(max_workers=workers, mp_context=mp_context())
    show = sys.stderr.isatty() if progress is None else progress
    try:
        futs = [
            ex.submit(_region, params.to_dict(), f, years, warmup, seed, i)
            for i, f in enumerate(sizes)
        ]
        if show:
            from tqdm.auto import tqdm

            results = [
                f.result() for f in tqdm(futs, desc="regions", unit="region", file=sys.stderr)
            ]
        else:
            results = [f.result() for f in futs]
    finally:
        if own:
            ex.shutdown()
    return aggregate(results, scenario, seed), regions_table(results)


def regions_table(results: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "region": i + 1,
                "families": r["families"],
                "children": r["children"],
                "children_in_care_share_per_year": r["children_in_care_share_per_year"],
                "specialist_wait_mean_weeks": r["specialist_wait_weeks"]["mean"],
                "waiting_list_end": r["waiting_list_end"],
                "cost_per_year_eur": r["cost_per_year_eur"]["total"],
                "invariant_violations": r["invariant_violations"],
            }
            for i, r in enumerate(results)
        ]
    )


def aggregate(results: list[dict], scenario: str, seed: int) -> dict:
    """National figures: sums of counts and costs, shares weighted by their denominators."""
    kids = np.array([r["children"] for r in results], dtype=float)
    traj = np.array(
        [r["new_trajectories_per_1000_children_per_year"] * r["children"] / 1000 for r in results]
    )
    admitted = np.array([r["specialist_wait_weeks"]["admitted"] for r in results], dtype=float)

    def wmean(key_fn, w):
        return float(np.average([key_fn(r) for r in results], weights=w)) if w.sum() else 0.0

    cost = {k: float(sum(r["cost_per_year_eur"][k] for r in results)) for k in ("total",)}
    by_payer = {
        p: float(sum(r["cost_per_year_eur"]["by_payer"][p] for r in results)) for p in S.PAYERS
    }
    by_tier = {
        t: float(sum(r["cost_per_year_eur"]["by_tier"][t] for r in results)) for t in S.TIERS
    }
    in_care = wmean(lambda r: r["children_in_care_share_per_year"], kids)
    return {
        "scenario": scenario,
        "seed": seed,
        "scale": "national",
        "regions": len(results),
        "region_sizes": SIZE_NOTE,
        "families": int(sum(r["families"] for r in results)),
        "children": int(kids.sum()),
        "weeks": results[0]["weeks"],
        "warmup_weeks": results[0]["warmup_weeks"],
        "children_in_care_share_per_year": in_care,
        "children_in_care_per_year": in_care * float(kids.sum()),
        "children_in_specialist_care_share_per_year": wmean(
            lambda r: r["children_in_specialist_care_share_per_year"], kids
        ),
        "new_trajectories_by_referrer": {
            k: wmean(lambda r, k=k: r["new_trajectories_by_referrer"][k], traj) for k in S.REFERRERS
        },
        "specialist_wait_weeks": {
            "mean": wmean(lambda r: r["specialist_wait_weeks"]["mean"], admitted),
            "within_treeknorm_share": wmean(
                lambda r: r["specialist_wait_weeks"]["within_treeknorm_share"], admitted
            ),
            "admitted": int(admitted.sum()),
            "note": "mean and Treeknorm share weighted by admissions; p50/p90 are per region (regions.csv)",
        },
        "waiting_list_end": int(sum(r["waiting_list_end"] for r in results)),
        "cost_per_year_eur": {**cost, "by_payer": by_payer, "by_tier": by_tier},
        "cost_per_child_in_care_eur": by_payer["municipality"] / (in_care * float(kids.sum()))
        if in_care
        else 0.0,
        "qaly_loss_per_1000_children_per_year": wmean(
            lambda r: r["qaly_loss_per_1000_children_per_year"], kids
        ),
        "invariant_violations": int(sum(r["invariant_violations"] for r in results)),
        "scope_note": results[0]["scope_note"],
    }
