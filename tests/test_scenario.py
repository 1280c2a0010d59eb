"""Scenario files (sim/scenario.py): loading, validation messages, composition with '+'.

Every user error must be a ScenarioError with ONE line that names the file, the key, the value
and what is allowed (DESIGN §4, §6).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import scenario as sc
from sim import states as S
from sim.params import REGISTRY, Params
from sim.scenario import ScenarioError


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p.resolve())


def one_line_error(spec: str, extra=None) -> str:
    with pytest.raises(ScenarioError) as ei:
        sc.load(spec, extra=extra)
    msg = str(ei.value)
    assert msg and "\n" not in msg, repr(msg)
    assert "Traceback" not in msg
    return msg


# --- loading ---------------------------------------------------------------------------------
def test_baseline_loads_on_registry_defaults():
    s = sc.load("baseline")
    assert s.name == "baseline"
    assert [f.kind for f in s.files] == ["baseline"]
    assert isinstance(s.params, Params)
    base = sc.load_file(sc.SCENARIO_DIR / "baseline.toml")
    for k, v in base.overrides.items():
        assert s.params[k] == v
    for k in REGISTRY:
        if k not in base.overrides:
            assert s.params[k] == REGISTRY[k].default
    assert s.overrides == {}  # nothing set beyond the baseline


def test_every_scenario_file_in_the_folder_loads():
    files = sc.list_scenarios()
    assert any(f.name == "baseline" for f in files)
    for f in files:
        assert f.kind in sc.KINDS and f.title
        s = sc.load(f.name)
        for k, v in f.overrides.items():
            assert s.params[k] == v


def test_modifier_file_by_path_applies_on_top_of_baseline(tmp_path):
    path = write(
        tmp_path,
        "worker.toml",
        'kind = "collaboration"\ntitle = "Worker"\n[practice_worker]\nhours_per_week = 4.0\n'
        "[plan]\ndigital_family_plan = true\n",
    )
    s = sc.load(path)
    assert s.name == "worker"
    assert s.params["practice_worker.hours_per_week"] == 4.0
    assert s.params["plan.digital_family_plan"] is True
    assert s.overrides == {"practice_worker.hours_per_week": 4.0, "plan.digital_family_plan": True}
    assert s.params["funding.scheme"] == sc.load("baseline").params["funding.scheme"]
    # int given for a float parameter is coerced
    path2 = write(tmp_path, "w2.toml", 'kind = "modifier"\n[practice_worker]\nhours_per_week = 4\n')
    assert isinstance(sc.load(path2).params["practice_worker.hours_per_week"], float)


def test_composition_and_extra_overrides(tmp_path):
    a = write(
        tmp_path, "a.toml", 'kind = "collaboration"\n[practice_worker]\nhours_per_week = 4.0\n'
    )
    b = write(tmp_path, "b.toml", 'kind = "funding"\n[funding]\nscheme = "lumpsum"\n')
    s = sc.load(f"{a}+{b}", extra={"gp.detection": 0.7})
    assert s.name == "a+b"
    assert s.params["practice_worker.hours_per_week"] == 4.0
    assert s.params["funding.scheme"] == "lumpsum"
    assert s.params["gp.detection"] == 0.7
    # baseline may appear in a composition
    assert sc.load(f"baseline+{a}").params["practice_worker.hours_per_week"] == 4.0


# --- errors: one line, file, key, value, allowed -----------------------------------------------
def test_unknown_scenario_name():
    msg = one_line_error("no-such-scenario")
    assert "no-such-scenario" in msg and "baseline" in msg  # lists the known ones


def test_missing_file_path(tmp_path):
    msg = one_line_error(str(tmp_path / "missing.toml"))
    assert "missing.toml" in msg


def test_unknown_key_in_known_section_names_file_and_key(tmp_path):
    path = write(tmp_path, "typo.toml", 'kind = "modifier"\n[practice_worker]\nhour_per_week = 4\n')
    msg = one_line_error(path)
    assert path in msg and "practice_worker.hour_per_week" in msg


def test_unknown_key_message_names_value_and_allowed_keys(tmp_path):
    path = write(
        tmp_path, "typo.toml", 'kind = "modifier"\n[practice_worker]\nhour_per_week = 4.5\n'
    )
    msg = one_line_error(path)
    assert "4.5" in msg
    assert "hours_per_week" in msg  # the allowed keys of that section (or the closest one)


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, "top.toml", 'kind = "modifier"\nhours_per_week = 4\n')
    msg = one_line_error(path)
    assert path in msg and "hours_per_week" in msg and "practice_worker" in msg


def test_unknown_section_lists_allowed_sections(tmp_path):
    path = write(tmp_path, "sec.toml", 'kind = "modifier"\n[practise_worker]\nhours_per_week = 4\n')
    msg = one_line_error(path)
    assert path in msg and "practise_worker" in msg
    assert "practice_worker" in msg and "era" in msg


@pytest.mark.parametrize(
    "section,key,toml_value,shown,allowed",
    [
        ("practice_worker", "hours_per_week", '"four"', "'four'", "a number in [0, 40]"),
        ("practice_worker", "hours_per_week", "true", "True", "a number in [0, 40]"),
        ("practice_worker", "hours_per_week", "41.5", "41.5", "a number in [0, 40]"),
        ("practice_worker", "hours_per_week", "-1", "-1", "a number in [0, 40]"),
        ("practice_worker", "hours_per_week", "nan", "nan", "a number in [0, 40]"),
        ("practice_worker", "sessions_per_trajectory", "2.5", "2.5", "an integer in [1, 20]"),
        ("practice_worker", "sessions_per_trajectory", "21", "21", "an integer in [1, 20]"),
        ("plan", "digital_family_plan", "1", "1", "true or false"),
        ("funding", "scheme", '"pq"', "'pq'", "one of 'pxq', 'lumpsum'"),
        ("era", "rules", "2015", "2015", "one of '2015', 'pre2015'"),
    ],
)
def test_bad_value_names_file_key_value_and_allowed(
    tmp_path, section, key, toml_value, shown, allowed
):
    p = REGISTRY[f"{section}.{key}"]
    if p.kind in ("float", "int"):
        allowed = p.allowed()  # bounds come from the registry (they may be recalibrated)
    path = write(tmp_path, "bad.toml", f'kind = "modifier"\n[{section}]\n{key} = {toml_value}\n')
    msg = one_line_error(path)
    assert path in msg
    assert f"'{section}.{key}'" in msg
    assert f"= {shown} " in msg
    assert allowed in msg, msg


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_non_finite_integer_value_is_a_scenario_error(tmp_path, value):
    path = write(tmp_path, "inf.toml", f'kind = "modifier"\n[wijkteam]\nhelp_weeks = {value}\n')
    msg = one_line_error(path)
    assert "wijkteam.help_weeks" in msg


@pytest.mark.parametrize(
    "kind_line,shown",
    [('kind = "colaboration"', "'colaboration'"), ("", "None"), ("kind = 3", "3")],
)
def test_bad_kind(tmp_path, kind_line, shown):
    path = write(tmp_path, "kind.toml", f"{kind_line}\n[gp]\ndetection = 0.5\n")
    msg = one_line_error(path)
    assert path in msg and "'kind'" in msg and shown in msg
    for k in sc.KINDS:
        assert k in msg


def test_invalid_toml(tmp_path):
    path = write(tmp_path, "broken.toml", 'kind = "modifier"\n[gp\ndetection = = 0.5\n')
    msg = one_line_error(path)
    assert path in msg and "TOML" in msg


def test_non_utf8_file_is_a_scenario_error(tmp_path):
    p = tmp_path / "latin.toml"
    p.write_bytes('kind = "modifier"\ntitle = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ScenarioError) as ei:
        sc.load(str(p))
    assert str(p) in str(ei.value) and "\n" not in str(ei.value)


def test_title_must_be_a_string(tmp_path):
    path = write(tmp_path, "title.toml", 'kind = "modifier"\ntitle = 3\n')
    msg = one_line_error(path)
    assert path in msg and "title" in msg


def test_bad_sources_is_a_scenario_error(tmp_path):
    path = write(tmp_path, "src.toml", 'kind = "modifier"\nsources = 5\n')
    msg = one_line_error(path)
    assert path in msg and "sources" in msg


def test_only_funding_scenarios_set_funding_keys(tmp_path):
    path = write(tmp_path, "m.toml", 'kind = "modifier"\n[funding]\ncontract_years = 3\n')
    msg = one_line_error(path)
    assert path in msg and "funding" in msg and "'modifier'" in msg
    # a funding scenario may change a funding setting without choosing a scheme
    ok = write(tmp_path, "f.toml", 'kind = "funding"\n[funding]\ncontract_years = 3\n')
    s = sc.load(ok)
    assert s.params["funding.contract_years"] == 3
    assert s.params["funding.scheme"] == sc.load("baseline").params["funding.scheme"]


def test_a_warm_start_block_without_any_need_weight_names_file_and_keys(tmp_path):
    zero = "\n".join(f"unmet_need_{lv} = 0.0" for lv in ("light", "moderate", "severe", "crisis"))
    path = write(tmp_path, "z.toml", f'kind = "modifier"\n[init]\n{zero}\n')
    msg = one_line_error(path)
    assert path in msg and "init.unmet_need_" in msg and "above 0" in msg
    # three of four at 0 is a valid mix (all such children start in crisis)
    ok = write(
        tmp_path,
        "c.toml",
        'kind = "modifier"\n[init]\n' + zero.replace("crisis = 0.0", "crisis = 1.0") + "\n",
    )
    assert sc.load(ok).params["init.unmet_need_crisis"] == 1.0
    # spread over two files of a composition, or completed by extra overrides: named as well
    three = write(
        tmp_path,
        "t.toml",
        'kind = "modifier"\n[init]\n'
        + "\n".join(f"unmet_need_{lv} = 0.0" for lv in ("light", "moderate", "severe"))
        + "\n",
    )
    last = write(tmp_path, "l.toml", 'kind = "modifier"\n[init]\nunmet_need_crisis = 0.0\n')
    msg = one_line_error(f"{three}+{last}")
    assert three in msg and last in msg and "init.unmet_need_" in msg
    msg = one_line_error(three, extra={"init.unmet_need_crisis": 0.0})
    assert three in msg and "extra overrides" in msg


def test_key_set_by_two_files_names_both(tmp_path):
    a = write(
        tmp_path, "a.toml", 'kind = "collaboration"\n[practice_worker]\nhours_per_week = 4.0\n'
    )
    b = write(tmp_path, "b.toml", 'kind = "modifier"\n[practice_worker]\nhours_per_week = 8.0\n')
    msg = one_line_error(f"{a}+{b}")
    assert a in msg and b in msg and "practice_worker.hours_per_week" in msg


def test_two_funding_schemes_raise_naming_both(tmp_path):
    a = write(tmp_path, "lump.toml", 'kind = "funding"\n[funding]\nscheme = "lumpsum"\n')
    b = write(
        tmp_path, "pxq.toml", 'kind = "funding"\n[funding]\nscheme = "pxq"\n[gp]\ndetection = 0.5\n'
    )
    msg = one_line_error(f"{a}+{b}")
    assert a in msg and b in msg and "funding" in msg


def test_empty_name_in_composition():
    msg = one_line_error("baseline+")
    assert "baseline+" in msg


def test_bad_extra_override_is_a_scenario_error():
    msg = one_line_error("baseline", extra={"gp.detection": 2.0})
    assert "gp.detection" in msg and "2.0" in msg and REGISTRY["gp.detection"].allowed() in msg
    msg = one_line_error("baseline", extra={"gp.nothing": 1})
    assert "gp.nothing" in msg


def test_a_warm_start_block_without_any_referrer_weight_names_file_and_keys(tmp_path):
    zero = "\n".join(f"residential_referrer_{r} = 0.0" for r in S.REFERRERS)
    path = write(tmp_path, "r.toml", f'kind = "modifier"\n[init]\n{zero}\n')
    msg = one_line_error(path)
    assert path in msg and "init.residential_referrer_" in msg and "above 0" in msg
