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


def test_result_hashes_script_finds_identical_and_changed_results(tmp_path, capsys):
    """scripts/result_hashes.py: the same code gives the same fingerprints (exit 0); a saved
    fingerprint that differs is reported by name (exit 1); an unreadable file is exit 2."""
    import json

    from cli_helpers import load_script

    rh = load_script("result_hashes")
    args = ["--families", "300", "--years", "0.5", "--warmup-years", "0.2"]
    args += ["--scenarios", "baseline", "lumpsum"]
    saved = rh.fingerprints(300, 0.5, 0.2, ["baseline", "lumpsum"])
    assert saved["baseline"] != saved["lumpsum"]
    f = tmp_path / "before.json"
    f.write_text(json.dumps(saved), encoding="utf-8")
    assert rh.main([*args, "--compare", str(f)]) == 0
    f.write_text(json.dumps({**saved, "lumpsum": "0" * 16}), encoding="utf-8")
    assert rh.main([*args, "--compare", str(f)]) == 1
    assert "changed: lumpsum" in capsys.readouterr().out
    assert rh.main([*args, "--compare", str(tmp_path / "missing.json")]) == 2
