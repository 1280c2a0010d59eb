"""Calibration targets of the 2015+ baseline (DESIGN §3) and the fit table.

Each target names the summary figure it reads, the target, the tolerance and its public source.
``python -m sim.calibration`` runs the baseline over a few seeds and prints the fit table that
README.md shows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FIG = "shared/sources/public-figures.md"


@dataclass(frozen=True)
class Target:
    name: str
    target: float
    lo: float
    hi: float
    source: str
    read: Callable[[dict], float]
    unit: str = ""


def _ref(key: str) -> Callable[[dict], float]:
    return lambda s: s["new_trajectories_by_referrer"][key]


TARGETS: tuple[Target, ...] = (
    Target(
        "children in care per year",
        0.13,
        0.115,
        0.145,
        f"{FIG} 1.11-1.12 (1 in 7 minors)",
        lambda s: s["children_in_care_share_per_year"],
        "share",
    ),
    Target("new trajectories: GP", 0.386, 0.356, 0.416, f"{FIG} 2.4", _ref("gp"), "share"),
    Target(
        "new trajectories: wijkteam", 0.304, 0.274, 0.334, f"{FIG} 2.4", _ref("wijkteam"), "share"
    ),
    Target("new trajectories: JGZ", 0.036, 0.006, 0.066, f"{FIG} 2.4", _ref("jgz"), "share"),
    Target(
        "new trajectories: no referrer", 0.149, 0.119, 0.179, f"{FIG} 2.4", _ref("none"), "share"
    ),
    Target(
        "new trajectories: other (GI, medical)",
        0.117,
        0.087,
        0.147,
        f"{FIG} 2.4",
        _ref("other"),
        "share",
    ),
    Target(
        "municipal spending per child in care",
        13900.0,
        13900 * 0.85,
        13900 * 1.15,
        "seed-digest §7.7 V9 (EUR 6.5 bn / 467,000)",
        lambda s: s["cost_per_child_in_care_eur"],
        "EUR/year",
    ),
    Target(
        "mean specialist ambulant wait",
        13.5,
        10.0,
        17.0,
        f"{FIG} 4.5 (Rijnmond 13-14 weeks)",
        lambda s: s["specialist_wait_weeks"]["mean"],
        "weeks",
    ),
    Target(
        "waiting list change per year",
        0.0,
        -0.05,
        0.05,
        "DESIGN §3 (steady list)",
        lambda s: s["waiting_list_change_per_year"],
        "share/year",
    ),
)


def fit_table(summaries: list[dict]) -> list[dict]:
    """Target, tolerance, model value (mean over runs), error and pass flag per target."""
    rows = []
    for t in TARGETS:
        vals = np.array([t.read(s) for s in summaries])
        v = float(vals.mean())
        rows.append(
            {
                "target": t.name,
                "value_target": t.target,
                "lo": t.lo,
                "hi": t.hi,
                "source": t.source,
                "model": v,
                "model_sd": float(vals.std(ddof=1)) if len(vals) > 1 else 0.0,
                "error": v - t.target,
                "within": bool(t.lo <= v <= t.hi),
                "unit": t.unit,
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    def f(x: float, unit: str) -> str:
        if unit == "share" or unit == "share/year":
            return f"{100 * x:.1f}%"
        if unit.startswith("EUR"):
            return f"€{x:,.0f}"
        return f"{x:.1f}"

    out = [
        "| target | source | target value (tolerance) | model | error | within |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        u = r["unit"]
        out.append(
            f"| {r['target']} | {r['source']} | {f(r['value_target'], u)} ({f(r['lo'], u)} – {f(r['hi'], u)}) "
            f"| {f(r['model'], u)} | {f(r['error'], u)} | {'yes' if r['within'] else 'NO'} |"
        )
    return "\n".join(out)


def run_baseline(
    families: int = 20000,
    seeds: tuple[int, ...] = (1, 2, 3),
    years: float = 10,
    warmup_years: float = 3,
) -> list[dict]:
    from concurrent.futures import ProcessPoolExecutor

    from sim.experiment import mp_context, run_model
    from sim.scenario import load

    params = load("baseline").params
    with ProcessPoolExecutor(2, mp_context=mp_context()) as ex:
        futs = [
            ex.submit(run_model, params, families, years, warmup_years, s, "baseline")
            for s in seeds
        ]
        return [f.result()[0] for f in futs]


# The free parameters of the baseline that `youthcare calibrate` fits (bounds: the registry's
# uncertainty ranges, which are assumptions).
FREE = (
    "need.onset_per_year_4_11",
    "need.onset_per_year_12_17",
    "gp.specialist_constant",
    "seek.route_wijkteam_weight",
    "seek.route_direct_weight",
    "other.protection_per_week",
    "other.medical_per_week",
    "specialist.tariff_eur_per_week",
    "jgz.normalising",
)
CALIBRATED_FILE = Path(__file__).with_name("calibrated.toml")


def loss(rows: list[dict]) -> float:
    """Sum of squared errors, each in units of its tolerance's half-width."""
    return float(
        sum(((r["model"] - r["value_target"]) / ((r["hi"] - r["lo"]) / 2)) ** 2 for r in rows)
    )


def _eval(args) -> dict:
    from sim.experiment import run_model
    from sim.params import Params

    values, families, years, warmup, seed = args
    summary, _ = run_model(Params(values), families, years, warmup, seed, "calibrate")
    return summary


def calibrate(
    families: int = 5000,
    seeds: tuple[int, ...] = (1, 2),
    years: float = 5,
    warmup_years: float = 3,
    max_evals: int = 80,
    workers: int = 2,
    progress: bool | str = True,
) -> tuple[dict, list[dict], list[dict]]:
    """Fit FREE to TARGETS with Nelder-Mead (scipy), averaging ``seeds`` (the same seeds at every
    evaluation: common random numbers make the objective smooth).

    The search starts from the registry's prior defaults (``PRIOR_DEFAULTS``, not the values of
    an earlier fit), so the same arguments give the same fit on a clean checkout. ``progress``:
    True for a tqdm bar, ``"lines"`` for one line per evaluation on stderr, False for none.
    Returns (fitted values, fit table, evaluation history)."""
    from concurrent.futures import ProcessPoolExecutor

    from scipy.optimize import minimize

    from sim.experiment import mp_context
    from sim.params import PRIOR_DEFAULTS, REGISTRY
    from sim.scenario import load

    base = load("baseline").params
    x0 = np.array([PRIOR_DEFAULTS[n] for n in FREE], dtype=float)
    bounds = [REGISTRY[n].uncertain_bounds or (REGISTRY[n].lo, REGISTRY[n].hi) for n in FREE]
    lo, hi = np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])
    history: list[dict] = []
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=max_evals, desc="calibrate", unit="eval")
    with ProcessPoolExecutor(workers, mp_context=mp_context()) as ex:

        def objective(z: np.ndarray) -> float:
            x = lo + np.clip(z, 0, 1) * (hi - lo)  # search on the unit cube
            values = {**base.to_dict(), **{n: float(v) for n, v in zip(FREE, x, strict=True)}}
            sums = list(ex.map(_eval, [(values, families, years, warmup_years, s) for s in seeds]))
            f = loss(fit_table(sums))
            history.append(
                {"eval": len(history) + 1, "loss": f, **dict(zip(FREE, x.tolist(), strict=True))}
            )
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{f:.3f}")
            elif progress == "lines":
                best = min(h["loss"] for h in history)
                print(
                    f"calibrate: evaluation {len(history)}/{max_evals}: loss {f:.4f} "
                    f"(best {best:.4f})",
                    file=sys.stderr,
                    flush=True,
                )
            return f

        z0 = (x0 - lo) / (hi - lo)
        res = minimize(
            objective,
            z0,
            method="Nelder-Mead",
            bounds=[(0, 1)] * len(FREE),
            options={
                "maxfev": max_evals,
                "xatol": 1e-3,
                "fatol": 1e-3,
                "initial_simplex": _simplex(z0),
            },
        )
        best = lo + np.clip(res.x, 0, 1) * (hi - lo)
        fitted = {n: float(v) for n, v in zip(FREE, best, strict=True)}
        values = {**base.to_dict(), **fitted}
        rows = fit_table(
            list(ex.map(_eval, [(values, families, years, warmup_years, s) for s in seeds]))
        )
    if bar is not None:
        bar.close()
    return fitted, rows, history


def _simplex(z0: np.ndarray, step: float = 0.08) -> np.ndarray:
    """A small start simplex around the prior values (close to a fit already)."""
    pts = [z0]
    for i in range(len(z0)):
        z = z0.copy()
        z[i] = z[i] + step if z[i] + step <= 1 else z[i] - step
        pts.append(z)
    return np.array(pts)


def load_calibrated() -> dict:
    """Values written by ``youthcare calibrate --apply`` (empty when there are none)."""
    if not CALIBRATED_FILE.exists():
        return {}
    import tomllib

    return dict(tomllib.loads(CALIBRATED_FILE.read_text()).get("values", {}))


def calibrated_toml(values: dict, meta: dict) -> str:
    lines = [
        "# Written by `youthcare calibrate`; the registry's defaults for these parameters.",
        "# " + ", ".join(f"{k}: {v}" for k, v in meta.items()),
        "[values]",
    ]
    lines += [f'"{k}" = {v!r}' for k, v in values.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description="Print the baseline's calibration fit table.")
    ap.add_argument("--families", type=int, default=20000)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    rows = fit_table(run_baseline(args.families, tuple(range(1, args.seeds + 1))))
    print(markdown(rows))


if __name__ == "__main__":
    main()
