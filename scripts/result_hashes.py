#!/usr/bin/env python
"""Fingerprints of the model's results, for changes meant to be only faster or tidier.

Runs every scenario file (and two compositions) with ``check=True`` and prints, per scenario, a
hash of its summary and weekly series. Save the output before a change, run again after it and
compare: identical hashes mean identical results, byte for byte. The golden test
(tests/test_golden.py) pins five small cases; this covers every scenario file.

    .venv/bin/python scripts/result_hashes.py > before.json
    # ... change the code ...
    .venv/bin/python scripts/result_hashes.py --compare before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.experiment import run_model  # noqa: E402
from sim.scenario import SCENARIO_DIR, load  # noqa: E402

COMPOSITIONS = ("hart-voor-jeugd-en-gezin+lumpsum", "digital-family-plan+multi-year-funding")


def fingerprints(
    families: int, years: float, warmup_years: float, scenarios: list[str] | None = None
) -> dict[str, str]:
    """Scenario -> 16 hex digits of the SHA-256 of its summary JSON and weekly series CSV."""
    names = scenarios or sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")) + list(COMPOSITIONS)
    out = {}
    for name in names:
        seed = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)  # the name's own seed
        summary, series = run_model(
            load(name).params, families, years, warmup_years, seed, name, check=True
        )
        blob = json.dumps(summary, sort_keys=True, default=str).encode() + series.to_csv().encode()
        out[name] = hashlib.sha256(blob).hexdigest()[:16]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", type=int, default=2000)
    ap.add_argument("--years", type=float, default=2.0)
    ap.add_argument("--warmup-years", type=float, default=1.0)
    ap.add_argument("--scenarios", nargs="*", help="default: every scenario file + compositions")
    ap.add_argument("--compare", type=Path, help="a saved output: exit 1 if any hash differs")
    a = ap.parse_args(argv)
    now = fingerprints(a.families, a.years, a.warmup_years, a.scenarios)
    if a.compare is None:
        print(json.dumps(now, indent=1))
        return 0
    try:
        before = json.loads(a.compare.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"{a.compare}: cannot read the saved hashes ({e})", file=sys.stderr)
        return 2
    changed = sorted(k for k in now if before.get(k) != now[k])
    for k in changed:
        print(f"changed: {k}")
    print(f"{len(now) - len(changed)} of {len(now)} scenarios identical")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
