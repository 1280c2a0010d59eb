"""Scenario mechanisms: each collaboration form does what its scenario file says, through the
mechanism named there, and the effect disappears when that mechanism's strength is 0.

From the issue: "weekly same-person presence builds GP trust faster than 4 half-days a month with
rotating staff; a digital plan gives feedback after referral and cuts duplicate intakes and
professionals per family; the preventive offer keeps queue places; the Hart steps families down
to JGZ; each test fails when the mechanism's strength is 0."

Also: composition of scenario files (``a+b``) and the hygiene of every file in ``scenarios/``
(kind, title, description, sources, a comment citing a source, a short run without invariant
violations).

Runs are small (2,000 families, 1 warm-up year + 2 measured years, one seed) and cached per
(scenario, overrides), so a baseline is run once for all tests that compare with it. All runs
use ``check=True``. The margins below were chosen from seeds 1-5 at these sizes; the numbers in
comments are from seed 3.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from sim import states as S
from sim.model import YouthCareModel
from sim.scenario import KINDS, SCENARIO_DIR, ScenarioError, load

FAMILIES, YEARS, WARMUP, SEED = 2000, 2, 1, 3
SCENARIO_FILES = sorted(SCENARIO_DIR.glob("*.toml"))


@cache
def _run(spec: str, overrides: tuple = ()) -> tuple[YouthCareModel, dict]:
    """Run ``spec`` with ``overrides`` (a tuple of (name, value) pairs); cached across tests."""
    params = load(spec).params
    if overrides:
        params = params.replace(dict(overrides))
    m = YouthCareModel(
        params, families=FAMILIES, years=YEARS, warmup_years=WARMUP, seed=SEED, check=True
    )
    s = m.run()
    assert s["invariant_violations"] == 0, m.invariant_messages[:3]
    return m, s


def run(spec: str, **overrides) -> tuple[YouthCareModel, dict]:
    return _run(spec, tuple(sorted(overrides.items())))


def measured(m: YouthCareModel, col: str) -> np.ndarray:
    c = m.recorder.cols
    return c[col][c["measured"] == 1]


# =============================================================================================
# 1. Weekly same-person presence vs 4 half-days a month with rotating staff (trust, M2)
# =============================================================================================
# family-worker-weekly: 4.0 h/week, same_person = true.
# cjg-adviser-in-practice: 3.7 h/week (4 half-days a month), same_person = false, so on a visit
# the person changes with practice_worker.rotation_per_visit and every change multiplies trust
# by (1 - trust.turnover_loss * mechanisms.staff_turnover).


def _worker_trust(spec: str, turnover: float) -> tuple[float, float, np.ndarray]:
    m, s = run(spec, **{"mechanisms.staff_turnover": turnover})
    series = measured(m, "trust_practice_worker")
    return float(series.mean()), float(s["trust_end"]["practice_worker"]), series


def test_weekly_same_person_builds_more_gp_trust_than_rotating_adviser():
    weekly_mean, weekly_end, weekly = _worker_trust("family-worker-weekly", 1.0)
    cjg_mean, cjg_end, cjg = _worker_trust("cjg-adviser-in-practice", 1.0)
    # seed 3: mean 0.89 vs 0.17; at the end 0.88 vs 0.14.
    assert weekly_mean > cjg_mean + 0.3, (weekly_mean, cjg_mean)
    assert weekly_end > cjg_end + 0.3, (weekly_end, cjg_end)
    # Not only on average: in (nearly) every measured week.
    assert np.mean(weekly > cjg) > 0.95


def test_weekly_worker_reaches_high_trust_sooner():
    """'Builds trust faster': from the same starting trust, the weekly same person passes 0.5
    within the first months; the rotating adviser never holds it."""
    m_w, _ = run("family-worker-weekly", **{"mechanisms.staff_turnover": 1.0})
    m_c, _ = run("cjg-adviser-in-practice", **{"mechanisms.staff_turnover": 1.0})
    tw = m_w.recorder.cols["trust_practice_worker"]
    tc = m_c.recorder.cols["trust_practice_worker"]
    first_w = int(np.argmax(tw > 0.5))
    assert tw[first_w] > 0.5 and first_w < 26, first_w
    assert np.mean(tc > 0.5) < 0.05


def test_trust_gap_disappears_when_rotation_costs_no_trust():
    """With mechanisms.staff_turnover = 0 a change of person costs no trust: the gap closes.

    Not exactly to zero: the adviser is present 3.7 hours a week against the worker's 4.0, so it
    is an option at slightly fewer GP consults (hours present / GP consult hours) and discusses
    slightly fewer cases in person with the GP. Seed 3: 0.9361 vs 0.9356 (gap 0.0005, against
    0.72 with turnover on)."""
    weekly_mean, weekly_end, _ = _worker_trust("family-worker-weekly", 0.0)
    cjg_mean, cjg_end, _ = _worker_trust("cjg-adviser-in-practice", 0.0)
    assert abs(weekly_mean - cjg_mean) < 0.01, (weekly_mean, cjg_mean)
    assert abs(weekly_end - cjg_end) < 0.01, (weekly_end, cjg_end)
    # And the remaining small difference has the sign of the extra hours.
    assert weekly_mean >= cjg_mean


# =============================================================================================
# 2. Digital family plan: feedback after referral (M3 -> M1) and coordination (M11)
# =============================================================================================


def test_digital_plan_raises_knowledge_and_cuts_duplicates_and_professionals():
    _, b = run("baseline")
    _, d = run("digital-family-plan")
    # seed 3: knowledge 0.83 vs 0.30; duplicate intakes 0.0 vs 0.24; professionals 2.02 vs 2.32.
    assert d["knowledge_end"] > b["knowledge_end"] + 0.2
    assert b["duplicate_intake_share"] > 0.1
    assert d["duplicate_intake_share"] < 0.5 * b["duplicate_intake_share"]
    assert d["professionals_per_family_in_care"] < b["professionals_per_family_in_care"] - 0.1


def test_digital_plan_knowledge_gain_disappears_without_feedback():
    """mechanisms.feedback = 0: the GP hears nothing after referral in either scenario, and the
    plan's knowledge gain is gone (seed 3: 0.1252 in both, against 0.83 vs 0.30 with feedback)."""
    fb0 = {"mechanisms.feedback": 0.0}
    m_b, b = run("baseline", **fb0)
    m_d, d = run("digital-family-plan", **fb0)
    assert abs(d["knowledge_end"] - b["knowledge_end"]) < 0.01
    assert (
        abs(measured(m_d, "knowledge_mean").mean() - measured(m_b, "knowledge_mean").mean()) < 0.01
    )
    # ... while the plan's coordination still works (only feedback was switched off).
    assert d["duplicate_intake_share"] < 0.5 * b["duplicate_intake_share"]


def test_digital_plan_coordination_off_gives_baseline_duplicates_and_professionals():
    """mechanisms.coordination = 0: duplicate intakes and professionals per family return to the
    baseline's. The plan still gives feedback, which changes where GPs refer (knowledge, trust),
    so they are equal up to that indirect effect (seed 3: duplicates 0.224 vs 0.241,
    professionals 2.314 vs 2.316; the plan's effect is 0.24 and 0.30)."""
    _, b = run("baseline")
    _, d0 = run("digital-family-plan", **{"mechanisms.coordination": 0.0})
    assert abs(d0["duplicate_intake_share"] - b["duplicate_intake_share"]) < 0.05
    assert (
        abs(d0["professionals_per_family_in_care"] - b["professionals_per_family_in_care"]) < 0.05
    )


def test_digital_plan_coordination_off_is_exactly_baseline_when_routing_is_unchanged():
    """With the plan's other channels also off (feedback, and its digital trust contacts), the
    plan changes nothing that reaches intakes: duplicates and professionals equal the baseline's
    exactly (common random numbers)."""
    off = {"mechanisms.feedback": 0.0}
    _, b = run("baseline", **off)
    _, d0 = run(
        "digital-family-plan",
        **off,
        **{"mechanisms.coordination": 0.0, "plan.digital_contacts_per_case": 0.0},
    )
    assert d0["duplicate_intake_share"] == pytest.approx(b["duplicate_intake_share"], abs=1e-12)
    assert d0["professionals_per_family_in_care"] == pytest.approx(
        b["professionals_per_family_in_care"], abs=1e-12
    )


# =============================================================================================
# 3. Preventive offer while waiting: families keep their place (fewer withdrawals)
# =============================================================================================
# There is no mechanisms.* strength for the preventive offer. Its effect runs through two ratios
# applied to children with the offer: waiting.preventive_withdrawal_ratio (withdrawal from the
# list) and waiting.preventive_escalation_ratio (escalation while waiting). Setting both to 1.0
# is the offer at strength 0 (the JGZ contact and its cost remain, but it changes no behaviour).
PREVENTIVE_OFF = {
    "waiting.preventive_withdrawal_ratio": 1.0,
    "waiting.preventive_escalation_ratio": 1.0,
}


def test_preventive_offer_lowers_withdrawals():
    _, b = run("baseline")
    _, p = run("preventive-offer-while-waiting")
    # seed 3: 15.0 vs 26.5 withdrawals per year.
    assert b["withdrawals_per_year"] > 5
    assert p["withdrawals_per_year"] < 0.8 * b["withdrawals_per_year"]
    assert p["escalations_while_waiting_per_year"] < b["escalations_while_waiting_per_year"]


def test_preventive_offer_withdrawal_effect_disappears_at_ratio_one():
    _, b = run("baseline")
    _, p0 = run("preventive-offer-while-waiting", **PREVENTIVE_OFF)
    assert p0["withdrawals_per_year"] == pytest.approx(b["withdrawals_per_year"], rel=0.05)
    assert p0["escalations_while_waiting_per_year"] == pytest.approx(
        b["escalations_while_waiting_per_year"], rel=0.05
    )


def test_waiting_children_keep_their_queue_entry_week():
    """Step week by week: every child who is on the specialist list before and after a week keeps
    its q_entry; and admission stays first come, first served among non-urgent children of a
    provider, so children with the preventive offer are not passed over."""
    params = load("preventive-offer-while-waiting").params
    m = YouthCareModel(params, families=FAMILIES, years=1, warmup_years=0, seed=SEED, check=True)
    ch = m.children
    kept = kept_preventive = admitted_preventive = 0
    for _ in range(40):
        wait = np.flatnonzero(ch.state == S.WAIT_SPECIALIST)
        uid, q = ch.uid[wait].copy(), ch.q_entry[wait].copy()
        prev, prov = ch.preventive[wait].copy(), ch.provider[wait].copy()
        # Urgency is read at admission (care.urgency): a need of 3 can become a crisis in the
        # week's draws before admission, so only children below 3 are surely not urgent.
        prio = (ch.priority[wait] != 0) | (ch.need[wait] >= 3)
        m.step()
        same = ch.uid[wait] == uid
        still = same & (ch.state[wait] == S.WAIT_SPECIALIST)
        np.testing.assert_array_equal(ch.q_entry[wait][still], q[still])
        kept += int(still.sum())
        kept_preventive += int((still & prev).sum())
        admitted = same & (ch.state[wait] == S.SPECIALIST)
        admitted_preventive += int((admitted & prev).sum())
        # First come, first served among non-urgent children of each provider.
        for k in np.unique(prov[admitted & ~prio]):
            a = admitted & ~prio & (prov == k)
            rest = still & ~prio & (prov == k)
            if rest.any():
                assert q[a].max() <= q[rest].min(), (k, q[a].max(), q[rest].min())
    assert m.invariant_violations == 0
    assert kept_preventive > 100 and admitted_preventive > 10, (
        kept_preventive,
        admitted_preventive,
    )


# =============================================================================================
# 4. Hart voor jeugd en gezin: step-down to JGZ (M12)
# =============================================================================================


def test_hart_steps_families_down_to_jgz_and_baseline_does_not():
    _, b = run("baseline")
    _, h = run("hart-voor-jeugd-en-gezin")
    # seed 3: 0.16 vs 0.0.
    assert b["stepdown_to_jgz_share"] == 0
    assert h["stepdown_to_jgz_share"] > 0.05


def test_hart_stepdown_from_wijkteam_and_specialist_stops_without_stepdown_mechanism():
    """The part of the mechanism that works: at mechanisms.stepdown = 0 no wijkteam or specialist
    trajectory steps down to JGZ (see also the whole-scenario test below)."""
    m, _ = run("hart-voor-jeugd-en-gezin", **{"mechanisms.stepdown": 0.0})
    assert m.tally.stepdowns_jgz.get("wijkteam", 0) == 0
    assert m.tally.stepdowns_jgz.get("specialist", 0) == 0


def test_hart_stepdown_to_jgz_is_zero_without_stepdown_mechanism():
    _, h0 = run("hart-voor-jeugd-en-gezin", **{"mechanisms.stepdown": 0.0})
    assert h0["stepdown_to_jgz_share"] == 0


# =============================================================================================
# 5. Composition
# =============================================================================================


def test_hart_plus_lumpsum_loads_and_runs():
    sc = load("hart-voor-jeugd-en-gezin+lumpsum")
    assert sc.name == "hart-voor-jeugd-en-gezin+lumpsum"
    assert sc.params["funding.scheme"] == "lumpsum"
    assert sc.params["jgz.integrated_in_wijkteam"] is True
    m = YouthCareModel(sc.params, families=1000, years=1, warmup_years=0.5, seed=SEED, check=True)
    s = m.run()
    assert s["invariant_violations"] == 0
    assert s["lumpsum_budget_eur_per_year"] > 0
    assert s["stepdown_to_jgz_share"] > 0


def test_two_funding_schemes_raise_naming_both_files(tmp_path):
    other = tmp_path / "pxq-again.toml"
    other.write_text(
        'kind = "funding"\ntitle = "p×q again"\ndescription = "x"\n'
        'sources = ["test"]\n[funding]\nscheme = "pxq"\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as e:
        load(f"lumpsum+{other}")
    msg = str(e.value)
    assert "lumpsum.toml" in msg and "pxq-again.toml" in msg and "\n" not in msg


def test_key_set_by_two_files_raises_naming_both_files():
    with pytest.raises(ScenarioError) as e:
        load("strong-wijkteam+wijkteam-under-pressure")
    msg = str(e.value)
    assert "strong-wijkteam.toml" in msg and "wijkteam-under-pressure.toml" in msg
    assert "wijkteam.fte_per_1000_children" in msg and "\n" not in msg


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "youthcare"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]


def test_cli_conflicting_composition_exits_2_with_one_line(tmp_path):
    r = subprocess.run(
        [*_cli(), "run", "strong-wijkteam+wijkteam-under-pressure"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "strong-wijkteam.toml" in lines[0] and "wijkteam-under-pressure.toml" in lines[0]
    assert not (tmp_path / "results").exists()


# =============================================================================================
# 5b. Pre-2015: Bureau Jeugdzorg in the CJG building (model 1) vs the network model (model 2)
# =============================================================================================
def test_bjz_in_the_cjg_building_makes_fewer_indication_errors():
    """Informal consultation (a smaller BJZ error on the need level) means fewer clear errors:
    children refused with a need above the threshold, or granted with one below it; with the same
    noise as the network model the two are the same run."""
    net, _ = run("pre2015-bjz")
    col, _ = run("pre2015-bjz+bjz-in-cjg-building")
    t_net, t_col = net.tally, col.tally
    assert t_net.indications > 100 and t_col.indications > 100
    err_net = (
        t_net.indications_refused_needy + t_net.indications_granted_light
    ) / t_net.indications
    err_col = (
        t_col.indications_refused_needy + t_col.indications_granted_light
    ) / t_col.indications
    assert err_col < 0.8 * err_net, (err_col, err_net)
    same, _ = run(
        "pre2015-bjz+bjz-in-cjg-building",
        **{"bjz.perception_noise_sd": load("pre2015-bjz").params["bjz.perception_noise_sd"]},
    )
    assert same.tally.indications_refused_needy == t_net.indications_refused_needy
    assert same.tally.indications_granted_light == t_net.indications_granted_light


# =============================================================================================
# 5c. Pre-2015: providers on the provinces' budgets (lumpsum), the reform's p×q lifts them
# =============================================================================================
def _spec_share(s: dict) -> float:
    return s["children_in_specialist_care_share_per_year"]


def test_pre2015_budget_rations_specialist_care_through_the_margin_rule():
    """Before 2015 providers work to a stated budget (lumpsum): fewer children reach specialist
    care than under p×q with the same pre-2015 rules; with the funding mechanism off (s = 0) the
    margin rule is silent and the two schemes admit alike."""
    _, budget = run("pre2015-bjz")
    _, pxq = run("pre2015-bjz", **{"funding.scheme": "pxq"})
    assert _spec_share(budget) < 0.92 * _spec_share(pxq), (_spec_share(budget), _spec_share(pxq))
    _, budget0 = run("pre2015-bjz", **{"mechanisms.funding": 0.0})
    _, pxq0 = run("pre2015-bjz", **{"funding.scheme": "pxq", "mechanisms.funding": 0.0})
    assert _spec_share(budget0) == _spec_share(pxq0)


def test_pre2015_budget_is_paid_by_province_and_insurer_and_adds_up():
    """The pre-2015 budget is paid along the children's routes (M14): province and insurer, none
    of it by the municipality; per year it is the stated budget plus the monitoring share. (Child
    protection's own weekly cost, booked to the municipality, is set to 0 here.)"""
    m, _ = run("pre2015-bjz", **{"other.protection_cost_per_week": 0.0})
    p, led = m.p, m.ledger
    cols = [S.TIERS.index("specialist"), S.TIERS.index("residential")]
    payer = {name: led.total[S.PAYERS.index(name), cols].sum() for name in S.PAYERS}
    assert payer["province"] > 0 and payer["insurer"] > 0
    budget = (
        p["funding.lumpsum_budget_per_1000_children"]
        * m.n_children_k
        * (1 + p["funding.lumpsum_monitoring_share"])
        * m.total_weeks
        / 52
    )
    assert payer["municipality"] == 0.0
    assert payer["province"] + payer["insurer"] == pytest.approx(budget, rel=1e-9)


def test_pre2015_budget_is_split_by_the_routes_of_the_children_in_care():
    """One week's payment: three children in specialist care on the province's route and one on
    the insurer's split the specialist part 3 : 1."""
    m = YouthCareModel(load("pre2015-bjz").params, families=500, years=1, warmup_years=0, seed=1)
    ch = m.children
    ch.state[:] = S.NONE
    kids = np.arange(4)
    ch.state[kids] = S.SPECIALIST
    ch.provider[kids] = 0
    ch.route[kids] = [1, 1, 1, 2]  # province, province, province, insurer (care.ROUTE_*)
    counts = np.bincount(ch.state, minlength=S.N_STATES)
    m.funding.step(m, 1, counts, kids)
    w = m.ledger.week
    spec = S.TIERS.index("specialist")
    province, insurer = w[S.PAYERS.index("province"), spec], w[S.PAYERS.index("insurer"), spec]
    assert province == pytest.approx(3 * insurer)
    assert w[S.PAYERS.index("municipality"), spec] == 0.0


# =============================================================================================
# 6. Every scenario file: metadata, a cited source, and a short clean run
# =============================================================================================
SOURCE_MARKERS = ("seeds/", "public-figures", "seed-digest")


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_scenario_file_is_documented_and_runs(path):
    text = path.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert raw.get("kind") in KINDS
    for key in ("title", "description"):
        assert isinstance(raw.get(key), str) and raw[key].strip(), f"{path.name}: no {key}"
    assert isinstance(raw.get("sources"), list) and raw["sources"], f"{path.name}: no sources"
    comments = [ln for ln in text.splitlines() if ln.lstrip().startswith("#")]
    assert any(mark in ln for ln in comments for mark in SOURCE_MARKERS), (
        f"{path.name}: no comment line cites a source ({', '.join(SOURCE_MARKERS)})"
    )
    sc = load(path.stem)
    assert sc.files[-1].kind == raw["kind"]
    m = YouthCareModel(sc.params, families=300, years=1, warmup_years=0, seed=1, check=True)
    s = m.run()
    assert s["invariant_violations"] == 0, m.invariant_messages[:3]


def test_scenario_folder_has_the_baseline_and_scenarios():
    assert SCENARIO_DIR / "baseline.toml" in SCENARIO_FILES and len(SCENARIO_FILES) > 1
