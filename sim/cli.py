"""The ``youthcare`` command line.

Every user error (a bad option, a malformed scenario) is one line on stderr and exit code 2;
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cliargs import DEFAULT_WARMUP_YEARS, float_in, int_in
from sim.params import ParameterError
from sim.scenario import ScenarioError

EXIT_USAGE = 2


class UserError(Exception):
    """An error in what the user asked for; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _run_size_args(
    p,
    families: int,
    min_families: int,
    years: float,
    min_years: float,
    seed: int,
    max_seed: int,
    workers: bool = True,
) -> None:
    """The options every multi-run command shares: sizes, warm-up, seed and workers."""
    p.add_argument(
        "--families", type=int_in("--families", min_families, 5_000_000), default=families
    )
    p.add_argument("--years", type=float_in("--years", min_years, 100), default=years)
    p.add_argument("--warmup-years", type=float_in("--warmup-years", 0, 50), default=None)
    p.add_argument("--seed", type=int_in("--seed", 0, max_seed), default=seed)
    if workers:
        p.add_argument("--workers", type=int_in("--workers", 1, 1024), default=None)


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="youthcare", description="Agent-based simulation of the Dutch youth-care ecosystem."
    )
    sub = ap.add_subparsers(dest="command", parser_class=_Parser, required=True)

    r = sub.add_parser("run", help="run one scenario and write summary, weekly series and manifest")
    r.add_argument(
        "scenario", help="scenario name (scenarios/NAME.toml), a path, or a composition a+b"
    )
    r.add_argument(
        "--families",
        type=int_in("--families", 100, 5_000_000),
        default=None,
        help="families in the region (default 20,000; not with --scale national)",
    )
    r.add_argument(
        "--scale",
        choices=("region", "national"),
        default="region",
        help="national: the 42 youth-care regions on the executor, aggregated",
    )
    r.add_argument(
        "--backend",
        choices=("local", "dask"),
        default="local",
        help="executor for --scale national",
    )
    r.add_argument("--scheduler", default=None, help="Dask scheduler address (with --backend dask)")
    r.add_argument("--workers", type=int_in("--workers", 1, 1024), default=None)
    r.add_argument("--years", type=float_in("--years", 0.1, 100), default=10.0)
    r.add_argument(
        "--warmup-years",
        type=float_in("--warmup-years", 0, 50),
        default=None,
        help="warm-up before measuring (default: the registry's stated warm-up)",
    )
    r.add_argument("--seed", type=int_in("--seed", 0, 2**63 - 1), default=0)
    r.add_argument(
        "--out", type=Path, default=None, help="results folder (default results/run-SCENARIO-sSEED)"
    )
    r.add_argument(
        "--replace",
        action="store_true",
        help="if --out holds other results, keep them aside as OUT.previous and write afresh",
    )
    r.add_argument("--json", action="store_true", help="print only the summary JSON on stdout")
    r.add_argument("--check", action="store_true", help="run the weekly invariant checks")
    r.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter (repeatable), e.g. --set gp.detection=0.7",
    )

    c = sub.add_parser("compare", help="compare scenarios with uncertainty and cost-effectiveness")
    c.add_argument(
        "scenarios",
        nargs="+",
        help="scenario names, paths or compositions; the first is the comparator",
    )
    g = c.add_mutually_exclusive_group()
    g.add_argument("--replications", type=int_in("--replications", 2, 10_000), default=None)
    g.add_argument(
        "--precision",
        type=float_in("--precision", 0.001, 1.0),
        default=None,
        help="target 95%% CI half-width as a share of the mean on the headline metrics (picks R)",
    )
    _run_size_args(
        c, families=20_000, min_families=100, years=10.0, min_years=1, seed=0, max_seed=2**63 - 1
    )
    c.add_argument(
        "--wtp",
        type=float_in("--wtp", 0, 1e7),
        default=50_000.0,
        help="EUR per QALY (default 50,000)",
    )
    c.add_argument("--discount-costs", type=float_in("--discount-costs", 0, 0.5), default=0.04)
    c.add_argument("--discount-effects", type=float_in("--discount-effects", 0, 0.5), default=0.015)
    c.add_argument(
        "--no-parameter-uncertainty",
        action="store_true",
        help="use the registry's defaults in every replication (noise only)",
    )
    c.add_argument(
        "--out", type=Path, default=None, help="results folder (default results/compare-...)"
    )
    c.add_argument(
        "--replace",
        action="store_true",
        help="if --out holds another comparison, keep it aside as OUT.previous and start afresh",
    )

    sa = sub.add_parser(
        "sensitivity", help="Morris or Sobol sensitivity analysis (SALib) from the registry"
    )
    sa.add_argument("--method", choices=("morris", "sobol"), required=True)
    pg = sa.add_mutually_exclusive_group()
    pg.add_argument("--params", nargs="+", default=None, metavar="NAME", help="parameters to vary")
    pg.add_argument(
        "--group", default=None, help="vary the uncertain parameters of one registry section"
    )
    sa.add_argument(
        "--n",
        type=int_in("--n", 2, 1_000_000),
        default=None,
        help="Morris trajectories (default 10) or Sobol base samples (default 64; a power of 2)",
    )
    sa.add_argument("--second-order", action="store_true", help="Sobol: second-order indices too")
    sa.add_argument("--scenario", default="baseline")
    _run_size_args(
        sa,
        families=5_000,
        min_families=100,
        years=5.0,
        min_years=0.5,
        seed=0,
        max_seed=2**32 - 1,
    )
    sa.add_argument("--backend", choices=("local", "dask"), default="local")
    sa.add_argument(
        "--scheduler", default=None, help="address of a Dask scheduler to join (tcp://host:port)"
    )
    sa.add_argument("--out", type=Path, default=None)

    v = sub.add_parser("validate", help="check the model against figures and patterns (PASS/FAIL)")
    _run_size_args(
        v, families=10_000, min_families=500, years=8.0, min_years=2, seed=1, max_seed=2**32 - 1
    )
    v.add_argument(
        "--replications",
        type=int_in("--replications", 1, 100),
        default=3,
        help="replications (seeds SEED, SEED+1, ...): every check is the mean over them, with "
        "its range, and passes if it passes in at least half (default 3)",
    )
    v.add_argument("--out", type=Path, default=Path("results/validation"))

    cal = sub.add_parser(
        "calibrate", help="fit the baseline's free parameters to the calibration targets"
    )
    cal.add_argument("--families", type=int_in("--families", 500, 5_000_000), default=5_000)
    cal.add_argument(
        "--seeds",
        type=int_in("--seeds", 1, 100),
        default=2,
        help="replications per evaluation",
    )
    cal.add_argument("--years", type=float_in("--years", 1, 100), default=5.0)
    cal.add_argument(
        "--seed",
        type=int_in("--seed", 0, 2**31),
        default=0,
        help="the evaluations use seeds SEED+1 ... SEED+SEEDS (default 0: seeds 1, 2)",
    )
    cal.add_argument("--max-evals", type=int_in("--max-evals", 2, 100_000), default=60)
    cal.add_argument("--workers", type=int_in("--workers", 1, 1024), default=None)
    cal.add_argument(
        "--apply", action="store_true", help="make the fitted values the registry's defaults"
    )
    cal.add_argument("--out", type=Path, default=Path("results/calibration"))

    sub.add_parser("scenarios", help="list the scenario files")
    p = sub.add_parser("params", help="list the parameter registry")
    p.add_argument("--section", default=None)
    from sim import app_cli

    app_cli.add_parsers(sub)
    return ap


def parse_set(items: list[str]) -> dict:
    """Parse ``--set name=value`` into typed values (bool, number or string)."""
    out = {}
    for it in items:
        if "=" not in it:
            raise UserError(f"--set {it!r}: expected NAME=VALUE")
        k, v = it.split("=", 1)
        low = v.strip().lower()
        val: object
        from sim.params import REGISTRY

        if k.strip() in REGISTRY and REGISTRY[k.strip()].kind == "choice":
            val = v.strip()
        elif low in ("true", "false"):
            val = low == "true"
        else:
            try:
                val = int(v) if low.lstrip("-").isdigit() else float(v)
            except ValueError:
                val = v
        out[k.strip()] = val
    return out


def cmd_run(args) -> int:
    import json

    from sim import scenario as sc
    from sim.experiment import manifest, run_model, to_json, write_run

    scen = sc.load(args.scenario, extra=parse_set(args.set))
    warm = args.warmup_years if args.warmup_years is not None else DEFAULT_WARMUP_YEARS
    if args.scale == "national":
        return _run_national(args, scen, warm)
    if args.backend != "local" or args.scheduler:
        raise UserError("--backend and --scheduler apply to --scale national only")
    args.families = args.families or 20_000
    out = args.out or Path("results") / f"run-{scen.name}-s{args.seed}"
    _check_out(out)
    what = {
        "name": scen.name,
        "files": [str(f.path) for f in scen.files],
        "overrides": scen.overrides,
        "set": parse_set(args.set),
    }
    seeds = {"seed": args.seed}
    settings = {"families": args.families, "years": args.years, "warmup_years": warm}
    _claim_out(out, _run_identity("run", what, seeds, settings), args.replace)
    progress = sys.stderr.isatty()
    summary, weekly = run_model(
        scen.params,
        args.families,
        args.years,
        warm,
        args.seed,
        scen.name,
        check=args.check,
        progress=progress,
    )
    man = manifest("run", what, scen.params, seeds, {**settings, "check": args.check})
    write_run(out, summary, weekly, man)
    from sim.metrics import drift_note

    note = drift_note(summary)
    if note:
        print(note, file=sys.stderr)
    if args.json:
        sys.stdout.write(to_json(summary))
    else:
        s = summary
        print(
            f"{scen.name}: {s['families']} families, {s['children']} children, {s['weeks']} weeks measured"
        )
        print(f"  in care per year      {100 * s['children_in_care_share_per_year']:.1f}%")
        print(
            f"  specialist wait       mean {s['specialist_wait_weeks']['mean']:.1f} weeks, "
            f"p90 {s['specialist_wait_weeks']['p90']:.0f}"
        )
        print(
            f"  cost per year         EUR {s['cost_per_year_eur']['total'] / 1e6:.1f} M; "
            f"per child in care EUR {s['cost_per_child_in_care_eur']:,.0f}"
        )
        print(
            "  referrers             "
            + json.dumps({k: round(v, 3) for k, v in s["new_trajectories_by_referrer"].items()})
        )
        print(f"  invariant violations  {s['invariant_violations']}")
        print(f"results in {out}/")
    return 0


def _run_national(args, scen, warm: float) -> int:
    import time

    from sim import national
    from sim.compare import default_workers
    from sim.experiment import atomic_write_text, manifest, to_json

    if args.families is not None:
        raise UserError(
            "--families does not apply with --scale national (regions: 1.8 million families / 42)"
        )
    if args.check:
        raise UserError("--check is for single-region runs; run a region with --check instead")
    out = args.out or Path("results") / f"national-{scen.name}-s{args.seed}"
    _check_out(out)
    what = {"name": scen.name, "overrides": scen.overrides, "set": parse_set(args.set)}
    seeds = {"seed": args.seed, "scheme": "SeedSequence(seed, spawn_key=(region,)) per region"}
    settings = {"years": args.years, "warmup_years": warm}
    _claim_out(out, _run_identity("national", what, seeds, settings), args.replace)
    workers = args.workers or default_workers()
    client = cluster = executor = None
    if args.backend == "dask":
        from sim.sensitivity import dask_executor

        client, cluster, executor = dask_executor(args.scheduler, workers)
    t0 = time.perf_counter()
    try:
        summary, regions = national.run_national(
            scen.params, args.years, warm, args.seed, scen.name, executor=executor, workers=workers
        )
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    wall = time.perf_counter() - t0
    man = manifest(
        "national",
        what,
        scen.params,
        seeds,
        {
            **settings,
            "regions": national.N_REGIONS,
            "region_sizes": national.SIZE_NOTE,
            "backend": args.backend,
            "workers": workers,
            "wall_seconds": round(wall, 1),
        },
    )
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "summary.json", to_json(summary))
    atomic_write_text(out / "regions.csv", regions.to_csv(index=False))
    atomic_write_text(out / "manifest.json", to_json(man))
    if args.json:
        sys.stdout.write(to_json(summary))
    else:
        s = summary
        print(
            f"{scen.name}, national: {s['regions']} regions, {s['families']:,} families, {s['children']:,} "
            f"children, {wall:.0f} s on {workers} workers ({args.backend})"
        )
        print(
            f"  in care per year      {100 * s['children_in_care_share_per_year']:.1f}% "
            f"({s['children_in_care_per_year']:,.0f} children)"
        )
        print(f"  specialist wait       mean {s['specialist_wait_weeks']['mean']:.1f} weeks")
        print(f"  cost per year         EUR {s['cost_per_year_eur']['total'] / 1e9:.2f} bn")
        print(f"results in {out}/")
    return 0


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a directory")
    parent = out if out.exists() else out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"--out {out}: {parent} is a file, not a folder")
    import os

    if not os.access(parent, os.W_OK):
        raise UserError(f"--out {out}: not writable")


def _plain(value):
    """``value`` as it reads back from a manifest (JSON types)."""
    import json

    from sim.experiment import to_json

    return json.loads(to_json(value))


def _run_identity(kind: str, scenario: dict, seeds: dict, settings: dict) -> dict:
    """What a results folder of ``youthcare run`` holds (the manifest's fields that make a run
    another run), as the values read back from a manifest (JSON types)."""
    scenario, seeds, settings = _plain(scenario), _plain(seeds), _plain(settings)
    ident = {
        "kind": kind,
        "scenario": scenario.get("name"),
        "overrides": scenario.get("overrides", {}),
        "set": scenario.get("set", {}),
        "seed": seeds.get("seed"),
        "years": settings.get("years"),
        "warmup_years": settings.get("warmup_years"),
    }
    if kind == "run":
        ident["families"] = settings.get("families")
    return ident


def _claim_out(out: Path, identity: dict, replace: bool) -> None:
    """Make sure writing a run into ``out`` loses nothing, before the run starts.

    An empty or missing folder, or one holding the same run (same kind, scenario, seed, size
    and years: it is written again), is fine. A folder with another run stops with one line,
    unless ``replace``: then it is kept aside as ``OUT.previous`` and a fresh one is used. A
    folder without a youthcare manifest is never moved."""
    import json

    from sim.runstore import move_aside

    if not out.is_dir() or not any(out.iterdir()):
        return
    man_path = out / "manifest.json"
    held = None
    if man_path.is_file():
        try:
            man = json.loads(man_path.read_text(encoding="utf-8"))
        except (ValueError, OSError):  # not JSON, not UTF-8, unreadable
            man = None
        if (
            isinstance(man, dict)
            and man.get("kind") in ("run", "national")
            and isinstance(man.get("settings"), dict)
            and isinstance(man.get("seeds"), dict)
            and isinstance(man.get("scenario"), dict)
        ):
            held = _run_identity(man["kind"], man["scenario"], man["seeds"], man["settings"])
    if held == identity:
        return
    if held is None:  # not a results folder of ours: never moved, even with --replace
        raise UserError(
            f"--out {out}: holds files that are not youthcare results; use another (or empty) --out"
        )
    differ = sorted(k for k in identity if identity[k] != held.get(k))
    if replace:
        here = Path.cwd().resolve()
        target = out.resolve()
        if target == here or target in here.parents:
            raise UserError(
                f"--out {out}: is the current folder or contains it, so it cannot be kept aside; "
                "run from elsewhere or use another --out"
            )
        aside = move_aside(target)
        print(f"--replace: the earlier results in {out} were kept as {aside}", file=sys.stderr)
        return
    raise UserError(
        f"--out {out}: already holds a {held['kind']} of {held['scenario']} (seed {held['seed']}; "
        f"differs in: {', '.join(differ)}); use another --out, the same arguments, or --replace "
        f"(keeps it as {out.name}.previous)"
    )


def cmd_compare(args) -> int:
    from sim import compare as cp

    if args.replications is None and args.precision is None:
        args.replications = 10
    names = [cp.load(s).name for s in args.scenarios]  # validates every scenario first
    settings = cp.CompareSettings(
        scenarios=args.scenarios,
        replications=args.replications,
        precision=args.precision,
        families=args.families,
        years=args.years,
        warmup_years=args.warmup_years if args.warmup_years is not None else DEFAULT_WARMUP_YEARS,
        seed=args.seed,
        workers=args.workers or cp.default_workers(),
        wtp=args.wtp,
        discount_costs=args.discount_costs,
        discount_effects=args.discount_effects,
        parameter_uncertainty=not args.no_parameter_uncertainty,
    )
    out = (
        args.out
        or Path("results") / ("compare-" + "-vs-".join(n.replace("+", "_") for n in names))[:120]
    )
    _check_out(out)
    try:
        cmp = cp.Comparison(
            settings, out, replace=args.replace
        )  # a scenario listed twice: ManifestMismatch
        runs = cmp.run()
        if cmp.store.moved_to is not None:
            print(
                f"--replace: the earlier results in {out} were kept as {cmp.store.moved_to}",
                file=sys.stderr,
            )
    except cp.ManifestMismatch as e:
        raise UserError(str(e)) from None
    paths = cp.write_outputs(cmp, runs)
    table = cp.comparison_table(runs, names)
    ce, _ = cp.cost_effectiveness(runs, names, settings.wtp)
    print(
        f"{len(names)} scenarios x {cmp.R} replications, {settings.families} families, {settings.years:g} years "
        f"(+{settings.warmup_years:g} warm-up), seed {settings.seed}"
    )
    print(cmp.why_r)
    print()
    print(cp.format_table(table, ce, names, settings.wtp))
    note = cp.drifting_note(runs, names)
    if note:
        print(note)
    print()
    print(f"results in {out}/:")
    for k in sorted(paths):
        print(f"  {paths[k]}")
    return 0


def cmd_sensitivity(args) -> int:
    import time

    from sim import sensitivity as sa
    from sim.compare import default_workers
    from sim.runstore import KeyMismatch
    from sim.scenario import load

    if args.method == "morris" and args.second_order:
        raise UserError("--second-order is for --method sobol only")
    n = args.n or (10 if args.method == "morris" else 64)
    if args.method == "sobol" and n & (n - 1):
        raise UserError(f"--n {n}: Sobol needs a power of 2 (e.g. 64, 128, 256)")
    if args.method == "sobol" and not (args.params or args.group):
        raise UserError(
            "--method sobol needs --params or --group (screen with --method morris first)"
        )
    if args.backend == "local" and args.scheduler:
        raise UserError("--scheduler needs --backend dask")
    names = sa.select_parameters(args.params, args.group)
    load(args.scenario)
    settings = sa.SensitivitySettings(
        method=args.method,
        params=names,
        n=n,
        second_order=args.second_order,
        scenario=args.scenario,
        families=args.families,
        years=args.years,
        warmup_years=args.warmup_years if args.warmup_years is not None else DEFAULT_WARMUP_YEARS,
        seed=args.seed,
    )
    out = (
        args.out or Path("results") / f"sensitivity-{args.method}-{args.scenario.replace('+', '_')}"
    )
    _check_out(out)
    workers = args.workers or default_workers()
    client = cluster = executor = None
    if args.backend == "dask":
        client, cluster, executor = sa.dask_executor(args.scheduler, workers)
    t0 = time.perf_counter()
    try:
        study = sa.Sensitivity(settings, out, executor=executor, workers=workers)
        study.store.open()  # a folder made by another command stops here, before any output
        print(
            f"{args.method}: {len(names)} parameters, {len(study.X)} runs of '{args.scenario}' "
            f"({args.families} families, {args.years:g} years), backend {args.backend}",
            file=sys.stderr,
        )
        Y = study.run()
    except KeyMismatch as e:
        raise UserError(str(e)) from None
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    wall = time.perf_counter() - t0
    indices = study.analyse(Y)
    paths = sa.write_outputs(study, Y, indices, {"backend": args.backend, "workers": workers})
    print(f"{len(study.X)} runs in {wall:.1f} s")
    top = indices[indices["index"] == ("mu_star" if args.method == "morris" else "ST")]
    for col in sa.OUTPUTS:
        d = top[top["output"] == col].sort_values("value", ascending=False).head(3)
        print(f"  {col}: " + ", ".join(f"{r.parameter} {r.value:.3g}" for r in d.itertuples()))
    if args.method == "sobol":
        for line in sa.ci_verdicts(indices):
            print("  " + line)
    print(
        f"results in {out}/: "
        + ", ".join(sorted(str(k) for k in paths if not str(k).endswith(".svg")))
    )
    return 0


def cmd_validate(args) -> int:
    import pandas as pd

    from sim import validation as val
    from sim.compare import default_workers
    from sim.experiment import atomic_write_text, manifest, to_json
    from sim.scenario import load

    _check_out(args.out)
    st = val.Settings(
        families=args.families,
        years=args.years,
        warmup_years=args.warmup_years if args.warmup_years is not None else DEFAULT_WARMUP_YEARS,
        seed=args.seed,
    )
    checks, target_runs = val.run_validation(
        st,
        workers=args.workers or default_workers(),
        progress=lambda msg: print(msg, file=sys.stderr),
        replications=args.replications,
    )
    for c in checks:
        print(c.line())
    failed = [c for c in checks if not c.passed]
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(
        args.out / "checks.csv", pd.DataFrame(val.as_rows(checks)).to_csv(index=False)
    )
    atomic_write_text(
        args.out / "manifest.json",
        to_json(
            manifest(
                "validate",
                {"name": "baseline and the scenarios the checks need"},
                load("baseline").params,
                {"seeds": list(range(args.seed, args.seed + args.replications))},
                {"families": st.families, "years": st.years, "warmup_years": st.warmup_years},
            )
        ),
    )
    from sim.plots import validation_figures

    figs = validation_figures(checks, target_runs, args.out)
    kinds = {
        k: sum(1 for c in checks if c.kind == k) for k in ("calibration", "validation", "queueing")
    }
    print(
        f"{len(checks) - len(failed)} passed, {len(failed)} failed "
        f"({kinds['calibration']} calibration, {kinds['validation']} validation, {kinds['queueing']} queueing); "
        f"table in {args.out / 'checks.csv'}; figures: "
        + ", ".join(str(p) for k, p in figs.items() if str(k).endswith(".png"))
    )
    return 1 if failed else 0


def cmd_calibrate(args) -> int:
    import shutil

    import pandas as pd

    from sim import calibration as cb
    from sim.compare import default_workers
    from sim.experiment import atomic_write_text, manifest, to_json
    from sim.scenario import load

    _check_out(args.out)
    args.out.mkdir(parents=True, exist_ok=True)  # before the fit: a bad --out fails at once
    seeds = tuple(range(args.seed + 1, args.seed + args.seeds + 1))
    fitted, rows, history = cb.calibrate(
        args.families,
        seeds,
        args.years,
        DEFAULT_WARMUP_YEARS,
        args.max_evals,
        args.workers or default_workers(),
        progress=True if sys.stderr.isatty() else "lines",
    )
    meta = {
        "command": "youthcare calibrate "
        + f"--families {args.families} --seeds {args.seeds} --seed {args.seed} "
        + f"--years {args.years:g} --max-evals {args.max_evals}",
        "families": args.families,
        "seeds": list(seeds),
        "years": args.years,
        "max_evals": args.max_evals,
        "loss": round(cb.loss(rows), 4),
    }
    atomic_write_text(args.out / "calibrated.toml", cb.calibrated_toml(fitted, meta))
    atomic_write_text(args.out / "fit.csv", pd.DataFrame(rows).to_csv(index=False))
    atomic_write_text(args.out / "history.csv", pd.DataFrame(history).to_csv(index=False))
    atomic_write_text(
        args.out / "manifest.json",
        to_json(
            manifest(
                "calibrate",
                {"name": "baseline"},
                load("baseline").params,
                {"seeds": list(seeds)},
                meta,
            )
        ),
    )
    print(cb.markdown(rows))
    print(
        f"loss {cb.loss(rows):.4f} after {len(history)} evaluations; values in {args.out / 'calibrated.toml'}"
    )
    if args.apply:
        shutil.copyfile(args.out / "calibrated.toml", cb.CALIBRATED_FILE)
        print(
            f"applied: {cb.CALIBRATED_FILE} now sets the registry's defaults for {len(fitted)} parameters"
        )
    return 0


def cmd_scenarios(args) -> int:
    from sim.scenario import list_scenarios

    for f in list_scenarios():
        print(f"{f.name:34s} {f.kind:13s} {f.title}")
    return 0


def cmd_params(args) -> int:
    from sim.params import REGISTRY

    for p in REGISTRY.values():
        if args.section and p.section != args.section:
            continue
        print(f"{p.name:48s} {str(p.default):>10s} {p.unit:24s} {p.source}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "compare": cmd_compare,
    "sensitivity": cmd_sensitivity,
    "validate": cmd_validate,
    "calibrate": cmd_calibrate,
    "scenarios": cmd_scenarios,
    "params": cmd_params,
}


def _app_commands() -> dict:
    from sim.app_cli import COMMANDS as APP_COMMANDS

    return APP_COMMANDS


COMMANDS.update(_app_commands())


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ScenarioError, ParameterError, UserError) as e:
        sys.stderr.write(f"youthcare {args.command}: error: {e}\n")
        return EXIT_USAGE
    except OSError as e:  # e.g. a results folder that cannot be made (/proc/x), a scheduler away
        where = f"{e.filename}: " if e.filename else ""
        sys.stderr.write(f"youthcare {args.command}: error: {where}{e.strerror or e}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("youthcare: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
