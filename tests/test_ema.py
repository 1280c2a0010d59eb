"""The EMA Workbench adapter (sim.ema): uncertainties from the registry, deterministic experiments
with the seed scheme of ``youthcare sensitivity``, and PRIM box limits in registry names.

Skipped when ema_workbench is missing, unless YOUTHCARE_REQUIRE_ALL=1 (CI): then it fails.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
import pandas as pd
import pytest

REASON = "ema_workbench is not installed (pip install -e '.[ema]' or scripts/setup.sh ema)"
if importlib.util.find_spec("ema_workbench") is None:
    if os.environ.get("YOUTHCARE_REQUIRE_ALL") == "1":
        pytest.fail(
            f"{REASON} (YOUTHCARE_REQUIRE_ALL=1: missing tools fail instead of skipping)",
            pytrace=False,
        )
    pytest.skip(REASON, allow_module_level=True)

from sim import ema  # noqa: E402
from sim import sensitivity as sa  # noqa: E402
from sim.params import REGISTRY, ParameterError  # noqa: E402
from sim.scenario import ScenarioError  # noqa: E402

wb = ema.import_ema()

NAMES = [
    "need.onset_per_year_4_11",
    "need.escalation_per_week",
    "specialist.places_per_1000_children",
]
SMALL = {"families": 800, "years": 1.0, "warmup_years": 0.5, "seed": 3}
N_EXPERIMENTS = 6
SAMPLING = {"rng": 11}  # the LHS design: fixed, so that a rerun has the same experiments


def _perform(model):
    with wb.SequentialEvaluator(model) as evaluator:
        return wb.perform_experiments(
            model,
            scenarios=N_EXPERIMENTS,
            evaluator=evaluator,
            uncertainty_sampling_kwargs=SAMPLING,
        )


@pytest.fixture(scope="module")
def results():
    return _perform(ema.build_ema_model(params=NAMES, **SMALL))


def test_uncertainties_and_outcomes_come_from_the_registry():
    model = ema.build_ema_model(params=NAMES, **SMALL)
    assert [ema.registry_name(u.name) for u in model.uncertainties] == NAMES
    for u in model.uncertainties:
        name = ema.registry_name(u.name)
        assert u.name.isidentifier() and u.name == ema.ema_name(name)
        assert isinstance(u, wb.RealParameter)
        assert (u.lower_bound, u.upper_bound) == REGISTRY[name].uncertain_bounds
        assert u.variable_name == [name]  # the model function gets registry names
    assert tuple(b for b in sa.problem(NAMES)["bounds"]) == tuple(
        [u.lower_bound, u.upper_bound] for u in model.uncertainties
    )
    assert [o.name for o in model.outcomes] == list(sa.OUTPUTS)

    by_group = ema.build_ema_model(group="need", outcomes=["wait_p90", "cost_municipality"])
    assert [ema.registry_name(u.name) for u in by_group.uncertainties] == sa.select_parameters(
        None, "need"
    )
    assert [o.name for o in by_group.outcomes] == ["wait_p90", "cost_municipality"]
    everything = ema.build_ema_model()
    assert len(everything.uncertainties) == len(sa.select_parameters(None, None))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"params": ["need.no_such_rate"]},
            ParameterError,
            "unknown parameter 'need.no_such_rate'",
        ),
        ({"params": ["era.rules"]}, ParameterError, "no uncertainty distribution"),
        ({"group": "nosection"}, ParameterError, "nosection"),
        ({"params": NAMES, "outcomes": ["no_such_metric"]}, ParameterError, "unknown outcome"),
        ({"params": NAMES, "scenario": "no-such-scenario"}, ScenarioError, "no-such-scenario"),
    ],
)
def test_bad_arguments_give_a_clear_error(kwargs, error, match):
    with pytest.raises(error, match=match):
        ema.build_ema_model(**kwargs)


def test_missing_workbench_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"pip install -e '\.\[ema\]'"):
        ema.build_ema_model(params=NAMES)


def test_experiments_give_finite_outcomes_of_the_right_length(results):
    experiments, outcomes = results
    assert len(experiments) == N_EXPERIMENTS
    assert set(outcomes) == set(sa.OUTPUTS)
    for name in NAMES:
        lo, hi = REGISTRY[name].uncertain_bounds
        col = experiments[ema.ema_name(name)]
        assert ((col >= lo) & (col <= hi)).all()
        assert col.nunique() == N_EXPERIMENTS  # a Latin hypercube: every value differs
    for name, y in outcomes.items():
        assert y.shape == (N_EXPERIMENTS,), name
        assert np.isfinite(y).all(), name
    # Common random numbers: outcomes differ by parameters only, and these parameters matter.
    assert np.ptp(outcomes["in_care_share"]) > 0
    assert np.ptp(outcomes["cost_per_year"]) > 0


def test_the_same_experiments_give_the_same_outcomes(results):
    experiments, outcomes = results
    again_x, again_y = _perform(ema.build_ema_model(params=NAMES, **SMALL))
    # The 'scenario' column numbers experiments with a counter global to the process; the rest is
    # the design (parameter values, policy, model).
    pd.testing.assert_frame_equal(
        experiments.drop(columns=["scenario"]), again_x.drop(columns=["scenario"])
    )
    for name in outcomes:
        np.testing.assert_array_equal(outcomes[name], again_y[name], err_msg=name)


def test_an_experiment_equals_the_sensitivity_run_with_the_same_values(results):
    experiments, outcomes = results
    row = [float(experiments[ema.ema_name(n)].iloc[0]) for n in NAMES]
    ref = sa._run_sample(
        "baseline",
        NAMES,
        row,
        SMALL["families"],
        SMALL["years"],
        SMALL["warmup_years"],
        SMALL["seed"],
        0,
    )["outputs"]
    for name in sa.OUTPUTS:
        assert outcomes[name][0] == ref[name], name


def test_a_different_seed_gives_different_outcomes(results):
    experiments, outcomes = results
    model = ema.build_ema_model(params=NAMES, **{**SMALL, "seed": SMALL["seed"] + 1})
    values = {n: float(experiments[ema.ema_name(n)].iloc[0]) for n in NAMES}
    other = model.function(**values)
    assert any(other[name] != outcomes[name][0] for name in sa.OUTPUTS)


def _toy(n: int = 300):
    """Two factors in EMA names; the outcome is the first factor (cases of interest: x1 high)."""
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"need__a_rate": rng.uniform(0, 1, n), "seek__b_weight": rng.uniform(0, 1, n)})
    return x, {"y": x["need__a_rate"].to_numpy().copy()}


def test_prim_boxes_find_the_box_of_a_toy_result():
    x, y = _toy()
    found = ema.prim_boxes(x, y, "y", threshold=0.7)
    lim = found.limits
    assert list(lim.index) == ["need.a_rate", "seek.b_weight"]
    assert list(lim.columns) == ["lower", "upper", "restricted"]
    assert lim.loc["need.a_rate", "restricted"]
    assert 0.6 < lim.loc["need.a_rate", "lower"] < 0.75
    assert not lim.loc["seek.b_weight", "restricted"]  # the outcome does not depend on it
    assert (lim["lower"] <= lim["upper"]).all()
    assert found.box.density > 0.9 and found.box.coverage > 0.5

    below = ema.prim_boxes(x, y, "y", threshold=0.3, above=False).limits
    assert below.loc["need.a_rate", "restricted"]
    assert 0.25 < below.loc["need.a_rate", "upper"] < 0.4
    assert not below.loc["seek.b_weight", "restricted"]


def test_prim_boxes_on_model_results(results):
    experiments, outcomes = results
    threshold = float(np.median(outcomes["cost_per_year"]))
    found = ema.prim_boxes(experiments, outcomes, "cost_per_year", threshold, mass_min=0.1)
    lim = found.limits
    assert list(lim.index) == NAMES  # the design columns (scenario, policy, model) are left out
    for name in NAMES:
        lo, hi = REGISTRY[name].uncertain_bounds
        assert lo <= lim.loc[name, "lower"] <= lim.loc[name, "upper"] <= hi
    assert 0 < found.box.coverage <= 1


def test_prim_boxes_without_cases_of_interest_is_a_clear_error():
    x, y = _toy()
    with pytest.raises(ValueError, match="no experiment has y above 2"):
        ema.prim_boxes(x, y, "y", threshold=2.0)
    with pytest.raises(ParameterError, match="unknown outcome 'z'"):
        ema.prim_boxes(x, y, "z", threshold=0.5)
