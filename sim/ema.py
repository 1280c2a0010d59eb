"""The model under the EMA Workbench, for scenario discovery with PRIM (optional: the ``ema`` extra).

``build_ema_model`` returns an ``ema_workbench.Model`` whose uncertainties are the registry's
uncertain parameters with the bounds of their uncertainty distributions: the same parameters and
bounds that ``youthcare sensitivity`` gives SALib (``sim.sensitivity.select_parameters`` and
``problem``; no second list). The workbench samples them uniformly over those bounds, as SALib
does, whatever the registry's distribution inside them. Its outcomes are summary metrics of a run,
named as in ``sim.compare.METRICS`` (by default ``sim.sensitivity.OUTPUTS``). Each experiment runs
the scenario with the sampled values as overrides (``Params.replace``: validated, integers
rounded) through ``sim.experiment.run_model`` with one model seed for every experiment,
``SeedSequence(seed, spawn_key=(0,))`` as in ``youthcare sensitivity`` (common random numbers:
the same values give the same outcomes, and outcomes differ by parameters, not by luck).
``prim_boxes`` runs PRIM on the results for the cases where an outcome is above (or below) a
threshold and returns the box limits in registry names.

The workbench wants parameter names that are Python identifiers, so a registry name such as
``need.escalation_per_week`` is ``need__escalation_per_week`` in the experiments table
(``ema_name`` and ``registry_name`` translate); the model function receives registry names.

Usage (``pip install -e '.[ema]'`` or ``scripts/setup.sh ema``)::

    from ema_workbench import SequentialEvaluator, perform_experiments
    from sim.ema import build_ema_model, prim_boxes

    model = build_ema_model(group="need", families=5000, years=5, warmup_years=3)
    with SequentialEvaluator(model) as evaluator:  # or MultiprocessingEvaluator(model)
        experiments, outcomes = perform_experiments(
            model, scenarios=200, evaluator=evaluator, uncertainty_sampling_kwargs={"rng": 1}
        )
    found = prim_boxes(experiments, outcomes, "wait_mean", threshold=14.0)  # weeks
    print(found.limits)  # per parameter: lower, upper, restricted
    found.box.show_tradeoff()  # the PRIM box: coverage against density

API as documented by the EMA Workbench (https://emaworkbench.readthedocs.io/, tutorial "A simple
model in Python" and the API pages of ``em_framework.model``, ``parameters``, ``outcomes``,
``evaluators`` and ``analysis.prim``) and checked against the 3.0.0 source:
``Model(name, function=...)`` with ``uncertainties`` and ``outcomes``;
``RealParameter(name, lower_bound, upper_bound, variable_name=...)`` and ``IntegerParameter``;
``ScalarOutcome(name)``; ``perform_experiments(models, scenarios=n, evaluator=...,
uncertainty_sampling_kwargs={"rng": ...})`` returning ``(experiments DataFrame, {outcome:
ndarray})``; ``SequentialEvaluator(model)`` (an instance, not the class); ``prim.Prim(x, y,
peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)`` with ``y`` the boolean cases of interest (3.0
has no ``threshold`` argument) and ``Prim.find_box()`` returning a ``PrimBox`` whose ``box_lim``
has the minimum (row 0) and maximum (row 1) per column. Names must be Python identifiers since 3.0.
"""

from __future__ import annotations

import importlib
import math
import warnings
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from sim.compare import METRICS
from sim.experiment import run_model
from sim.params import REGISTRY, ParameterError, Params
from sim.scenario import load
from sim.sensitivity import OUTPUTS, problem, select_parameters

if TYPE_CHECKING:  # pragma: no cover - types only
    from types import ModuleType

    from ema_workbench import Model
    from ema_workbench.analysis.prim import Prim, PrimBox

INSTALL_HINT = "pip install -e '.[ema]' (or scripts/setup.sh ema)"
MODEL_NAME = "youthcare"
_SEP = "__"  # stands for the registry's '.' in EMA names (no registry name contains '__')
_READERS = {col: read for col, _, _, read in METRICS}
_DESIGN_COLUMNS = ("scenario", "policy", "model")  # added by perform_experiments, not factors


def import_ema(module: str = "ema_workbench") -> ModuleType:
    """``module`` of the EMA Workbench, imported now; ImportError naming the install command when
    the workbench is missing."""
    try:
        with warnings.catch_warnings():
            # ema_workbench warns on import that ipyparallel (a cluster evaluator) is missing.
            warnings.filterwarnings("ignore", message="ipyparallel not installed")
            return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"sim.ema needs the EMA Workbench (ema-workbench==3.0.0): {INSTALL_HINT} ({e})"
        ) from e


def ema_name(name: str) -> str:
    """The EMA Workbench name (a Python identifier) of registry parameter ``name``."""
    return name.replace(".", _SEP)


def registry_name(name: str) -> str:
    """The registry name of EMA parameter ``name`` (inverse of ``ema_name``)."""
    return name.replace(_SEP, ".")


class YouthCareFunction:
    """The function an EMA ``Model`` calls: one run with the sampled values (registry names as
    keyword arguments) as overrides on the scenario; returns ``{outcome: value}`` in the units of
    ``sim.compare.METRICS``. A class, not a closure, so that a MultiprocessingEvaluator can
    pickle it."""

    def __init__(
        self,
        scenario: str,
        base: Params,
        names: list[str],
        outcomes: list[str],
        families: int,
        years: float,
        warmup_years: float,
        seed: int,
    ) -> None:
        self.scenario = scenario
        self.base = base
        self.names = list(names)
        self.outcomes = list(outcomes)
        self.families = families
        self.years = years
        self.warmup_years = warmup_years
        self.seed = seed

    def __call__(self, **values: float) -> dict[str, float]:
        # As in youthcare sensitivity: integer parameters take the nearest integer.
        overrides = {
            n: (int(round(values[n])) if REGISTRY[n].kind == "int" else float(values[n]))
            for n in self.names
        }
        summary, _ = run_model(
            self.base.replace(overrides),
            self.families,
            self.years,
            self.warmup_years,
            np.random.SeedSequence(self.seed, spawn_key=(0,)),
            self.scenario,
        )
        return {o: float(_READERS[o](summary)) for o in self.outcomes}


def build_ema_model(
    params: list[str] | None = None,
    group: str | None = None,
    outcomes: list[str] | None = None,
    scenario: str = "baseline",
    families: int = 2000,
    years: float = 3.0,
    warmup_years: float = 1.0,
    seed: int = 0,
) -> Model:
    """An ``ema_workbench.Model`` of ``scenario``: uncertainties are the registry parameters named
    in ``params``, or the uncertain ones of registry section ``group``, or every uncertain one,
    bounded by their uncertainty distributions; outcomes are ``outcomes`` (names of
    ``sim.compare.METRICS``; default ``sim.sensitivity.OUTPUTS``). Each experiment runs
    ``families`` families for ``years`` measured years after ``warmup_years`` years of warm-up,
    with the model seed derived from ``seed`` alone (the same for every experiment).

    Raises ParameterError for an unknown or fixed parameter, an unknown group or outcome, and
    ScenarioError for an unknown scenario.
    """
    ema = import_ema()
    names = select_parameters(params, group)
    outcomes = list(dict.fromkeys(outcomes)) if outcomes else list(OUTPUTS)
    unknown = [o for o in outcomes if o not in _READERS]
    if unknown:
        raise ParameterError(
            f"unknown outcome(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(_READERS)}"
        )
    base = load(scenario).params  # fails here, not in the first experiment
    uncertainties = []
    for name, (lo, hi) in zip(names, problem(names)["bounds"], strict=True):
        if REGISTRY[name].kind == "int":
            p = ema.IntegerParameter(
                ema_name(name), math.ceil(lo), math.floor(hi), variable_name=name
            )
        else:
            p = ema.RealParameter(ema_name(name), float(lo), float(hi), variable_name=name)
        uncertainties.append(p)
    fn = YouthCareFunction(scenario, base, names, outcomes, families, years, warmup_years, seed)
    model = ema.Model(MODEL_NAME, function=fn)
    model.uncertainties = uncertainties
    model.outcomes = [ema.ScalarOutcome(o) for o in outcomes]
    return model


class PrimResult(NamedTuple):
    """What ``prim_boxes`` found: the PRIM object, its first box, and that box's limits."""

    prim: Prim
    box: PrimBox
    limits: pd.DataFrame


def prim_boxes(
    experiments: pd.DataFrame,
    outcomes: dict[str, np.ndarray],
    outcome: str,
    threshold: float,
    above: bool = True,
    **prim_kwargs: Any,
) -> PrimResult:
    """PRIM (``ema_workbench.analysis.prim.Prim``) on the experiments for the cases where
    ``outcome`` is above ``threshold`` (or below it with ``above=False``; in the outcome's unit).

    Returns the PRIM object, its first box (at the end of its peeling trajectory: densest) and the
    box limits: one row per parameter (registry names) with ``lower``, ``upper`` (in the
    parameter's unit) and ``restricted`` (narrower than the range the experiments cover).
    ``prim_kwargs`` go to ``Prim`` (``peel_alpha``, ``paste_alpha``, ``mass_min``).
    """
    prim = import_ema("ema_workbench.analysis.prim")
    if outcome not in outcomes:
        raise ParameterError(f"unknown outcome {outcome!r}; allowed: {', '.join(outcomes)}")
    y = np.asarray(outcomes[outcome], dtype=float)
    if len(y) != len(experiments):
        raise ValueError(f"{len(y)} outcomes for {len(experiments)} experiments")
    cases = y > threshold if above else y < threshold  # NaN counts as not of interest
    if not cases.any():
        side = "above" if above else "below"
        raise ValueError(
            f"no experiment has {outcome} {side} {threshold:g}: PRIM needs cases of interest"
        )
    x = experiments.drop(columns=[c for c in _DESIGN_COLUMNS if c in experiments.columns])
    with warnings.catch_warnings():
        # ema_workbench 3.0.0 calls DataFrame.drop(inplace=True), which pandas 3.1 deprecates.
        warnings.filterwarnings("ignore", message="The inplace keyword")
        alg = prim.Prim(x.reset_index(drop=True), cases, **prim_kwargs)
        box = alg.find_box()
    lim, init = box.box_lim, alg.box_init
    limits = pd.DataFrame(
        {
            "lower": [lim[c].iloc[0] for c in lim.columns],
            "upper": [lim[c].iloc[1] for c in lim.columns],
            "restricted": [
                bool(lim[c].iloc[0] != init[c].iloc[0] or lim[c].iloc[1] != init[c].iloc[1])
                for c in lim.columns
            ],
        },
        index=pd.Index([registry_name(c) for c in lim.columns], name="parameter"),
    )
    return PrimResult(alg, box, limits)
