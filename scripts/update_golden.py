#!/usr/bin/env python
"""Regenerate tests/data/golden_summaries.json (the fixed-seed expected values of
tests/test_golden.py) after a change that is meant to alter the model's numbers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.golden import CASES, case_key, run_case  # noqa: E402

OUT = ROOT / "tests" / "data" / "golden_summaries.json"


def main() -> int:
    data = {case_key(c): run_case(c) for c in CASES}
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    tmp.replace(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(data)} cases; commit it with the reason")
    return 0


if __name__ == "__main__":
    sys.exit(main())
