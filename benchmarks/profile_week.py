"""Where a week's time goes: every compiled kernel called from Python, timed per week.

Wraps each numba dispatcher of the engine's modules (in every module that imported it), steps a
region past a warm-up, and prints microseconds and calls per week for each kernel, and the rest
(Python and numpy between the kernels). A kernel's time includes the kernels it calls itself.

    .venv/bin/python benchmarks/profile_week.py [--families 20000] [--weeks 300] [--scenario baseline]

With ``--perf-map``, the process also writes ``/tmp/perf-PID.map`` (the entry address of every
compiled kernel, and NRT_incref / NRT_decref) and waits for Enter before stepping, so that
``perf record -p PID`` or ``perf top -p PID`` names the kernels and shows the reference counting
(Linux perf; the map is approximate: code between two entries counts for the first).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numba  # noqa: E402

from sim.model import YouthCareModel  # noqa: E402
from sim.scenario import load  # noqa: E402

MODULES = [
    "sim.care",
    "sim.routing",
    "sim.signalling",
    "sim.unmet",
    "sim.population",
    "sim.model",
    "sim.metrics",
    "sim.funding",
    "sim.queues",
    "sim.collaboration",
    "sim.invariants",
    "sim.rng",
    "sim.context",
    "sim.buffers",
]


def wrap_kernels(times: dict, calls: dict) -> None:
    """Replace every dispatcher in MODULES (wherever imported) by a timing wrapper."""
    mods = [importlib.import_module(m) for m in MODULES]
    for mod in mods:
        for name, obj in list(vars(mod).items()):
            if not isinstance(obj, numba.core.registry.CPUDispatcher):
                continue
            key = f"{obj.py_func.__module__}.{name}"

            def timed(*a, _f=obj, _k=key, **kw):
                t = time.perf_counter()
                out = _f(*a, **kw)
                times[_k] += time.perf_counter() - t
                calls[_k] += 1
                return out

            for other in mods:
                if getattr(other, name, None) is obj:
                    setattr(other, name, timed)


def write_perf_map() -> Path:
    """``/tmp/perf-PID.map``: the entry of each compiled kernel, for Linux perf."""
    from numba.core.runtime import nrt

    syms = {}
    for obj in gc.get_objects():
        if isinstance(obj, numba.core.registry.CPUDispatcher):
            for cres in obj.overloads.values():
                try:
                    addr = cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name)
                except Exception:  # a kernel loaded without its symbol table
                    continue
                if addr:
                    syms[addr] = f"{obj.py_func.__module__}.{obj.py_func.__qualname__}"
    for name in ("NRT_incref", "NRT_decref"):
        syms[nrt.rtsys.library.get_pointer_to_function(name)] = name
    addrs = sorted(syms)
    path = Path(f"/tmp/perf-{os.getpid()}.map")
    with open(path, "w") as f:
        for a, b in zip(addrs, [*addrs[1:], addrs[-1] + 4096], strict=True):
            f.write(f"{a:x} {min(b - a, 1 << 20):x} {syms[a]}\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", type=int, default=20000)
    ap.add_argument("--weeks", type=int, default=300, help="weeks timed")
    ap.add_argument("--warm-weeks", type=int, default=50, help="weeks stepped before timing")
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--perf-map", action="store_true")
    a = ap.parse_args()
    times: dict = defaultdict(float)
    calls: dict = defaultdict(int)
    params = load(a.scenario).params
    # Compile first: a kernel compiled after the wrapping would find a wrapper, not a kernel,
    # among its globals.
    small = YouthCareModel(params, families=2000, years=2, warmup_years=0.5, seed=a.seed)
    small.run()
    if not a.perf_map:
        wrap_kernels(times, calls)
    m = YouthCareModel(params, families=a.families, years=10, seed=a.seed)
    for _ in range(a.warm_weeks):
        m.step()
    if a.perf_map:
        print(f"perf map: {write_perf_map()}; pid {os.getpid()}; Enter to step", file=sys.stderr)
        input()
    times.clear()
    calls.clear()
    t0 = time.perf_counter()
    for _ in range(a.weeks):
        m.step()
    week = (time.perf_counter() - t0) / a.weeks * 1e6
    if a.perf_map:
        print(f"{week:.0f} us per week")
        return
    in_kernels = sum(times.values()) / a.weeks * 1e6
    print(f"{a.scenario}, {a.families:,} families, {a.weeks} weeks after {a.warm_weeks}:")
    print(
        f"  {week:7.0f} us per week: kernels called from Python {in_kernels:.0f}, rest {week - in_kernels:.0f}"
    )
    for k, v in sorted(times.items(), key=lambda kv: -kv[1])[: a.top]:
        print(f"  {v / a.weeks * 1e6:7.1f} us/week {calls[k] / a.weeks:5.1f} calls/week  {k}")
    print("Timings are reported, never asserted; the wrappers add about 1 us per call.")


if __name__ == "__main__":
    main()
