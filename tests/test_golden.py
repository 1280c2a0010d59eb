"""Fixed-seed expected values (``sim/golden.py``): five small runs, every summary figure
compared with ``tests/data/golden_summaries.json``. A change that is meant to be only faster or
tidier must pass unchanged; one that changes behaviour regenerates the file with
``python scripts/update_golden.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.golden import CASES, case_key, run_case

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_summaries.json").read_text())


def test_every_case_has_stored_values():
    assert set(GOLDEN) == {case_key(c) for c in CASES}
    assert all(len(v) > 50 for v in GOLDEN.values())


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_summary_matches_the_stored_values(case):
    want = GOLDEN[case_key(case)]
    got = run_case(case)
    assert set(got) == set(want), f"summary fields changed: {set(got) ^ set(want)}"
    diff = {
        k: (got[k], want[k])
        for k in want
        # integers exactly; floats to 1e-9 (the same draws on another CPU may round a last bit
        # differently in exp/log)
        if got[k] != pytest.approx(want[k], rel=1e-9, abs=1e-12)
    }
    assert not diff, f"{len(diff)} figures changed, e.g. {dict(list(diff.items())[:5])}"
