"""Sensitivity analysis: the SALib problem comes from the registry, results are identical on any
executor, and a killed sweep resumes to the same bytes as an uninterrupted one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import sensitivity as sa
from sim.params import REGISTRY, ParameterError, uncertain_parameters

YOUTHCARE = str(Path(sys.executable).with_name("youthcare"))
SMALL = ["--families", "300", "--years", "1", "--warmup-years", "0"]
SOBOL = [
    "sensitivity",
    "--method",
    "sobol",
    "--params",
    "need.onset_per_year_4_11",
    "gp.specialist_constant",
    "specialist.places_per_1000_children",
    "--n",
    "8",
    *SMALL,
]


def run_cli(args, **kw):
    return subprocess.run([YOUTHCARE, *args], capture_output=True, text=True, timeout=300, **kw)


def test_problem_bounds_come_from_the_registry():
    names = sa.select_parameters(None, "need")
    assert names and all(n.startswith("need.") for n in names)
    prob = sa.problem(names)
    for n, b in zip(prob["names"], prob["bounds"], strict=True):
        assert tuple(b) == REGISTRY[n].uncertain_bounds
    assert sa.select_parameters(None, None) == [p.name for p in uncertain_parameters()]


@pytest.mark.parametrize(
    "names, group",
    [(["no.such"], None), (["era.rules"], None), (None, "nosection"), (None, "era")],
)
def test_bad_parameter_selection_is_a_parameter_error(names, group):
    with pytest.raises(ParameterError):
        sa.select_parameters(names, group)


def test_samples_stay_inside_the_bounds_and_are_reproducible():
    s = sa.SensitivitySettings(
        "morris", sa.select_parameters(None, "need"), 4, False, "baseline", 300, 1, 0, 3
    )
    x1, x2 = sa.sample(s), sa.sample(s)
    assert np.array_equal(x1, x2)
    lo = np.array([REGISTRY[n].uncertain_bounds[0] for n in s.params])
    hi = np.array([REGISTRY[n].uncertain_bounds[1] for n in s.params])
    assert np.all(x1 >= lo - 1e-12) and np.all(x1 <= hi + 1e-12)


def test_sobol_ci_verdict_flags_wide_intervals():
    idx = pd.DataFrame(
        [
            {"output": o, "parameter": "a", "index": "ST", "value": 0.5, "conf": 0.2}
            for o in sa.OUTPUTS
        ]
    )
    assert all("too wide" in line for line in sa.ci_verdicts(idx))
    idx["conf"] = 0.01
    assert all("narrow enough" in line for line in sa.ci_verdicts(idx))


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    r = run_cli([*SOBOL, "--workers", "1", "--out", str(out)])
    assert r.returncode == 0, r.stderr
    return out, r


def test_sobol_writes_indices_with_cis_and_figures(serial):
    out, r = serial
    ind = pd.read_csv(out / "indices.csv")
    assert set(ind["index"]) == {"S1", "ST"}
    assert set(ind["output"]) == set(sa.OUTPUTS)
    assert ind["conf"].notna().all()
    for o in sa.OUTPUTS:
        assert (out / "figures" / f"sobol_{o}.png").stat().st_size > 1000
    man = json.loads((out / "manifest.json").read_text())
    assert man["settings"]["problem"]["names"][0] == "need.onset_per_year_4_11"
    assert "narrow enough" in r.stdout or "too wide" in r.stdout


def test_identical_bytes_on_process_pool_and_dask(serial, tmp_path):
    out, _ = serial
    for name, extra in (
        ("pool", ["--workers", "2"]),
        ("dask", ["--backend", "dask", "--workers", "2"]),
    ):
        r = run_cli([*SOBOL, *extra, "--out", str(tmp_path / name)])
        assert r.returncode == 0, r.stderr
        for f in ("outputs.csv", "indices.csv", "samples.csv"):
            assert (tmp_path / name / f).read_bytes() == (out / f).read_bytes(), (name, f)


def test_different_arguments_on_the_same_out_stop_with_one_line(serial, tmp_path):
    out, _ = serial
    r = run_cli(
        [*SOBOL[:-6], "--families", "400", "--years", "1", "--warmup-years", "0", "--out", str(out)]
    )
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "does not match" in r.stderr


MORRIS = [
    "sensitivity",
    "--method",
    "morris",
    "--group",
    "need",
    "--n",
    "6",
    *SMALL,
    "--workers",
    "2",
]


def test_killed_sweep_resumes_to_identical_bytes(tmp_path):
    ref = tmp_path / "ref"
    assert run_cli([*MORRIS, "--out", str(ref)]).returncode == 0
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [YOUTHCARE, *MORRIS, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    runs = out / "runs"
    deadline = time.time() + 120
    while time.time() < deadline:
        if runs.exists() and len(list(runs.glob("run-*.json"))) >= 2:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    stored = sorted(runs.glob("run-*.json"))
    total = len(pd.read_csv(ref / "samples.csv"))
    assert 2 <= len(stored) < total, "the sweep was not interrupted mid-way"
    for f in stored:  # no partial run file: every stored run parses completely
        json.loads(f.read_text())
    r = run_cli([*MORRIS, "--out", str(out)])
    assert r.returncode == 0, r.stderr
    assert f"resuming: {len(stored)} of {total} runs found" in r.stderr
    assert not list(runs.glob(".*.tmp"))
    for f in ("outputs.csv", "indices.csv", "samples.csv"):
        assert (out / f).read_bytes() == (ref / f).read_bytes(), f
