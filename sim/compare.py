"""``youthcare compare``: scenarios side by side, with parameter uncertainty and cost-effectiveness.

Each replication draws one parameter set from the registry's distributions and one model seed;
every scenario uses that same draw and seed (common random numbers: a child meets the same luck in
every scenario). Parameters that a scenario file sets are not drawn for that scenario (they are
its levers). Each finished run is stored at once and atomically in ``DIR/runs/``; the same command
on the same ``DIR`` resumes. Outputs: ``comparison.csv``, ``cost_effectiveness.csv``,
``ceac.csv``, ``runs.csv`` and figures (PNG and SVG) in ``DIR/figures/``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import zlib
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import economics as econ
from sim.experiment import atomic_write_text, manifest, run_model, to_json
from sim.metrics import DRIFT_LIMIT, drifting
from sim.params import Params, sample_uncertain, uncertain_parameters
from sim.rng import Purpose, Streams, key_from_seed
from sim.runstore import KeyMismatch, RunStore
from sim.scenario import Scenario, load


def drifting_note(runs: pd.DataFrame, names: list[str]) -> str | None:
    """One line naming, per scenario, the replications whose QALY loss drifted, or None."""
    late = []
    for n in names:
        trend = runs.loc[runs["scenario"] == n, "qaly_trend"]
        k = sum(drifting(t) for t in trend)
        if k:
            late.append(f"{k} of {len(trend)} in {n}")
    if not late:
        return None
    return (
        f"drifting (QALY loss trend beyond ±{100 * DRIFT_LIMIT:.0f}% a year over the measured "
        "years): " + ", ".join(late) + "; their figures are averages over a moving system "
        "(docs/ODD.md, warm-up)."
    )


# (column, label, unit, how to read it from a summary)
METRICS: list[tuple[str, str, str, Any]] = [
    (
        "in_care_share",
        "children in care per year",
        "share",
        lambda s: s["children_in_care_share_per_year"],
    ),
    (
        "specialist_share",
        "children in specialist care per year",
        "share",
        lambda s: s["children_in_specialist_care_share_per_year"],
    ),
    ("wait_mean", "specialist wait, mean", "weeks", lambda s: s["specialist_wait_weeks"]["mean"]),
    ("wait_p90", "specialist wait, p90", "weeks", lambda s: s["specialist_wait_weeks"]["p90"]),
    (
        "within_treeknorm",
        "admitted within Treeknorm",
        "share",
        lambda s: s["specialist_wait_weeks"]["within_treeknorm_share"],
    ),
    ("waiting_list_end", "waiting list at the end", "children", lambda s: s["waiting_list_end"]),
    (
        "cost_per_year",
        "cost per year (perspective)",
        "EUR/year",
        lambda s: s["cost_per_year_eur"]["total"],
    ),
    (
        "cost_municipality",
        "municipal cost per year",
        "EUR/year",
        lambda s: s["cost_per_year_eur"]["by_payer"]["municipality"],
    ),
    (
        "cost_per_child_in_care",
        "municipal cost per child in care",
        "EUR/year",
        lambda s: s["cost_per_child_in_care_eur"],
    ),
    (
        "qaly_loss",
        "QALYs lost per 1000 children per year",
        "QALY",
        lambda s: s["qaly_loss_per_1000_children_per_year"],
    ),
    (
        "over_referral",
        "over-referral",
        "share",
        lambda s: s["referrals_over_under"]["over_referral_share"],
    ),
    (
        "under_referral",
        "under-referral",
        "share",
        lambda s: s["referrals_over_under"]["under_referral_share"],
    ),
    (
        "professionals_per_family",
        "professionals per family in care",
        "count",
        lambda s: s["professionals_per_family_in_care"],
    ),
    ("onset_to_help", "onset to help", "weeks", lambda s: s["onset_to_help_weeks"]),
    ("stepdown_share", "step-down share of endings", "share", lambda s: s["stepdown_share"]),
    ("duplicate_intakes", "duplicate intake share", "share", lambda s: s["duplicate_intake_share"]),
    (
        "referrer_gp",
        "new trajectories via GP",
        "share",
        lambda s: s["new_trajectories_by_referrer"]["gp"],
    ),
    (
        "referrer_wijkteam",
        "new trajectories via wijkteam",
        "share",
        lambda s: s["new_trajectories_by_referrer"]["wijkteam"],
    ),
    (
        "new_trajectories",
        "new trajectories per 1000 children per year",
        "per 1000",
        lambda s: s["new_trajectories_per_1000_children_per_year"],
    ),
    (
        "qaly_trend",
        "QALY-loss trend per measured year",
        "share/year",
        lambda s: s["qaly_loss_trend_per_year"],
    ),
]
HEADLINE = ("wait_mean", "cost_per_year", "qaly_loss")
MAX_REPLICATIONS = 200
PILOT_REPLICATIONS = 5


@dataclass
class CompareSettings:
    scenarios: list[str]
    replications: int | None
    precision: float | None
    families: int
    years: float
    warmup_years: float
    seed: int
    workers: int
    wtp: float
    discount_costs: float
    discount_effects: float
    parameter_uncertainty: bool = True

    def key(self) -> dict:
        """What must match for a resume (replications may grow)."""
        return {
            k: getattr(self, k)
            for k in (
                "scenarios",
                "families",
                "years",
                "warmup_years",
                "seed",
                "parameter_uncertainty",
            )
        }


def rep_seeds(seed: int, rep: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """The parameter-draw seed and the model seed of replication ``rep`` (independent of order)."""
    return (
        np.random.SeedSequence(seed, spawn_key=(rep, 0)),
        np.random.SeedSequence(seed, spawn_key=(rep, 1)),
    )


def replication_params(scen: Scenario, seed: int, rep: int, uncertainty: bool) -> Params:
    """The scenario's parameters with replication ``rep``'s draw for everything it does not set."""
    if not uncertainty:
        return scen.params
    # One uniform per parameter, keyed by the parameter's name (not its position), so adding a
    # parameter to the registry leaves every other parameter's draw as it was.
    names = [p.name for p in uncertain_parameters()]
    ids = np.array([zlib.crc32(n.encode()) for n in names], dtype=np.int64)
    if len(set(ids.tolist())) != len(ids):  # pragma: no cover - a new name that collides
        raise RuntimeError("two uncertain parameters share a crc32; rename one")
    u = Streams(key_from_seed(rep_seeds(seed, rep)[0])).uniform(Purpose.PARAMS, ids, 0)
    draw = {k: v for k, v in sample_uncertain(u).items() if k not in scen.overrides}
    return scen.params.replace(draw)


def _run_one(
    name: str, params: dict, families: int, years: float, warmup: float, seed: int, rep: int
) -> dict:
    summary, weekly = run_model(
        Params(params), families, years, warmup, rep_seeds(seed, rep)[1], name
    )
    measured = weekly[weekly["measured"] == 1]
    return {
        "scenario": name,
        "rep": rep,
        "summary": summary,
        "series": {
            "week": measured["week"].tolist(),
            "waiting_specialist": measured["n_waiting_specialist"].tolist(),
            "cost_total": measured["cost_total"].round(2).tolist(),
        },
    }


def _safe(name: str) -> str:
    return name.replace("/", "_").replace("+", "__")


class Comparison:
    """Runs, stores and analyses a comparison in ``out``."""

    def __init__(
        self,
        settings: CompareSettings,
        out: Path,
        executor: Executor | None = None,
        progress: bool | None = None,
        log=None,
        replace: bool = False,
    ):
        self.s = settings
        self.out = Path(out)
        self.scen = [load(name) for name in settings.scenarios]
        names = [sc.name for sc in self.scen]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise ManifestMismatch(f"scenario {dup!r} is listed twice; list each scenario once")
        self.executor = executor
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.log = log or (lambda msg: print(msg, file=sys.stderr))
        self.why_r = ""
        self.store = RunStore(self.out, self._key(), "compare-key.json", replace=replace)

    # -- storage -----------------------------------------------------------------------------
    def _path(self, name: str, rep: int) -> Path:
        return self.store.path(_safe(name), f"rep-{rep:04d}.json")

    def _key(self) -> dict:
        key = self.s.key()
        # The scenarios' contents, not only their names: an edited file must not reuse old runs.
        key["scenario_parameters_sha256"] = {
            sc.name: hashlib.sha256(
                json.dumps(sc.params.to_dict(), sort_keys=True).encode()
            ).hexdigest()
            for sc in self.scen
        }
        return key

    # -- running -----------------------------------------------------------------------------
    def run_reps(self, reps: range) -> None:
        todo = [(sc, r) for r in reps for sc in self.scen if not self._path(sc.name, r).exists()]
        found = len(reps) * len(self.scen) - len(todo)
        if found:
            self.log(f"resuming: {found} of {len(reps) * len(self.scen)} runs found")
        if not todo:
            return
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(todo), unit="run", desc="compare", file=sys.stderr)
        s = self.s
        jobs = {
            (_safe(sc.name), f"rep-{r:04d}.json"): (
                _run_one,
                (
                    sc.name,
                    replication_params(sc, s.seed, r, s.parameter_uncertainty).to_dict(),
                    s.families,
                    s.years,
                    s.warmup_years,
                    s.seed,
                    r,
                ),
            )
            for sc, r in todo
        }
        self.store.run_all(jobs, self.executor, s.workers, bar)

    def run(self) -> pd.DataFrame:
        """Run every replication (choosing R from --precision if asked) and return the run table."""
        self.store.open()
        if self.s.replications is not None:
            R = self.s.replications
            self.why_r = f"R = {R} replications, as asked (--replications)."
            self.run_reps(range(R))
        else:
            R0 = PILOT_REPLICATIONS
            self.run_reps(range(R0))
            R, self.why_r = self.choose_r(self.table(range(R0)), R0)
            self.run_reps(range(R))
        self.R = R
        return self.table(range(R))

    def choose_r(self, runs: pd.DataFrame, r0: int) -> tuple[int, str]:
        """Replications needed for a 95% CI half-width of ``precision`` x |mean| on the headline metrics."""
        from scipy import stats

        p = self.s.precision
        worst, why = r0, "the pilot already met the target"
        t = stats.t.ppf(0.975, r0 - 1)
        for name in [sc.name for sc in self.scen]:
            for col in HEADLINE:
                x = runs.loc[runs["scenario"] == name, col].to_numpy(float)
                mean, sd = abs(x.mean()), x.std(ddof=1)
                if mean == 0 or sd == 0:
                    continue
                need = math.ceil((t * sd / (p * mean)) ** 2)
                if need > worst:
                    worst = need
                    why = f"'{col}' in '{name}' (mean {x.mean():.4g}, sd {sd:.3g} over the {r0}-run pilot)"
        R = min(max(worst, r0), MAX_REPLICATIONS)
        capped = " (capped)" if worst > MAX_REPLICATIONS else ""
        msg = (
            f"R = {R} replications{capped}: chosen for a 95% CI half-width of at most {100 * p:g}% of the "
            f"mean on {', '.join(HEADLINE)}; the largest need came from {why}."
        )
        return R, msg

    def records(self, reps: range) -> list[dict]:
        out = []
        for sc in self.scen:
            for r in reps:
                out.append(json.loads(self._path(sc.name, r).read_text()))
        return out

    def table(self, reps: range) -> pd.DataFrame:
        rows = []
        for rec in self.records(reps):
            s = rec["summary"]
            row = {"scenario": rec["scenario"], "rep": rec["rep"]}
            for col, _, _, read in METRICS:
                row[col] = float(read(s))
            row["cost_discounted"] = float(
                econ.discounted_total(
                    np.array(s["cost_perspective_per_measured_year_eur"]), self.s.discount_costs
                )[0]
            )
            row["qaly_loss_discounted"] = float(
                econ.discounted_total(
                    np.array(s["qaly_loss_per_measured_year"]), self.s.discount_effects
                )[0]
            )
            rows.append(row)
        return pd.DataFrame(rows)


ManifestMismatch = KeyMismatch  # the results folder was made by a different command


def comparison_table(runs: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Per scenario and metric: mean and 95% CI, and the paired difference with the first scenario."""
    base = scenarios[0]
    b = runs[runs["scenario"] == base].set_index("rep")
    rows = []
    for name in scenarios:
        x = runs[runs["scenario"] == name].set_index("rep")
        for col, label, unit, _ in METRICS + [
            ("cost_discounted", "discounted cost over the horizon", "EUR", None),
            ("qaly_loss_discounted", "discounted QALYs lost over the horizon", "QALY", None),
        ]:
            m, lo, hi = econ.mean_ci(x[col].to_numpy())
            if unit == "share":  # a t-interval can pass 0 or 1; a share cannot
                lo, hi = max(lo, 0.0), min(hi, 1.0)
            d = (x[col] - b[col].reindex(x.index)).to_numpy()
            dm, dlo, dhi = econ.mean_ci(d)
            rows.append(
                {
                    "scenario": name,
                    "metric": col,
                    "label": label,
                    "unit": unit,
                    "mean": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "diff_vs_first": dm,
                    "diff_ci_low": dlo,
                    "diff_ci_high": dhi,
                    "replications": len(x),
                }
            )
    return pd.DataFrame(rows)


def cost_effectiveness(
    runs: pd.DataFrame, scenarios: list[str], wtp: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CE of every scenario against the first: incremental cost and QALYs per replication."""
    base = runs[runs["scenario"] == scenarios[0]].set_index("rep")
    ce_rows, ceac_rows = [], []
    wtps = np.arange(0, 80_001, 1000.0)
    for name in scenarios[1:]:
        x = runs[runs["scenario"] == name].set_index("rep")
        d_cost = (x["cost_discounted"] - base["cost_discounted"].reindex(x.index)).to_numpy()
        d_eff = (
            base["qaly_loss_discounted"].reindex(x.index) - x["qaly_loss_discounted"]
        ).to_numpy()
        r = econ.analyse(name, d_cost, d_eff, wtp)
        ce_rows.append(
            {
                "scenario": name,
                "comparator": scenarios[0],
                "incremental_cost_eur": r.d_cost_mean,
                "incremental_cost_ci_low": r.d_cost_ci[0],
                "incremental_cost_ci_high": r.d_cost_ci[1],
                "incremental_qaly": r.d_qaly_mean,
                "incremental_qaly_ci_low": r.d_qaly_ci[0],
                "incremental_qaly_ci_high": r.d_qaly_ci[1],
                "icer_eur_per_qaly": r.icer,
                "quadrant": r.quadrant,
                "wtp_eur_per_qaly": wtp,
                "nmb_eur": r.nmb_mean,
                "nmb_ci_low": r.nmb_ci[0],
                "nmb_ci_high": r.nmb_ci[1],
                "prob_cost_effective": r.prob_cost_effective,
                "replications": len(x),
            }
        )
        for w, pce in zip(wtps, econ.ceac(d_cost, d_eff, wtps), strict=True):
            ceac_rows.append({"scenario": name, "wtp_eur_per_qaly": w, "prob_cost_effective": pce})
    return pd.DataFrame(ce_rows), pd.DataFrame(ceac_rows)


def write_outputs(cmp: Comparison, runs: pd.DataFrame) -> dict[str, Path]:
    """Tables, figures and the manifest; returns the paths written."""
    from sim import plots

    s = cmp.s
    names = [sc.name for sc in cmp.scen]
    out = cmp.out
    table = comparison_table(runs, names)
    ce, ceac = cost_effectiveness(runs, names, s.wtp)
    paths = {}
    for fname, df in (
        ("runs.csv", runs),
        ("comparison.csv", table),
        ("cost_effectiveness.csv", ce),
        ("ceac.csv", ceac),
    ):
        atomic_write_text(out / fname, df.to_csv(index=False))
        paths[fname] = out / fname
    records = cmp.records(range(cmp.R))
    paths.update(plots.compare_figures(records, runs, ce, ceac, names, s.wtp, out / "figures"))
    info = {
        "replications": cmp.R,
        "why": cmp.why_r,
        "perspective": econ.PERSPECTIVE,
        "discount_rates": {
            "costs": s.discount_costs,
            "effects": s.discount_effects,
            "source": "defaults from the Zorginstituut Nederland 2016 guideline (4% costs, 1.5% effects)",
        },
        "wtp_eur_per_qaly": s.wtp,
        "horizon_years": s.years,
        "effects": "QALYs gained = reduction in QALYs lost (disutility per need level per week, over-treatment included)",
        "common_random_numbers": True,
        "parameter_uncertainty": s.parameter_uncertainty,
    }
    man = manifest(
        "compare",
        {
            "names": names,
            "files": {sc.name: [str(f.path) for f in sc.files] for sc in cmp.scen},
            "overrides": {sc.name: sc.overrides for sc in cmp.scen},
        },
        cmp.scen[0].params,
        {
            "seed": s.seed,
            "replications": cmp.R,
            "scheme": "SeedSequence(seed, spawn_key=(rep, 0)) draws parameters, "
            "(rep, 1) seeds the model; the same for every scenario",
        },
        {**{k: getattr(s, k) for k in s.__dataclass_fields__}, **info},
    )
    atomic_write_text(out / "manifest.json", to_json(man))
    paths["manifest.json"] = out / "manifest.json"
    return paths


def format_table(table: pd.DataFrame, ce: pd.DataFrame, names: list[str], wtp: float) -> str:
    """The printed summary: headline metrics per scenario with CIs, and the CE figures."""
    show = [
        "in_care_share",
        "wait_mean",
        "within_treeknorm",
        "waiting_list_end",
        "cost_per_year",
        "cost_per_child_in_care",
        "qaly_loss",
        "professionals_per_family",
        "referrer_gp",
        "qaly_trend",
    ]

    def fmt(metric: str, v: float) -> str:
        unit = next(u for c, _, u, _ in METRICS if c == metric)
        if unit == "share":
            return f"{100 * v:.1f}%"
        if unit == "share/year":
            return f"{100 * v:+.1f}%/y"
        if unit.startswith("EUR"):
            return f"€{v / 1e6:.2f}M" if abs(v) >= 1e5 else f"€{v:,.0f}"
        return f"{v:.2f}" if abs(v) < 100 else f"{v:.0f}"

    rows = []
    for metric in show:
        label = next(lab for c, lab, _, _ in METRICS if c == metric)
        cells = []
        for n in names:
            r = table[(table["scenario"] == n) & (table["metric"] == metric)].iloc[0]
            cells.append(
                f"{fmt(metric, r['mean'])} [{fmt(metric, r['ci_low'])}, {fmt(metric, r['ci_high'])}]"
            )
        rows.append((label, cells))
    # Each column as wide as its widest cell (or name), two spaces apart.
    widths = [max(len(n), *(len(cells[j]) for _, cells in rows)) + 2 for j, n in enumerate(names)]
    lw = max(len(label) for label, _ in rows) + 2
    lines = ["metric".ljust(lw) + "".join(n.rjust(w) for n, w in zip(names, widths, strict=True))]
    for label, cells in rows:
        lines.append(
            label.ljust(lw) + "".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )
    lines.append("")
    lines.append(
        f"Cost-effectiveness against '{names[0]}' ({econ.PERSPECTIVE}; WTP €{wtp:,.0f}/QALY):"
    )
    for _, r in ce.iterrows():
        icer = r["icer_eur_per_qaly"]
        # A negative ICER is not a ratio anyone can act on: name the quadrant instead.
        if r["quadrant"].startswith("SE"):
            icer_s = "dominant"
        elif r["quadrant"].startswith("NW"):
            icer_s = "dominated"
        else:
            icer_s = f"€{icer:,.0f}/QALY" if np.isfinite(icer) else "n/a"
        lines.append(
            f"  {r['scenario']}: NMB €{r['nmb_eur'] / 1e6:.2f}M [{r['nmb_ci_low'] / 1e6:.2f}, {r['nmb_ci_high'] / 1e6:.2f}]"
            f"; Δcost €{r['incremental_cost_eur'] / 1e6:.2f}M, ΔQALY {r['incremental_qaly']:.1f}, ICER {icer_s}, "
            f"{r['quadrant']}; P(cost-effective) {100 * r['prob_cost_effective']:.0f}%"
        )
    return "\n".join(lines)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
