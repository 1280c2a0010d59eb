#!/usr/bin/env python
"""Live benchmark of the workshop app (DESIGN §6, issue "workshop app": at least 10 simulated weeks
per second at 5,000 families with the page open, redrawing at least twice a second).

Starts ``youthcare app`` (``python -m sim.app_cli app``) on a free localhost port, opens the page in
Debian's chromium through Playwright (no internet: the same harness as the browser test,
``tests/browser/harness.py``), and for each speed plays for ``--seconds`` and counts, in the
browser, the new images of the picture and of each chart (a new image is a new ``src``). Reports
simulated weeks per second and redraws per second beside the targets; writes JSON to ``--out``
(default ``results/benchmarks/app.json``). Never fails on a timing; exit 1 only if the app or the
browser cannot run.

    .venv/bin/python benchmarks/bench_app.py                  # speeds 10 and max, 20 s each
    .venv/bin/python benchmarks/bench_app.py --speeds max --seconds 10
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "browser"))

from harness import AppError, app_server, offline_page, play_and_count, wait_loaded  # noqa: E402

TARGET_WEEKS_PER_S = 10.0
TARGET_REDRAWS_PER_S = 2.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", type=int, default=5000)
    ap.add_argument("--speeds", nargs="+", default=["10", "max"], help="speed buttons to play at")
    ap.add_argument("--seconds", type=float, default=20.0, help="seconds of play per speed")
    ap.add_argument("--out", type=Path, default=REPO / "results" / "benchmarks" / "app.json")
    a = ap.parse_args(argv)
    if shutil.which("chromium") is None:
        print("bench_app: Debian's chromium is not installed (apt-get install chromium)")
        return 1
    from playwright.sync_api import sync_playwright

    rows = []
    outside: list[str] = []
    failed: list[str] = []
    log = REPO / "results" / "benchmarks" / "app-server.log"
    try:
        with (
            app_server(a.families, log, lang="en") as url,
            sync_playwright() as pw,
            offline_page(pw, url, outside, failed) as page,
        ):
            wait_loaded(page)
            for speed in a.speeds:
                live = play_and_count(page, speed, a.seconds)
                s = live["seconds"]
                row = {
                    "speed": speed,
                    "seconds": round(s, 2),
                    "weeks_per_s": round(live["weeks"] / s, 2),
                    "redraws_per_s": {k: round(v / s, 2) for k, v in live["redraws"].items()},
                    "status": live["status"],
                    "ended": live["ended"],
                }
                rows.append(row)
                print(
                    f"speed {speed:>4}: {row['weeks_per_s']:6.1f} weeks/s (target >= "
                    f"{TARGET_WEEKS_PER_S:g}); redraws/s: "
                    + ", ".join(f"{k} {v:.2f}" for k, v in row["redraws_per_s"].items())
                    + f" (target >= {TARGET_REDRAWS_PER_S:g})"
                )
                print(f"            page status: {live['status']}")
                if live["ended"]:
                    print(
                        "            the run reached the end of the horizon within the window:"
                        " weeks/s is a lower bound (play fewer --seconds)"
                    )
    except AppError as e:
        print(f"bench_app: {e}")
        return 1
    a.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "families": a.families,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "targets": {"weeks_per_s": TARGET_WEEKS_PER_S, "redraws_per_s": TARGET_REDRAWS_PER_S},
        "runs": rows,
        "outside_requests": outside,
        "failed_responses": failed,
    }
    tmp = a.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(a.out)
    print(f"written: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
