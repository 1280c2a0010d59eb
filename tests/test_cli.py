"""The ``youthcare`` command line (sim/cli.py), run as a subprocess like a user would.

Bad input: exit code 2, exactly one line on stderr, never a traceback, and nothing already
written is lost or changed. A good small run writes summary.json, weekly.csv and manifest.json.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import EXE, REPO, SMALL, assert_user_error, youthcare  # noqa: F401

from sim.cli import parse_set
from sim.metrics import SERIES_COLUMNS
from sim.params import REGISTRY, Params


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def bad_toml(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("scen") / "bad.toml"
    p.write_text('kind = "modifier"\n[practice_worker]\nhours_per_week = 99\n', encoding="utf-8")
    return p.resolve()


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    out = tmp / "out"
    r = youthcare("run", "baseline", *SMALL, "--out", out, "--json", "--check", cwd=tmp)
    return tmp, out, r


# --- bad input -------------------------------------------------------------------------------
BAD_ARGS = {
    "unknown scenario": (["run", "no-such-scenario", *SMALL], "no-such-scenario"),
    "too few families": (["run", "baseline", "--families", "5"], "--families"),
    "years not a number": (["run", "baseline", "--years", "abc"], "abc"),
    "unknown parameter": (["run", "baseline", *SMALL, "--set", "unknown.param=1"], "unknown.param"),
    "set without value": (["run", "baseline", *SMALL, "--set", "gp.detection"], "gp.detection"),
    "negative seed": (["run", "baseline", "--seed", "-1"], "--seed"),
    "unknown command": (["fly"], "fly"),
    "missing scenario": (["run"], "scenario"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGS))
def test_bad_input_is_one_line_and_exit_2(case, tmp_path):
    args, named = BAD_ARGS[case]
    line = assert_user_error(youthcare(*args, cwd=tmp_path))
    assert named in line
    assert not (tmp_path / "results").exists()  # nothing written


def test_bad_scenario_file(tmp_path, bad_toml):
    line = assert_user_error(
        youthcare("run", bad_toml, *SMALL, "--out", tmp_path / "o", cwd=tmp_path)
    )
    assert str(bad_toml) in line and "practice_worker.hours_per_week" in line and "99" in line
    assert REGISTRY["practice_worker.hours_per_week"].allowed() in line
    assert not (tmp_path / "o").exists()


def test_out_is_an_existing_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("keep me")
    line = assert_user_error(youthcare("run", "baseline", *SMALL, "--out", f, cwd=tmp_path))
    assert "--out" in line
    assert f.read_text() == "keep me"


@pytest.mark.parametrize("command", ["run", "compare"])
def test_out_under_a_file_or_where_nothing_can_be_made_is_one_line(command, tmp_path):
    f = tmp_path / "file"
    f.write_text("keep me")
    args = ["baseline"] if command == "run" else ["baseline", "lumpsum", "--replications", "2"]
    line = assert_user_error(youthcare(command, *args, *SMALL, "--out", f / "sub", cwd=tmp_path))
    assert str(f) in line and "not a folder" in line
    assert f.read_text() == "keep me"
    line = assert_user_error(youthcare(command, *args, *SMALL, "--out", "/proc/x/y", cwd=tmp_path))
    assert "/proc/x" in line


def test_non_finite_integer_set_is_one_line(tmp_path):
    assert_user_error(
        youthcare("run", "baseline", *SMALL, "--set", "wijkteam.help_weeks=inf", cwd=tmp_path)
    )


def test_bad_sources_in_scenario_is_one_line(tmp_path):
    p = tmp_path / "src.toml"
    p.write_text('kind = "modifier"\nsources = 5\n', encoding="utf-8")
    assert_user_error(youthcare("run", p, *SMALL, cwd=tmp_path))


def test_non_utf8_scenario_is_one_line(tmp_path):
    p = tmp_path / "latin.toml"
    p.write_bytes('kind = "modifier"\ntitle = "caf\xe9"\n'.encode("latin-1"))
    assert_user_error(youthcare("run", p, *SMALL, cwd=tmp_path))


def test_parse_set_types():
    got = parse_set(
        ["a.b=true", "c.d=False", "e.f=3", "g.h=-2", "i.j=0.25", "k.l=pxq", "m.n = 1e-3"]
    )
    assert got == {
        "a.b": True,
        "c.d": False,
        "e.f": 3,
        "g.h": -2,
        "i.j": 0.25,
        "k.l": "pxq",
        "m.n": 1e-3,
    }
    assert isinstance(got["e.f"], int) and isinstance(got["i.j"], float)


def test_set_choice_that_looks_like_a_number():
    assert Params(parse_set(["era.rules=2015"]))["era.rules"] == "2015"


# --- a good run ------------------------------------------------------------------------------
SUMMARY_KEYS = [
    "scenario",
    "seed",
    "families",
    "children",
    "weeks",
    "children_in_care_share_per_year",
    "children_in_specialist_care_share_per_year",
    "new_trajectories_by_referrer",
    "specialist_wait_weeks",
    "waiting_list_end",
    "cost_per_year_eur",
    "cost_per_child_in_care_eur",
    "qaly_loss_per_1000_children_per_year",
    "referrals_over_under",
    "professionals_per_family_in_care",
    "invariant_violations",
]


def test_good_run_prints_the_summary_json(good_run):
    _, out, r = good_run
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    s = json.loads(r.stdout)
    for k in SUMMARY_KEYS:
        assert k in s, k
    assert s["scenario"] == "baseline" and s["seed"] == 0 and s["families"] == 300
    assert s["children"] >= 300 and s["weeks"] == 52
    # a run whose QALY loss drifts says so on stderr, not stdout (here one measured year: no trend)
    assert s["qaly_loss_trend_per_year"] == 0.0
    assert "drifts" not in r.stderr
    ref = s["new_trajectories_by_referrer"]
    assert set(ref) == {"gp", "wijkteam", "jgz", "none", "other"}
    assert sum(ref.values()) == pytest.approx(1.0)
    w = s["specialist_wait_weeks"]
    assert {"mean", "p50", "p90", "within_treeknorm_share"} <= set(w)
    assert 0 <= w["p50"] <= w["p90"] and 0 <= w["within_treeknorm_share"] <= 1
    assert isinstance(s["waiting_list_end"], int) and s["waiting_list_end"] >= 0
    cost = s["cost_per_year_eur"]
    assert set(cost["by_payer"]) == {"municipality", "insurer", "province"}
    assert set(cost["by_tier"]) == {
        "jgz",
        "practice",
        "wijkteam",
        "specialist",
        "residential",
        "indication",
    }
    assert cost["total"] > 0
    assert cost["total"] == pytest.approx(sum(cost["by_payer"].values()), rel=1e-9)
    assert cost["total"] == pytest.approx(sum(cost["by_tier"].values()), rel=1e-9)
    assert s["cost_per_child_in_care_eur"] >= 0
    assert s["qaly_loss_per_1000_children_per_year"] >= 0
    ou = s["referrals_over_under"]
    assert {"over_referral_share", "under_referral_share"} <= set(ou)
    assert 0 <= ou["over_referral_share"] + ou["under_referral_share"] <= 1
    assert s["professionals_per_family_in_care"] >= 0
    assert (
        0
        <= s["children_in_specialist_care_share_per_year"]
        <= s["children_in_care_share_per_year"]
        <= 1
    )
    assert s["invariant_violations"] == 0


def test_good_run_writes_summary_weekly_and_manifest(good_run):
    _, out, r = good_run
    assert r.returncode == 0, r.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "summary.json", "weekly.csv"]
    assert (out / "summary.json").read_text() == r.stdout
    assert json.loads((out / "summary.json").read_text()) == json.loads(r.stdout)
    weekly = pd.read_csv(out / "weekly.csv")
    assert len(weekly) == 52
    assert list(weekly["week"]) == list(range(52))
    assert set(SERIES_COLUMNS) <= set(weekly.columns)
    states = weekly[[c for c in weekly.columns if c.startswith("n_")]].sum(axis=1)
    assert (states == weekly["children"]).all()
    man = json.loads((out / "manifest.json").read_text())
    for k in ("scenario", "parameters", "seeds", "versions", "commit"):
        assert k in man, k
    assert man["scenario"]["name"] == "baseline"
    assert set(man["parameters"]) == set(REGISTRY)
    Params(man["parameters"])  # the manifest's parameters are a valid, complete set
    assert man["seeds"]["seed"] == 0
    assert {"python", "numpy", "mesa"} <= set(man["versions"])
    assert man["commit"] and isinstance(man["commit"], str)
    assert man["settings"]["families"] == 300 and man["settings"]["check"] is True
    # no temporary files left behind by the atomic writes
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_results_files_have_normal_permissions(good_run):
    _, out, r = good_run
    assert r.returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    expected = 0o666 & ~umask
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == expected, (p.name, oct(p.stat().st_mode))


def test_failing_run_leaves_an_earlier_good_run_untouched(good_run, bad_toml):
    tmp, out, r = good_run
    assert r.returncode == 0
    before = snapshot(out)
    for args in (
        ["run", bad_toml, *SMALL, "--out", out],
        ["run", "baseline", *SMALL, "--out", out, "--set", "gp.detection=7"],
        ["run", "baseline", "--families", "5", "--out", out],
    ):
        assert_user_error(youthcare(*args, cwd=tmp))
        assert snapshot(out) == before  # same files, same bytes, not even rewritten


def test_list_commands(tmp_path):
    r = youthcare("params", "--section", "gp", cwd=tmp_path)
    assert r.returncode == 0
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == [n for n in REGISTRY if n.startswith("gp.")]
    r = youthcare("scenarios", cwd=tmp_path)
    assert r.returncode == 0 and any(line.startswith("baseline") for line in r.stdout.splitlines())


def test_run_into_a_folder_with_another_run_stops_or_keeps_it_aside(tmp_path):
    """Another run's folder is never mixed with a new one: without --replace one line and exit 2
    before any work (files untouched); with --replace it is kept as OUT.previous. The same
    command again simply writes the same run."""
    import json

    out = tmp_path / "res"
    first = youthcare("run", "baseline", *SMALL, "--out", out, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = youthcare("run", "baseline", *SMALL, "--out", out, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    other = youthcare("run", "lumpsum", *SMALL, "--out", out, cwd=tmp_path)
    line = assert_user_error(other)
    assert str(out) in line and "baseline" in line and "--replace" in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    # the same scenario with another --set is another run
    other_set = youthcare(
        "run", "baseline", *SMALL, "--set", "gp.detection=0.7", "--out", out, cwd=tmp_path
    )
    assert "--replace" in assert_user_error(other_set)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    replaced = youthcare("run", "lumpsum", *SMALL, "--out", out, "--replace", cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    aside = tmp_path / "res.previous"
    assert {p.name: p.read_bytes() for p in aside.iterdir()} == before
    assert json.loads((out / "manifest.json").read_text())["scenario"]["name"] == "lumpsum"


@pytest.mark.parametrize(
    "manifest",
    [b'{"name": "my app"}', b"\xff\xfe not utf-8", b"[1, 2]"],
    ids=["another program's manifest", "not utf-8", "not an object"],
)
def test_a_foreign_manifest_is_never_taken_for_results(manifest, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(manifest)
    (folder / "index.html").write_text("mine")
    r = youthcare("run", "baseline", *SMALL, "--out", folder, "--replace", cwd=tmp_path)
    assert "not youthcare results" in assert_user_error(r)
    assert (folder / "index.html").read_text() == "mine"
    assert not (tmp_path / "site.previous").exists()


def test_replace_refuses_to_move_the_current_folder(tmp_path):
    out = tmp_path / "res"
    assert youthcare("run", "baseline", *SMALL, "--out", out, cwd=tmp_path).returncode == 0
    r = youthcare("run", "lumpsum", *SMALL, "--out", ".", "--replace", cwd=out)
    assert "current folder" in assert_user_error(r)
    assert (out / "manifest.json").exists() and not (tmp_path / "res.previous").exists()


def test_run_never_moves_a_folder_that_is_not_results(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    r = youthcare("run", "baseline", *SMALL, "--out", tmp_path, "--replace", cwd=tmp_path)
    assert "not youthcare results" in assert_user_error(r)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not (tmp_path.parent / (tmp_path.name + ".previous")).exists()


def test_a_drifting_run_says_so_on_stderr_and_keeps_stdout_json(tmp_path):
    """Untreated need that escalates 2.5 times as fast keeps growing from the default steady
    state: the QALY loss trend is far beyond ±2% a year, and run prints one note on stderr."""
    r = youthcare(
        "run", "baseline", "--families", "300", "--years", "3", "--warmup-years", "0",
        "--set", "need.escalation_per_week=0.02", "--json", "--out", tmp_path / "o", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    s = json.loads(r.stdout)
    assert s["qaly_loss_trend_per_year"] > 0.1
    notes = [line for line in r.stderr.splitlines() if "drifts" in line]
    assert len(notes) == 1 and notes[0].startswith("note: the QALY loss drifts by +")
