"""Benchmark: a Sobol study at region size, and the parallel efficiency of the run pool.

Target (DESIGN §6, issue 7): Sobol, 10 parameters, N = 256, first and total order (3,072 runs) at
region size (20,000 families) in <= 10 minutes on 2 cores, with parallel efficiency >= 85% at 2
workers. ``--n`` runs a smaller study; the report says what ran and never scales it up as if it
were the target study. Nothing here asserts a time.

    .venv/bin/python benchmarks/bench_sensitivity.py [--n 256] [--families 20000] [--efficiency-runs 16]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sim.experiment import atomic_write_text, to_json
from sim.params import uncertain_parameters
from sim.sensitivity import Sensitivity, SensitivitySettings

PARAMS = [
    "need.onset_per_year_4_11",
    "need.onset_per_year_12_17",
    "need.escalation_per_week",
    "seek.route_direct_weight",
    "gp.specialist_constant",
    "gp.beta_wait",
    "wijkteam.referral_occupancy_slope",
    "specialist.places_per_1000_children",
    "specialist.tariff_eur_per_week",
    "care.resolution_per_week",
]


def timed(
    settings: SensitivitySettings, workers: int, limit: int | None = None
) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as d:
        study = Sensitivity(settings, Path(d), workers=workers, progress=False, log=lambda m: None)
        if limit is not None:
            study.X = study.X[:limit]
        t = time.perf_counter()
        study.run()
        return time.perf_counter() - t, len(study.X)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--families", type=int, default=20000)
    ap.add_argument("--years", type=float, default=10)
    ap.add_argument("--warmup-years", type=float, default=3)
    ap.add_argument("--efficiency-runs", type=int, default=16)
    ap.add_argument("--skip-study", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("results/benchmarks/sensitivity.json"))
    args = ap.parse_args()
    assert all(p in {q.name for q in uncertain_parameters()} for p in PARAMS)
    s = SensitivitySettings(
        "sobol", PARAMS, args.n, False, "baseline", args.families, args.years, args.warmup_years, 0
    )
    res = {
        "cores": os.cpu_count(),
        "families": args.families,
        "years": args.years,
        "warmup_years": args.warmup_years,
        "parameters": len(PARAMS),
        "n": args.n,
    }
    k = args.efficiency_runs
    t1, _ = timed(s, 1, k)
    t2, _ = timed(s, 2, k)
    res["efficiency"] = {
        "runs": k,
        "seconds_1_worker": round(t1, 2),
        "seconds_2_workers": round(t2, 2),
        "parallel_efficiency": round(t1 / (2 * t2), 3),
        "target": ">= 0.85",
    }
    print(
        f"parallel efficiency over {k} runs: 1 worker {t1:.1f} s, 2 workers {t2:.1f} s -> {t1 / (2 * t2):.0%}"
    )
    if not args.skip_study:
        t, n = timed(s, 2)
        target = (
            "<= 600 s" if args.n == 256 and args.families == 20000 else "n/a (not the target study)"
        )
        res["study"] = {
            "runs": n,
            "seconds": round(t, 1),
            "seconds_per_run_wall": round(t / n, 3),
            "target": target,
        }
        print(
            f"Sobol study: {n} runs ({len(PARAMS)} parameters, N = {args.n}, {args.families} families, "
            f"{args.years:g}+{args.warmup_years:g} years) in {t:.1f} s on 2 workers; target {target}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, to_json(res))


if __name__ == "__main__":
    main()
