"""``youthcare sensitivity``: Morris screening and Sobol indices with SALib, straight from the
parameter registry (bounds of each parameter's uncertainty distribution; no second list).

Every sample runs the chosen scenario with the sample's parameter values and one model seed shared
by all samples (common random numbers, so indices measure parameters, not noise). Runs go to any
``concurrent.futures`` executor: a local process pool or a Dask ``distributed`` client; each
finished run is stored at once and atomically, and the same command on the same folder resumes.
Results are identical whatever the executor or the number of workers.
"""

from __future__ import annotations

import sys
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.compare import METRICS
from sim.experiment import atomic_write_text, manifest, run_model, to_json
from sim.params import REGISTRY, SECTIONS, ParameterError, uncertain_parameters
from sim.runstore import RunStore
from sim.scenario import load

OUTPUTS = (
    "in_care_share",
    "wait_mean",
    "cost_per_year",
    "qaly_loss",
    "referrer_gp",
    "waiting_list_end",
    "qaly_trend",  # which parameters make a run drift (docs/ODD.md, warm-up)
)
MORRIS_LEVELS = 4
MAIN_FACTOR_ST = 0.05  # a 'main factor' has a total-order index of at least this
CI_SHARE = 0.10  # narrow enough: CI half-width at most 10% of the index


@dataclass
class SensitivitySettings:
    method: str
    params: list[str]
    n: int
    second_order: bool
    scenario: str
    families: int
    years: float
    warmup_years: float
    seed: int

    def key(self) -> dict:
        return asdict(self)


def _salib_seed(seed: int) -> int:
    """SALib treats seed 0 as 'no seed' (``if seed:``) and then bootstraps from numpy's global
    state; shift by one so every --seed, 0 included, gives reproducible confidence intervals."""
    return seed + 1


def select_parameters(names: list[str] | None, group: str | None) -> list[str]:
    """The parameters to vary: named ones, a registry section, or every uncertain parameter."""
    uncertain = [p.name for p in uncertain_parameters()]
    if names:
        for n in names:
            if n not in REGISTRY:
                raise ParameterError(f"--params: unknown parameter {n!r}")
            if n not in uncertain:
                raise ParameterError(
                    f"--params: {n!r} has no uncertainty distribution in the registry; "
                    f"allowed: {', '.join(uncertain)}"
                )
        return list(dict.fromkeys(names))
    if group:
        if group not in SECTIONS:
            raise ParameterError(f"--group {group!r}: allowed: one of {', '.join(SECTIONS)}")
        chosen = [n for n in uncertain if n.startswith(group + ".")]
        if len(chosen) < 2:
            raise ParameterError(
                f"--group {group!r} has {len(chosen)} uncertain parameter(s); need at least 2"
            )
        return chosen
    return uncertain


def problem(names: list[str]) -> dict:
    """The SALib problem, bounds from the registry's uncertainty distributions."""
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [list(REGISTRY[n].uncertain_bounds) for n in names],
    }


def sample(s: SensitivitySettings) -> np.ndarray:
    prob = problem(s.params)
    if s.method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, s.n, num_levels=MORRIS_LEVELS, seed=_salib_seed(s.seed))
    from SALib.sample import sobol

    return sobol.sample(prob, s.n, calc_second_order=s.second_order, seed=_salib_seed(s.seed))


def _run_sample(
    scenario: str,
    names: list[str],
    row: list[float],
    families: int,
    years: float,
    warmup: float,
    seed: int,
    i: int,
) -> dict:
    scen = load(scenario)
    # Integer parameters take the nearest allowed integer of the sampled value.
    values = {
        n: (int(round(v)) if REGISTRY[n].kind == "int" else float(v))
        for n, v in zip(names, row, strict=True)
    }
    params = scen.params.replace(values)
    summary, _ = run_model(
        params, families, years, warmup, np.random.SeedSequence(seed, spawn_key=(0,)), scenario
    )
    return {
        "i": i,
        "outputs": {col: float(read(summary)) for col, _, _, read in METRICS if col in OUTPUTS},
    }


class Sensitivity:
    """Samples, runs (resumable) and analyses a sensitivity study in ``out``."""

    def __init__(
        self,
        settings: SensitivitySettings,
        out: Path,
        executor: Executor | None = None,
        workers: int = 2,
        progress: bool | None = None,
        log=None,
    ):
        self.s = settings
        self.out = Path(out)
        self.X = sample(settings)
        self.executor = executor
        self.workers = workers
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.log = log or (lambda msg: print(msg, file=sys.stderr))
        self.store = RunStore(
            self.out, {**settings.key(), "samples": len(self.X)}, "sensitivity-key.json"
        )

    def _name(self, i: int) -> str:
        return f"run-{i:06d}.json"

    def run(self) -> pd.DataFrame:
        self.store.open()
        atomic_write_text(
            self.out / "samples.csv",
            pd.DataFrame(self.X, columns=self.s.params).to_csv(index_label="run"),
        )
        todo = [i for i in range(len(self.X)) if not self.store.has(self._name(i))]
        found = len(self.X) - len(todo)
        if found:
            self.log(f"resuming: {found} of {len(self.X)} runs found")
        if todo:
            bar = None
            if self.progress:
                from tqdm.auto import tqdm

                bar = tqdm(
                    total=len(self.X),
                    initial=found,
                    unit="run",
                    desc=f"{self.s.method}",
                    file=sys.stderr,
                )
            s = self.s
            jobs = {
                (self._name(i),): (
                    _run_sample,
                    (
                        s.scenario,
                        s.params,
                        self.X[i].tolist(),
                        s.families,
                        s.years,
                        s.warmup_years,
                        s.seed,
                        i,
                    ),
                )
                for i in todo
            }
            self.store.run_all(jobs, self.executor, self.workers, bar)
        rows = [{"run": i, **self.store.read(self._name(i))["outputs"]} for i in range(len(self.X))]
        return pd.DataFrame(rows)

    def analyse(self, Y: pd.DataFrame) -> pd.DataFrame:
        """Indices per output and parameter, with 95% confidence intervals (tidy table)."""
        prob = problem(self.s.params)
        rows = []
        for col in OUTPUTS:
            y = Y[col].to_numpy(float)
            if self.s.method == "morris":
                from SALib.analyze import morris

                r = morris.analyze(
                    prob,
                    self.X,
                    y,
                    num_levels=MORRIS_LEVELS,
                    conf_level=0.95,
                    seed=_salib_seed(self.s.seed),
                )
                for j, name in enumerate(self.s.params):
                    for idx, conf in (("mu_star", "mu_star_conf"), ("mu", None), ("sigma", None)):
                        rows.append(
                            {
                                "output": col,
                                "parameter": name,
                                "index": idx,
                                "value": float(r[idx][j]),
                                "conf": float(r[conf][j]) if conf else np.nan,
                            }
                        )
            else:
                from SALib.analyze import sobol

                r = sobol.analyze(
                    prob,
                    y,
                    calc_second_order=self.s.second_order,
                    conf_level=0.95,
                    seed=_salib_seed(self.s.seed),
                )
                for j, name in enumerate(self.s.params):
                    for idx in ("S1", "ST"):
                        rows.append(
                            {
                                "output": col,
                                "parameter": name,
                                "index": idx,
                                "value": float(r[idx][j]),
                                "conf": float(r[idx + "_conf"][j]),
                            }
                        )
                if self.s.second_order:
                    for j, a in enumerate(self.s.params):
                        for k in range(j + 1, len(self.s.params)):
                            rows.append(
                                {
                                    "output": col,
                                    "parameter": f"{a} x {self.s.params[k]}",
                                    "index": "S2",
                                    "value": float(r["S2"][j, k]),
                                    "conf": float(r["S2_conf"][j, k]),
                                }
                            )
        return pd.DataFrame(rows)


def ci_verdicts(indices: pd.DataFrame) -> list[str]:
    """Sobol: whether the CIs of the main factors are narrow enough (half-width <= 10% of the index)."""
    lines = []
    for col in OUTPUTS:
        d = indices[(indices["output"] == col) & (indices["index"] == "ST")]
        main = d[d["value"] >= MAIN_FACTOR_ST]
        if main.empty:
            lines.append(f"{col}: no main factor (no total-order index >= {MAIN_FACTOR_ST})")
            continue
        wide = main[main["conf"] > CI_SHARE * main["value"]]
        if wide.empty:
            lines.append(
                f"{col}: CIs narrow enough for all {len(main)} main factors (<= 10% of ST)"
            )
        else:
            worst = wide.assign(r=wide["conf"] / wide["value"]).sort_values("r").iloc[-1]
            lines.append(
                f"{col}: CIs too wide for {len(wide)} of {len(main)} main factors (worst "
                f"{worst['parameter']}: ±{worst['conf']:.3f} on ST {worst['value']:.3f}); raise --n"
            )
    return lines


def write_outputs(
    sa: Sensitivity, Y: pd.DataFrame, indices: pd.DataFrame, settings_extra: dict
) -> dict[str, Path]:
    from sim import plots

    out = sa.out
    atomic_write_text(out / "outputs.csv", Y.to_csv(index=False))
    atomic_write_text(out / "indices.csv", indices.to_csv(index=False))
    paths = {
        "outputs.csv": out / "outputs.csv",
        "indices.csv": out / "indices.csv",
        "samples.csv": out / "samples.csv",
    }
    paths.update(plots.sensitivity_figures(indices, sa.s.method, OUTPUTS, out / "figures"))
    scen = load(sa.s.scenario)
    man = manifest(
        "sensitivity",
        {"name": scen.name, "overrides": scen.overrides},
        scen.params,
        {
            "seed": sa.s.seed,
            "scheme": "SALib sampler seeded with --seed; every run uses the model "
            "seed SeedSequence(seed, spawn_key=(0,))",
        },
        {**sa.s.key(), "samples": len(sa.X), "problem": problem(sa.s.params), **settings_extra},
    )
    atomic_write_text(out / "manifest.json", to_json(man))
    paths["manifest.json"] = out / "manifest.json"
    return paths


def dask_executor(scheduler: str | None, workers: int):
    """A Dask ``distributed`` executor: join ``scheduler`` or start a LocalCluster on 127.0.0.1."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError(
            "--backend dask needs the 'dask' extra: scripts/setup.sh dask"
        ) from None
    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    return client, cluster, client.get_executor()
