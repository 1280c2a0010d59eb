"""The parameter registry (sim/params.py): defaults, bounds, validation messages, sampling.

No test asserts a calibrated value: defaults change while the model is calibrated. Every test
checks a structural property that must hold whatever the values are.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import params as P
from sim.params import REGISTRY, SECTIONS, Param, ParameterError, Params

ALL = sorted(REGISTRY)
NUMERIC = [n for n in ALL if REGISTRY[n].kind in ("float", "int")]
UNCERTAIN = [p.name for p in P.uncertain_parameters()]


def test_registry_is_not_empty_and_names_are_dotted():
    assert len(REGISTRY) > 50
    for name, p in REGISTRY.items():
        assert p.name == name
        section, _, key = name.partition(".")
        assert section and key, name
        assert section in SECTIONS
        assert p.kind in ("float", "int", "bool", "choice"), name
        assert p.source, f"{name}: every parameter records a source (or 'assumption')"
        assert p.unit, name


@pytest.mark.parametrize("name", ALL)
def test_default_validates_and_lies_in_bounds(name):
    p = REGISTRY[name]
    v = p.validate(p.default)
    assert v == p.default
    if p.kind in ("float", "int"):
        assert p.lo is not None and p.hi is not None, f"{name}: numeric parameter without bounds"
        assert p.lo <= p.hi
        assert p.lo <= p.default <= p.hi
        if p.kind == "int":
            assert isinstance(p.default, int) and not isinstance(p.default, bool)
    elif p.kind == "bool":
        assert isinstance(p.default, bool)
    else:
        assert p.choices and p.default in p.choices


@pytest.mark.parametrize("name", UNCERTAIN)
def test_uncertainty_distribution_inside_hard_bounds(name):
    p = REGISTRY[name]
    assert p.kind in ("float", "int")
    assert p.dist[0] in ("uniform", "triangular")
    lo, hi = p.uncertain_bounds
    assert lo < hi, f"{name}: degenerate distribution {p.dist}"
    assert p.lo <= lo and hi <= p.hi, f"{name}: dist {p.dist} outside hard bounds [{p.lo}, {p.hi}]"
    if p.dist[0] == "triangular":
        assert lo <= p.dist[2] <= hi
    # The default is a plausible draw: inside the uncertainty range.
    assert lo <= p.default <= hi, f"{name}: default {p.default} outside its distribution {p.dist}"


def test_fixed_parameters_have_no_uncertain_bounds():
    fixed = [p for p in REGISTRY.values() if p.dist is None]
    assert fixed
    for p in fixed:
        assert p.uncertain_bounds is None
        assert p.sample(0.3) == p.default


def test_params_mapping_holds_every_default():
    ps = Params()
    assert len(ps) == len(REGISTRY)
    assert set(ps) == set(REGISTRY)
    for n, p in REGISTRY.items():
        assert ps[n] == p.default
    assert ps.to_dict() == {n: p.default for n, p in REGISTRY.items()}


def _bad_values(p: Param) -> list:
    """Values a parameter must refuse: wrong type or outside its bounds."""
    if p.kind == "choice":
        return ["no-such-choice", 1, None, True]
    if p.kind == "bool":
        return [1, 0, "true", None, 1.0]
    bad = ["1", None, True, [1], p.hi + max(1.0, abs(p.hi)), p.lo - max(1.0, abs(p.lo))]
    bad += [float("nan"), float("inf"), float("-inf")]
    if p.kind == "int":
        bad.append(p.lo + 0.5)
    return bad


@pytest.mark.parametrize("name", ALL)
def test_validate_rejects_wrong_type_and_out_of_range_with_allowed_range(name):
    p = REGISTRY[name]
    allowed = p.allowed()
    if p.kind in ("float", "int"):
        assert f"[{p.lo:g}, {p.hi:g}]" in allowed
    for bad in _bad_values(p):
        with pytest.raises(ParameterError) as ei:
            P.validate_values({name: bad}, origin="test.toml")
        msg = str(ei.value)
        assert "\n" not in msg
        assert msg.startswith("test.toml: ")
        assert repr(name) in msg
        assert repr(bad) in msg
        assert allowed in msg, msg


@pytest.mark.parametrize("name", [n for n in NUMERIC if REGISTRY[n].kind == "float"])
def test_validate_accepts_bounds_and_coerces_numbers(name):
    p = REGISTRY[name]
    assert p.validate(p.lo) == p.lo and isinstance(p.validate(p.lo), float)
    assert p.validate(p.hi) == p.hi
    if float(p.lo).is_integer():
        assert isinstance(p.validate(int(p.lo)), float)
    assert type(p.validate(np.float64(p.hi))) is float


@pytest.mark.parametrize("name", [n for n in NUMERIC if REGISTRY[n].kind == "int"])
def test_int_parameters_accept_integral_floats(name):
    p = REGISTRY[name]
    v = p.validate(float(p.lo))
    assert v == p.lo and isinstance(v, int)
    assert isinstance(p.validate(np.int64(p.hi)), int)


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_int_parameter_rejects_non_finite_with_parameter_error(bad):
    name = next(n for n in NUMERIC if REGISTRY[n].kind == "int")
    with pytest.raises(ParameterError):
        P.validate_values({name: bad})


def test_unknown_parameter_is_rejected():
    with pytest.raises(ParameterError, match="unknown parameter 'nope.nothing'"):
        Params({"nope.nothing": 1})
    with pytest.raises(ParameterError, match="unknown parameter"):
        P.describe("nope.nothing")
    assert P.describe(ALL[0]) is REGISTRY[ALL[0]]


def test_replace_returns_validated_copy_and_leaves_original():
    name = next(
        n for n in NUMERIC if REGISTRY[n].kind == "float" and REGISTRY[n].lo < REGISTRY[n].hi
    )
    p = REGISTRY[name]
    new_value = p.hi if p.default != p.hi else p.lo
    base = Params()
    new = base.replace({name: new_value})
    assert new[name] == new_value
    assert base[name] == p.default  # original untouched
    assert all(new[n] == base[n] for n in ALL if n != name)
    # chained replacements keep earlier ones
    bname = next(n for n in ALL if REGISTRY[n].kind == "bool")
    newer = new.replace({bname: not REGISTRY[bname].default})
    assert newer[name] == new_value and newer[bname] is (not REGISTRY[bname].default)
    with pytest.raises(ParameterError):
        base.replace({name: p.hi + 1e6})
    with pytest.raises(ParameterError):
        base.replace({"no.such": 1})


def test_params_is_read_only():
    ps = Params()
    with pytest.raises(TypeError):
        ps[ALL[0]] = 1  # type: ignore[index]


@given(st.floats(min_value=0.0, max_value=1.0, exclude_max=True), st.sampled_from(UNCERTAIN))
def test_sample_maps_unit_interval_into_dist_bounds(u, name):
    p = REGISTRY[name]
    lo, hi = p.uncertain_bounds
    x = float(p.sample(u))
    assert lo <= x <= hi
    assert math.isfinite(x)
    if p.kind == "float":
        assert p.validate(x) == x  # a draw is always an allowed value


@given(
    st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    st.sampled_from(["uniform", "triangular"]),
    st.floats(min_value=-100, max_value=100),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_sample_is_monotone_and_bounded_for_both_distributions(u1, u2, kind, lo, width, modepos):
    hi = lo + width
    dist = (
        ("uniform", lo, hi) if kind == "uniform" else ("triangular", lo, lo + modepos * width, hi)
    )
    p = Param("x.y", lo, "-", lo, hi, dist=dist)
    a, b = sorted((u1, u2))
    xa, xb = p.sample(a), p.sample(b)
    eps = 1e-9 * max(1.0, abs(lo), abs(hi))
    assert lo - eps <= xa <= xb + eps <= hi + 2 * eps


def test_triangular_sample_matches_scipy_quantiles():
    from scipy import stats

    p = Param("x.y", 2.0, "-", 0, 10, dist=("triangular", 1.0, 2.0, 5.0))
    u = np.linspace(0.001, 0.999, 57)
    ours = np.array([p.sample(x) for x in u])
    ref = stats.triang.ppf(u, c=(2.0 - 1.0) / (5.0 - 1.0), loc=1.0, scale=4.0)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_sample_uncertain_checks_length_and_maps_every_parameter():
    ps = P.uncertain_parameters()
    with pytest.raises(ValueError):
        P.sample_uncertain(np.zeros(len(ps) + 1))
    vals = P.sample_uncertain(np.full(len(ps), 0.5))
    assert list(vals) == [p.name for p in ps]
    Params(vals)  # every draw is a valid parameter set
    low = P.sample_uncertain(np.zeros(len(ps)))
    assert all(low[p.name] == pytest.approx(p.uncertain_bounds[0]) for p in ps)
