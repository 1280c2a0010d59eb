#!/usr/bin/env python
"""Engine benchmark for the youth-care simulation (DESIGN.md §4 and §6).

Measures, in one process:

1. Region: ``YouthCareModel(families=20000, years=10, warmup_years=3, seed=1)``; construction and
   engine (``m.run()``) wall time separately, with ``check=False`` and ``check=True``, best and median
   of several repeats, and ns per family-week (= engine time / (families * m.total_weeks)).
2. Peak memory (``resource.getrusage`` ru_maxrss of this process, and of its children for the pool).
3. The whole country: 1.8 million families as 42 youth-care regions of equal size, run on a
   ``ProcessPoolExecutor(max_workers=2)``; each worker calls ``sim.experiment.run_model`` with a seed
   spawned per region from one ``numpy.random.SeedSequence``; a few national figures are aggregated.
4. The cost of an empty Mesa agent step (``shuffle_do("step")`` and ``do("step")`` on 10,000
   agents whose ``step()`` does nothing), for comparison with the column-based engine.
5. The targets beside the figures. Timings are reported, never asserted.

Run from the repository root:

    .venv/bin/python benchmarks/bench_engine.py --quick          # smoke version, < 30 s
    .venv/bin/python benchmarks/bench_engine.py --skip-national  # region + Mesa only
    .venv/bin/python benchmarks/bench_engine.py                  # everything (country takes minutes)

Figures are printed as a table and written as JSON to ``--out``
(default ``results/benchmarks/engine.json``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # allow running as a plain script from anywhere
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

# Targets from DESIGN.md §6 (reported beside the figures, never asserted).
TARGET_REGION_ENGINE_S = 0.3
TARGET_COUNTRY_WALL_S = 60.0
TARGET_COUNTRY_WORKERS = 2
TARGET_COUNTRY_MEMORY_GB = 4.0

COUNTRY_FAMILIES = 1_800_000
COUNTRY_REGIONS = 42
COUNTRY_ASSUMPTION = (
    f"the country's {COUNTRY_FAMILIES:,} families split into {COUNTRY_REGIONS} youth-care regions "
    f"of equal size ({COUNTRY_FAMILIES / COUNTRY_REGIONS:,.0f} families each; remainder spread one "
    "family per region); real regions differ in size"
)


# -- helpers -------------------------------------------------------------------------------------
def _maxrss_bytes(who: int) -> int:
    """ru_maxrss in bytes (Linux reports KiB, macOS bytes)."""
    v = resource.getrusage(who).ru_maxrss
    return int(v) if sys.platform == "darwin" else int(v) * 1024


def _mb(b: float | None) -> float | None:
    return None if b is None else b / 2**20


def _ns_per_fw(seconds: float, families: int, weeks: int) -> float:
    return seconds * 1e9 / (families * weeks)


def _stats(xs: list[float]) -> dict:
    return {"best": min(xs), "median": statistics.median(xs), "all": list(xs)}


class TreeRssSampler:
    """Polls /proc for the summed RSS of this process and all its descendants (Linux only).

    ru_maxrss of RUSAGE_CHILDREN is the peak of the *largest single* child, not the sum of the
    workers running at the same time; this sampler gives the concurrent total.
    """

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peak = 0
        self.available = Path("/proc/self/status").exists()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _rss_and_ppid(pid: int) -> tuple[int, int]:
        rss, ppid = 0, -1
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("PPid:"):
                    ppid = int(line.split()[1])
        return rss, ppid

    def sample(self) -> int:
        me = os.getpid()
        info: dict[int, tuple[int, int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    info[int(d)] = self._rss_and_ppid(int(d))
                except (OSError, ValueError):
                    pass
        children: dict[int, list[int]] = {}
        for pid, (_, ppid) in info.items():
            children.setdefault(ppid, []).append(pid)
        total, todo = 0, [me]
        while todo:
            pid = todo.pop()
            total += info.get(pid, (0, 0))[0]
            todo.extend(children.get(pid, []))
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.sample())
            except OSError:
                pass
            self._stop.wait(self.interval)

    def __enter__(self):
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.available:
            self._stop.set()
            self._thread.join()


# -- 4. empty Mesa agent step --------------------------------------------------------------------
def bench_mesa(n_agents: int, repeats: int) -> dict:
    import mesa

    class Noop(mesa.Agent):
        def step(self):
            pass

    model = mesa.Model(rng=1)
    for _ in range(n_agents):
        Noop(model)
    out = {"agents": n_agents, "repeats": repeats, "mesa_version": mesa.__version__}
    for method in ("shuffle_do", "do"):
        fn = getattr(model.agents, method)
        fn("step")  # warm-up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn("step")
            times.append(time.perf_counter() - t0)
        out[method] = {
            "seconds": _stats(times),
            "ns_per_agent_step": _stats([t * 1e9 / n_agents for t in times]),
        }
    return out


# -- 1./2. one region ----------------------------------------------------------------------------
def bench_region(families: int, years: float, warmup: float, seed: int, repeats: int) -> dict:
    from sim.model import YouthCareModel

    out: dict = {
        "families": families,
        "years": years,
        "warmup_years": warmup,
        "seed": seed,
        "repeats": repeats,
        "maxrss_self_before_mb": _mb(_maxrss_bytes(resource.RUSAGE_SELF)),
    }
    for check in (False, True):
        build, engine, violations = [], [], []
        weeks = children = None
        for r in range(repeats):
            gc.collect()
            t0 = time.perf_counter()
            m = YouthCareModel(
                families=families, years=years, warmup_years=warmup, seed=seed, check=check
            )
            t1 = time.perf_counter()
            summary = m.run()
            t2 = time.perf_counter()
            build.append(t1 - t0)
            engine.append(t2 - t1)
            weeks, children = int(m.total_weeks), int(m.children.n)
            violations.append(int(summary["invariant_violations"]))
            print(
                f"  region check={check!s:5} repeat {r + 1}/{repeats}: build {t1 - t0:.3f} s, "
                f"engine {t2 - t1:.3f} s",
                file=sys.stderr,
                flush=True,
            )
            del m, summary
        out[f"check_{str(check).lower()}"] = {
            "total_weeks": weeks,
            "children": children,
            "construction_s": _stats(build),
            "engine_s": _stats(engine),
            "ns_per_family_week": _stats([_ns_per_fw(t, families, weeks) for t in engine]),
            "invariant_violations": violations,
        }
    out["maxrss_self_after_mb"] = _mb(_maxrss_bytes(resource.RUSAGE_SELF))
    return out


# -- 3. the country ------------------------------------------------------------------------------
def _region_task(
    index: int,
    families: int,
    years: float,
    warmup: float,
    seed: np.random.SeedSequence,
    scenario_name: str,
) -> dict:
    """Worker: one region through sim.experiment.run_model; returns its summary and timing."""
    from sim.experiment import run_model
    from sim.params import Params

    t0 = time.perf_counter()
    summary, weekly = run_model(Params(), families, years, warmup, seed, scenario_name)
    elapsed = time.perf_counter() - t0
    return {
        "region": index,
        "seconds": elapsed,
        "pid": os.getpid(),
        "total_weeks": int(len(weekly)),
        "summary": summary,
    }


def region_sizes(total: int, regions: int) -> list[int]:
    base, rest = divmod(total, regions)
    return [base + (1 if i < rest else 0) for i in range(regions)]


def bench_national(
    total_families: int,
    n_regions_run: int,
    years: float,
    warmup: float,
    seed: int,
    workers: int,
    mp_context: str,
) -> dict:
    sizes_all = region_sizes(total_families, COUNTRY_REGIONS)
    n_run = max(1, min(n_regions_run, COUNTRY_REGIONS))
    sizes = sizes_all[:n_run]
    seeds = np.random.SeedSequence(seed).spawn(COUNTRY_REGIONS)[:n_run]
    children_rss_before = _maxrss_bytes(resource.RUSAGE_CHILDREN)
    results = []
    ctx = multiprocessing.get_context(mp_context)
    sampler = TreeRssSampler()
    with sampler:
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
            futs = [
                ex.submit(_region_task, i, sizes[i], years, warmup, seeds[i], "baseline")
                for i in range(n_run)
            ]
            for done, f in enumerate(as_completed(futs), 1):
                res = f.result()
                results.append(res)
                print(
                    f"  country: region {res['region']:2d} done in {res['seconds']:.2f} s "
                    f"({done}/{n_run}, {time.perf_counter() - t0:.1f} s elapsed)",
                    file=sys.stderr,
                    flush=True,
                )
        wall = time.perf_counter() - t0  # includes pool start-up and shutdown (workers joined)
    results.sort(key=lambda r: r["region"])
    weeks = results[0]["total_weeks"]
    fam_run = sum(sizes)
    summ = [r["summary"] for r in results]
    kids = np.array([s["children"] for s in summ], dtype=float)
    share = np.array([s["children_in_care_share_per_year"] for s in summ])
    spec = np.array([s["children_in_specialist_care_share_per_year"] for s in summ])
    cost = np.array([s["cost_per_year_eur"]["total"] for s in summ])
    children_rss = _maxrss_bytes(resource.RUSAGE_CHILDREN)
    complete = n_run == COUNTRY_REGIONS and total_families == COUNTRY_FAMILIES
    return {
        "assumption": COUNTRY_ASSUMPTION,
        "complete_country": complete,
        "regions_total": COUNTRY_REGIONS,
        "regions_run": n_run,
        "families_country": total_families,
        "families_run": fam_run,
        "families_per_region": sorted(set(sizes)),
        "years": years,
        "warmup_years": warmup,
        "total_weeks": weeks,
        "workers": workers,
        "mp_context": mp_context,
        "root_seed": seed,
        "seed_note": "np.random.SeedSequence(root_seed).spawn(42)[i] for region i",
        "wall_s": wall,
        "ns_per_family_week": _ns_per_fw(wall, fam_run, weeks),
        "worker_seconds_sum": float(sum(r["seconds"] for r in results)),
        "worker_seconds_per_region": [r["seconds"] for r in results],
        "worker_pids": sorted({r["pid"] for r in results}),
        "peak_rss_children_max_single_mb": _mb(children_rss),
        "peak_rss_children_before_mb": _mb(children_rss_before),
        "peak_rss_tree_sampled_mb": _mb(sampler.peak) if sampler.available else None,
        "peak_rss_bound_mb": _mb(_maxrss_bytes(resource.RUSAGE_SELF) + workers * children_rss),
        "national": {
            "children": int(kids.sum()),
            "children_in_care_share_per_year": float((share * kids).sum() / kids.sum()),
            "children_in_specialist_care_share_per_year": float((spec * kids).sum() / kids.sum()),
            "cost_per_year_eur_total": float(cost.sum()),
            "note": "sums over the regions that ran; shares weighted by children"
            + ("" if complete else " (SUBSET, not the whole country)"),
        },
        "invariant_violations": int(sum(s["invariant_violations"] for s in summ)),
    }


# -- output --------------------------------------------------------------------------------------
def _row(rows: list, label: str, value: str, target: str = "", verdict: str = "") -> None:
    rows.append((label, value, target, verdict))


def _verdict(x: float | None, limit: float) -> str:
    if x is None:
        return ""
    return "meets" if x <= limit else f"MISSES (x{x / limit:.1f})"


def render(res: dict) -> str:
    rows: list = []
    if "mesa" in res:
        mz = res["mesa"]
        for meth in ("shuffle_do", "do"):
            s = mz[meth]["ns_per_agent_step"]
            _row(
                rows,
                f"Mesa empty step, {meth} ({mz['agents']:,} agents)",
                f"best {s['best']:.0f} / median {s['median']:.0f} ns per agent-step",
            )
    if "region" in res:
        rg = res["region"]
        at_spec = (rg["families"], rg["years"], rg["warmup_years"]) == (20_000, 10, 3)
        _row(
            rows,
            f"Region: {rg['families']:,} families, {rg['years']} y + {rg['warmup_years']} y "
            f"warm-up, seed {rg['seed']}",
            f"{rg['repeats']} repeats each",
        )
        for key, name in (("check_false", "check=False"), ("check_true", "check=True")):
            r = rg[key]
            e, b, ns = r["engine_s"], r["construction_s"], r["ns_per_family_week"]
            _row(
                rows,
                f"  engine {name} ({r['total_weeks']} weeks)",
                f"best {e['best']:.3f} s / median {e['median']:.3f} s",
                f"<= {TARGET_REGION_ENGINE_S} s (20k fam, 10+3 y)",
                _verdict(e["best"], TARGET_REGION_ENGINE_S) if at_spec else "n/a (other size)",
            )
            _row(
                rows,
                f"  ns per family-week {name}",
                f"best {ns['best']:.0f} / median {ns['median']:.0f}",
            )
            _row(
                rows,
                f"  construction {name}",
                f"best {b['best']:.3f} s / median {b['median']:.3f} s",
            )
        _row(
            rows,
            "  peak RSS of this process (ru_maxrss)",
            f"{rg['maxrss_self_after_mb']:.0f} MB (before region: "
            f"{rg['maxrss_self_before_mb']:.0f} MB)",
        )
        if "mesa" in res:
            fw = rg["families"] * rg["check_false"]["total_weeks"]
            ns = res["mesa"]["do"]["ns_per_agent_step"]["best"]
            _row(
                rows,
                "  (same region with one empty Mesa step per family-week)",
                f"{ns * fw / 1e9:.2f} s before any work",
            )
    if "national" in res:
        nt = res["national"]
        subset = "" if nt["complete_country"] else "  [SUBSET - NOT THE WHOLE COUNTRY]"
        _row(
            rows,
            f"Country: {nt['regions_run']} of {nt['regions_total']} regions, "
            f"{nt['families_run']:,} families{subset}",
            f"{nt['years']} y + {nt['warmup_years']} y warm-up, {nt['workers']} workers "
            f"({nt['mp_context']})",
        )
        target_ok = (
            nt["complete_country"]
            and nt["workers"] == TARGET_COUNTRY_WORKERS
            and (nt["years"], nt["warmup_years"]) == (10, 3)
        )
        na_why = "n/a (subset)" if not nt["complete_country"] else "n/a (other settings)"
        _row(
            rows,
            "  wall time (measured, pool start to shutdown)",
            f"{nt['wall_s']:.1f} s",
            f"<= {TARGET_COUNTRY_WALL_S:.0f} s on 2 cores",
            _verdict(nt["wall_s"], TARGET_COUNTRY_WALL_S) if target_ok else na_why,
        )
        _row(rows, "  ns per family-week (wall)", f"{nt['ns_per_family_week']:.0f}")
        _row(rows, "  worker time summed over regions", f"{nt['worker_seconds_sum']:.1f} s")
        _row(
            rows,
            "  peak RSS, largest child (RUSAGE_CHILDREN)",
            f"{nt['peak_rss_children_max_single_mb']:.0f} MB",
        )
        tree = nt["peak_rss_tree_sampled_mb"]
        if tree is not None:
            _row(
                rows,
                "  peak RSS, parent + all workers (sampled /proc)",
                f"{tree:.0f} MB",
                f"<= {TARGET_COUNTRY_MEMORY_GB:.0f} GB",
                _verdict(tree / 1024, TARGET_COUNTRY_MEMORY_GB) if target_ok else na_why,
            )
        _row(
            rows,
            "  peak RSS bound (parent + workers x largest child)",
            f"{nt['peak_rss_bound_mb']:.0f} MB",
        )
        na = nt["national"]
        _row(rows, "  children (sum)", f"{na['children']:,}")
        _row(
            rows,
            "  children in care per year (weighted share)",
            f"{na['children_in_care_share_per_year']:.2%}",
        )
        _row(
            rows,
            "  invariant violations (check=False, so 0 expected)",
            f"{nt['invariant_violations']}",
        )
        _row(
            rows, "  total cost per year (sum)", f"EUR {na['cost_per_year_eur_total'] / 1e9:.3f} bn"
        )
    w = [max(len(r[i]) for r in rows + [("Measure", "Figure", "Target", "")]) for i in range(4)]
    line = lambda r: "  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip()  # noqa: E731
    out = [line(("Measure", "Figure", "Target", "")), "-" * (sum(w) + 6)]
    out += [line(r) for r in rows]
    notes = []
    if "national" in res:
        notes.append(f"Assumption: {res['national']['assumption']}.")
        if not res["national"]["complete_country"]:
            notes.append(
                "The country figures are for the subset that ran; they are not scaled up "
                "and do not measure the whole-country target."
            )
    if res.get("quick"):
        notes.append(
            "--quick: smoke sizes, not the DESIGN §6 benchmark sizes; verdicts are not meaningful."
        )
    notes.append("Timings are reported, never asserted.")
    return "\n".join(out + [""] + notes)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _environment() -> dict:
    from importlib import metadata

    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    for pkg in ("numpy", "mesa"):
        try:
            env[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        env["commit"] = (head or "unknown") + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        env["commit"] = "unknown"
    return env


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small smoke version (< 30 s): small region, 2 small regions for the "
        "country part, fewer repeats",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=Path("results/benchmarks/engine.json"),
        help="JSON output path (default: %(default)s)",
    )
    ap.add_argument("--families", type=int, help="region size (default 20000; quick 2000)")
    ap.add_argument("--years", type=float, help="measured years (default 10; quick 2)")
    ap.add_argument("--warmup-years", type=float, help="warm-up years (default 3; quick 1)")
    ap.add_argument("--seed", type=int, default=1, help="region seed and country root seed")
    ap.add_argument("--repeats", type=int, help="region repeats per setting (default 3; quick 2)")
    ap.add_argument("--skip-region", action="store_true", help="skip the region benchmark")
    ap.add_argument("--skip-national", action="store_true", help="skip the whole-country benchmark")
    ap.add_argument("--skip-mesa", action="store_true", help="skip the empty Mesa step benchmark")
    ap.add_argument(
        "--national-regions",
        type=int,
        help="run only the first N of the 42 regions (reported as a subset)",
    )
    ap.add_argument(
        "--national-families",
        type=int,
        help=f"country size in families (default {COUNTRY_FAMILIES:,}; quick 84,000)",
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=TARGET_COUNTRY_WORKERS,
        help="process-pool workers for the country (default %(default)s)",
    )
    ap.add_argument(
        "--mp-context",
        default="spawn",
        choices=("spawn", "fork", "forkserver"),
        help="start method of the pool (default spawn: clean workers that are direct "
        "children, so RUSAGE_CHILDREN sees them)",
    )
    ap.add_argument("--mesa-agents", type=int, default=10_000)
    ap.add_argument("--mesa-repeats", type=int, help="default 20; quick 5")
    a = ap.parse_args(argv)

    q = a.quick
    families = a.families or (2_000 if q else 20_000)
    years = a.years if a.years is not None else (2.0 if q else 10.0)
    warmup = a.warmup_years if a.warmup_years is not None else (1.0 if q else 3.0)
    repeats = a.repeats or (2 if q else 3)
    nat_fam = a.national_families or (84_000 if q else COUNTRY_FAMILIES)
    nat_regions = a.national_regions or (2 if q else COUNTRY_REGIONS)
    mesa_repeats = a.mesa_repeats or (5 if q else 20)

    res: dict = {
        "benchmark": "engine",
        "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "command": [sys.executable] + (sys.argv if argv is None else ["bench_engine.py"] + argv),
        "quick": q,
        "targets": {
            "region_engine_s": TARGET_REGION_ENGINE_S,
            "country_wall_s": TARGET_COUNTRY_WALL_S,
            "country_workers": TARGET_COUNTRY_WORKERS,
            "country_memory_gb": TARGET_COUNTRY_MEMORY_GB,
        },
    }
    # The country goes first: its workers are spawned from a process that has not yet built a
    # region, and RUSAGE_CHILDREN is not polluted by other children.
    if not a.skip_national:
        print(
            f"country: {nat_regions} of {COUNTRY_REGIONS} regions, {a.workers} workers ...",
            file=sys.stderr,
            flush=True,
        )
        res["national"] = bench_national(
            nat_fam, nat_regions, years, warmup, a.seed, a.workers, a.mp_context
        )
    if not a.skip_mesa:
        print("mesa empty step ...", file=sys.stderr, flush=True)
        res["mesa"] = bench_mesa(a.mesa_agents, mesa_repeats)
    if not a.skip_region:
        print(f"region: {families:,} families ...", file=sys.stderr, flush=True)
        res["region"] = bench_region(families, years, warmup, a.seed, repeats)
    res["maxrss_self_mb"] = _mb(_maxrss_bytes(resource.RUSAGE_SELF))
    res["environment"] = _environment()
    res["finished"] = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")

    print(render(res))
    _atomic_write(a.out, json.dumps(res, indent=2) + "\n")
    print(f"\nwrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
