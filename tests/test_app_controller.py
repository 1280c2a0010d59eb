"""The workshop page's controller (sim.app.Controller), without a browser.

Skipped when solara is missing, unless YOUTHCARE_REQUIRE_ALL=1 (CI): then it fails.
"""

from __future__ import annotations

import os
import time

import mesa
import numpy as np
import pytest

try:
    import solara
except ImportError:
    if os.environ.get("YOUTHCARE_REQUIRE_ALL") == "1":
        raise
    pytest.skip("solara is not installed (pip install -e '.[app]')", allow_module_level=True)

from sim.app import CAPACITIES, CHARTS, Controller, capacity_sliders, form_label
from sim.params import REGISTRY, ParameterError
from sim.picture import CHART_REPORTERS
from sim.scenario import list_scenarios, load


@pytest.fixture(scope="module")
def ctl():
    c = Controller(families=600, warmup_years=0.2, horizon_years=2)
    yield c
    c.close()


def test_controls_come_from_the_scenarios_and_the_registry(ctl):
    files = list_scenarios()
    forms = {"baseline"} | {f.name for f in files if f.kind == "collaboration"}
    assert set(ctl.forms) == forms
    assert set(ctl.fundings) == {"baseline", "lumpsum"}
    for s in capacity_sliders():
        p = REGISTRY[s.name]
        assert s.default == p.default and s.hi == p.hi and s.lo >= p.lo
        assert s.unit["en"] == p.unit or p.unit in s.unit["en"]
        assert 0 < s.step <= (p.hi - p.lo) / 100
    assert [s.name for s in ctl.sliders] == list(CAPACITIES)
    for name in forms:  # every form has a Dutch and an English label
        assert form_label(name, "nl") and form_label(name, "en")


def test_switching_forms_undoes_the_previous_one(ctl):
    base = load("baseline").params
    ctl.apply_form("family-worker-weekly")
    assert ctl.value("practice_worker.hours_per_week") == 4.0
    assert ctl.value("practice_worker.same_person") is True
    ctl.step(2)
    ctl.apply_form("hart-voor-jeugd-en-gezin")
    hart = load("hart-voor-jeugd-en-gezin").params
    for k in ("practice_worker.hours_per_week", "practice_worker.same_person"):
        assert ctl.value(k) == base[k]
    for k in load("hart-voor-jeugd-en-gezin").overrides:
        assert ctl.value(k) == hart[k]
    ctl.apply_funding("lumpsum")
    assert ctl.value("funding.scheme") == "lumpsum"
    ctl.apply_funding("baseline")
    assert ctl.value("funding.scheme") == "pxq"
    assert (
        ctl.value("funding.lumpsum_budget_per_1000_children")
        == base["funding.lumpsum_budget_per_1000_children"]
    )
    labels = [e.label["en"] for e in ctl.events]
    assert "Youth and family worker weekly" in labels and "Hart voor jeugd en gezin" in labels
    ctl.apply_form("baseline")


def test_capacities_apply_between_weeks_and_are_validated(ctl):
    week = ctl.live_week
    ctl.set_capacity("wijkteam.fte_per_1000_children", 1.5)
    ctl.set_capacity("wijkteam.fte_per_1000_children", 1.6)  # dragged within one week
    assert ctl.value("wijkteam.fte_per_1000_children") == 1.6
    assert [e.week for e in ctl.events if e.key == "wijkteam.fte_per_1000_children"] == [week]
    with pytest.raises(ParameterError):
        ctl.set_capacity("specialist.places_per_1000_children", 1e9)


def test_structural_parameters_are_skipped_and_named(ctl, monkeypatch):
    f = ctl.forms["triple-p"]
    providers = ctl.value("specialist.providers")
    monkeypatch.setitem(f.overrides, "specialist.providers", providers + 1)
    skipped = ctl.apply_form("triple-p")
    assert skipped == ["specialist.providers"]
    assert ctl.value("specialist.providers") == providers
    assert ctl.value("gp.selfhelp_material") is True
    assert any("specialist.providers" in m.text["en"] for m in ctl.messages)
    monkeypatch.undo()
    ctl.apply_form("baseline")


def _chart_images(rc) -> dict[str, bytes]:
    from ipywidgets import Image

    return {c: bytes(w.value) for c, w in zip(CHARTS, rc.find(Image).widgets, strict=True)}


def test_the_charts_are_mesa_components_on_a_datacollector(ctl):
    """The model carries a mesa.DataCollector, collected every week (warm-up included), and
    each chart is a component called on the model that draws the collector's rows; draw_charts
    redraws them through Mesa's update_counter."""
    m = ctl.model
    dc = m.datacollector
    assert isinstance(dc, mesa.DataCollector)
    df = dc.get_model_vars_dataframe()
    assert list(df.columns) == list(CHART_REPORTERS) and len(df) == m.week
    cols = m.recorder.cols
    last = df.iloc[-1]
    assert last["wait_specialist"] == cols["n_waiting_specialist"][m.week - 1]
    assert last["wait_residential"] == cols["n_waiting_residential"][m.week - 1]
    assert last["ref_gp"] == pytest.approx(cols["new_gp"][max(0, m.week - 8) : m.week].mean())
    assert last["cost_total"] == pytest.approx(
        cols["cost_total"][max(0, m.week - 13) : m.week].mean() * 52 / 1e6
    )

    @solara.component
    def Charts():
        with solara.Column():
            for c in CHARTS:
                ctl.chart_components[c](ctl.model)

    _, rc = solara.render(Charts(), handle_error=False)
    before = _chart_images(rc)
    assert all(v[:4] == b"\x89PNG" for v in before.values())
    ctl.step(2)
    ctl.apply_form("hart-voor-jeugd-en-gezin")
    # Without Mesa's update_counter changing, nothing redraws.
    assert _chart_images(rc) == before
    draws = ctl.chart_draws
    ctl.draw_charts("en")
    assert ctl.chart_draws == draws + 1
    after = _chart_images(rc)
    # The chart shows the collector's last row: the lines end at the last live week.
    fig = ctl.chart_figures["waiting"]
    line = fig.lines["wait_specialist"]
    assert line.get_xdata()[-1] == m.week - 1 - m.warmup_weeks
    assert line.get_ydata()[-1] == dc.model_vars["wait_specialist"][-1]
    assert len(dc.get_model_vars_dataframe()) == ctl.model.week
    for c in CHARTS:
        assert after[c] != before[c], f"chart {c} did not change"
    assert ctl.chart_state.lang == "en"
    assert ctl.chart_state.events[-1][1] == "Hart voor jeugd en gezin"
    ctl.apply_form("baseline")


def test_play_pause_step_reset_and_render(ctl):
    f0 = ctl.render("nl")
    assert set(f0.images) == {"map"}
    assert f0.images["map"][:2] == b"\xff\xd8"  # JPEG
    w = ctl.live_week
    assert ctl.step(3) == 3 and ctl.live_week == w + 3
    f1 = ctl.render("en")
    assert f1.week == w + 3 and f1.images["map"] != f0.images["map"]
    ctl.set_speed("max")
    ctl.play()
    time.sleep(0.5)
    ctl.pause()
    assert not ctl.playing and ctl.live_week > w + 3
    ctl.set_speed("10")
    ctl.apply_form("poh-jeugd")
    ctl.reset()  # a new model with the chosen form, from week 0
    assert ctl.live_week == 0 and ctl.events == []
    assert len(ctl.model.datacollector.get_model_vars_dataframe()) == ctl.model.week
    assert (
        ctl.value("practice_worker.hours_per_week")
        == load("poh-jeugd").params["practice_worker.hours_per_week"]
    )
    counts = ctl.counts()
    assert counts.sum() == ctl.model.children.n and np.all(counts >= 0)
    ctl.apply_form("baseline")


def test_the_end_of_the_horizon_stops_the_run():
    c = Controller(families=300, warmup_years=0.1, horizon_years=0.05)
    try:
        left = c.model.total_weeks - c.model.week
        assert c.step(left + 5) == left and c.at_end
        assert c.messages and c.messages[-1].kind == "warning"
    finally:
        c.close()
