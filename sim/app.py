"""The workshop's visual simulation: a Solara page (``Page``) and the controller that runs the model.

Start it with ``youthcare app`` (or ``solara run sim.app --production``). The page works with no
internet: solara-assets 1.58.2 installs Solara's front-end into ``<venv>/share/solara/cdn``, the
folder that Solara's asset proxy serves ``/_solara/cdn/...`` from; ``sim.app_cli`` keeps that
proxy on and Solara's telemetry and version check off. The page is laid out with plain Solara
components (``Columns``, ``Card``); SolaraViz's draggable grid does not render offline.

What it shows: the municipality (``sim.picture.MunicipalityPicture``: neighbourhoods, GP
practices, wijkteams, JGZ, providers; one dot per child with a need, coloured by care state,
moving along the referral routes), live charts (waiting list, new trajectories by referrer,
cost) that are Mesa visualization components on a ``mesa.DataCollector``, controls for the collaboration form, the funding scheme and the main capacities (labels,
units, bounds and defaults from the parameter registry), applied between weeks; play, pause,
step and reset; Dutch and English labels.

``Controller`` owns one model per browser session and steps it in a background thread at the
chosen speed; every change of a parameter takes the model's lock, so it lands between two weeks.
The page redraws the picture a few times a second from a snapshot taken under that lock.

The charts are Mesa visualization components in Mesa's custom-component form: the controller
gives the model a ``mesa.DataCollector`` (``model.datacollector``, reporters
``sim.picture.CHART_REPORTERS``) and collects after every week; each chart is a Solara component
called on the model (as ``mesa.visualization.make_plot_component`` returns), that reads Mesa's
``update_counter`` and so redraws when ``force_update`` is called, and draws the collector's rows
on a persistent, blitted matplotlib figure (``sim.picture.ChartFigure.from_collector``).
Mesa's own ``PlotMatplotlib`` builds a new figure and saves it with ``bbox_inches="tight"`` at
every redraw: 0.15-0.25 s a chart in the running app, 0.6 s for the three, which held the charts
to one redraw every two seconds (``benchmarks/bench_app.py``); the blitted figure takes a few
milliseconds, so the charts redraw with the picture. (Mesa's altair backend is not used:
Solara's Vega-Lite widget loads ``vega@5`` from the CDN, which solara-assets 1.58.2 does not
carry, so it stays blank offline.)
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

import mesa
import numpy as np
import solara
from mesa.visualization.utils import force_update, update_counter

from sim import states as S
from sim.app_cli import (
    DEFAULT_FAMILIES,
    DEFAULT_SPEED,
    DEFAULT_WARMUP_YEARS,
    ENV_FAMILIES,
    ENV_LANG,
    ENV_SEED,
    ENV_SPEED,
    ENV_WARMUP,
    SPEEDS,
)
from sim.model import YouthCareModel
from sim.params import REGISTRY, ParameterError, Params
from sim.picture import (
    CHART_REPORTERS,
    CHARTS,
    ChartFigure,
    ChartState,
    MunicipalityPicture,
    form_label,
    funding_label,
    tr,
)
from sim.population import WEEKS_PER_YEAR
from sim.scenario import list_scenarios, load

HORIZON_YEARS = 100.0  # weeks the model can run after the warm-up before it asks for a reset
FRAME_SECONDS = 0.25  # target time between two redraws of the picture while playing (4 per second)
CHART_SECONDS = FRAME_SECONDS  # the charts redraw at most this often while playing ...
CHART_SHARE = 0.4  # ... and take at most this share of the time (all three: ~0.05 s in the app)

# The main capacities in the controls (label, unit, bounds and default from the registry).
CAPACITIES = (
    "wijkteam.fte_per_1000_children",
    "specialist.places_per_1000_children",
    "residential.places_per_1000_children",
    "practice_worker.hours_per_week",
)
# set_params scales these capacities by new / old value, so a value of 0 could not come back:
# their sliders stop one step above 0.
_SCALED = {
    "wijkteam.fte_per_1000_children",
    "specialist.places_per_1000_children",
    "residential.places_per_1000_children",
}

# Dutch labels and units of the capacity sliders (English: the registry's doc and unit).
PARAM_LABELS_NL = {
    "wijkteam.fte_per_1000_children": "Wijkteam: fte jeugd",
    "specialist.places_per_1000_children": "Specialistische jeugdhulp: plaatsen",
    "residential.places_per_1000_children": "Jeugdhulp met verblijf: plaatsen",
    "practice_worker.hours_per_week": "Praktijkondersteuner: uren aanwezig",
}
PARAM_LABELS_EN = {
    "wijkteam.fte_per_1000_children": "Wijkteam: youth FTE",
    "specialist.places_per_1000_children": "Specialist care: places",
    "residential.places_per_1000_children": "Residential care: places",
    "practice_worker.hours_per_week": "Practice worker: hours present",
}
UNITS_NL = {
    "FTE/1000 children": "fte per 1000 kinderen",
    "places/1000 children": "plaatsen per 1000 kinderen",
    "hours/week": "uur per week per praktijk",
}
UNITS_EN = {"hours/week": "hours/week per practice"}


def year_of(week: int) -> int:
    """The year (1, 2, ...) of the measured period that ``week`` weeks done fall in: weeks 1-52
    are year 1, so the last week of a 100-year horizon (5200) is in year 100, and week 0 (the
    start) is year 1."""
    return max(week - 1, 0) // WEEKS_PER_YEAR + 1


APP_TEXT = {
    "nl": {
        "play": "Start",
        "pause": "Pauze",
        "step": "Stap",
        "reset": "Opnieuw",
        "speed": "Snelheid (weken per seconde)",
        "run": "Simulatie",
        "form": "Samenwerkingsvorm",
        "funding": "Financiering",
        "capacity": "Capaciteit",
        "language": "Taal",
        "default": "standaard",
        "status": "Week {week} (jaar {year}) · {wps} weken/s · {fps} beelden/s · "
        "{cps} grafieken/s · {families} gezinnen",
        "applied": "Week {week}: {what}",
        "skipped": "Niet toegepast (structureel; geldt na Opnieuw): {names}",
        "end": "Einde van de horizon ({years:g} jaar): druk op Opnieuw.",
        "reset_note": "Opnieuw start met de gekozen vorm, financiering en capaciteit "
        "(na {warmup:g} jaar inloop).",
        "between_weeks": "Wijzigingen gaan in tussen twee weken.",
        "charts": "Grafieken",
    },
    "en": {
        "play": "Play",
        "pause": "Pause",
        "step": "Step",
        "reset": "Reset",
        "speed": "Speed (weeks per second)",
        "run": "Simulation",
        "form": "Collaboration form",
        "funding": "Funding",
        "capacity": "Capacity",
        "language": "Language",
        "default": "default",
        "status": "Week {week} (year {year}) · {wps} weeks/s · {fps} frames/s · "
        "{cps} charts/s · {families} families",
        "applied": "Week {week}: {what}",
        "skipped": "Not applied (structural; takes effect after Reset): {names}",
        "end": "End of the horizon ({years:g} years): press Reset.",
        "reset_note": "Reset starts again with the chosen form, funding and capacities "
        "(after a {warmup:g}-year warm-up).",
        "between_weeks": "Changes take effect between two weeks.",
        "charts": "Charts",
    },
}


def t(key: str, lang: str) -> str:
    """A label of the page (``APP_TEXT``) or of the picture (``sim.picture.TEXT``)."""
    table = APP_TEXT.get(lang, APP_TEXT["en"])
    return table.get(key) or APP_TEXT["en"].get(key) or tr(key, lang)


def _both(fn) -> dict[str, str]:
    return {lang: fn(lang) for lang in APP_TEXT}


def _nice_step(lo: float, hi: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that divides the range into at most 200 steps."""
    span = max(hi - lo, 1e-12) / 200.0
    k = math.floor(math.log10(span))
    for m in (1, 2, 5, 10):
        if m * 10.0**k >= span * (1 - 1e-9):
            return m * 10.0**k
    return 10.0 ** (k + 1)


@dataclass(frozen=True)
class Slider:
    """A capacity slider, all numbers from the registry."""

    name: str
    label: dict[str, str]
    unit: dict[str, str]
    lo: float
    hi: float
    step: float
    default: float


def capacity_sliders(names=CAPACITIES) -> list[Slider]:
    out = []
    for name in names:
        p = REGISTRY[name]
        step = 1.0 if p.kind == "int" else _nice_step(p.lo, p.hi)
        lo = float(p.lo)
        if name in _SCALED and lo <= 0:
            lo = step
        doc = p.doc.rstrip(".")
        out.append(
            Slider(
                name=name,
                label={
                    "nl": PARAM_LABELS_NL.get(name, doc),
                    "en": PARAM_LABELS_EN.get(name, doc),
                },
                unit={"nl": UNITS_NL.get(p.unit, p.unit), "en": UNITS_EN.get(p.unit, p.unit)},
                lo=lo,
                hi=float(p.hi),
                step=step,
                default=float(p.default),
            )
        )
    return out


def _fmt(x: float, lang: str, digits: int = 1) -> str:
    s = f"{x:,.{digits}f}"
    if lang == "nl":
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
    return s


@dataclass
class Event:
    week: int  # weeks since the start of the live run
    label: dict[str, str]
    key: str = ""


@dataclass
class Message:
    text: dict[str, str]
    kind: str = "info"  # info, warning or error


@dataclass
class Frame:
    """One redraw of the picture (JPEG) and the status numbers."""

    images: dict[str, bytes]
    week: int
    weeks_per_second: float
    frames_per_second: float
    number: int = 0
    events: list = field(default_factory=list)
    charts_per_second: float = 0.0


class LockedDataCollector(mesa.DataCollector):
    """A ``mesa.DataCollector`` whose rows are written and read under the controller's lock.

    The model steps in one thread and the page's charts read the collector in another: a row is
    appended column by column, so a table read half-way would have columns of unequal length.
    """

    def __init__(self, lock, **kwargs):
        super().__init__(**kwargs)
        self._lock = lock

    def collect(self, model) -> None:
        with self._lock:
            super().collect(model)

    def get_model_vars_dataframe(self):
        with self._lock:
            return super().get_model_vars_dataframe()


def make_chart_component(figure: ChartFigure, state: ChartState, lock: threading.RLock):
    """A Mesa visualization component for one chart: call it with the model to get its Solara
    element (as the first item that ``make_plot_component`` returns).

    It follows Mesa's custom-component form: it reads ``update_counter``, so Mesa's
    ``force_update`` redraws it, and it plots the model's ``mesa.DataCollector``. The drawing
    is ``figure`` (a persistent ``ChartFigure``, blitted) rather than a new figure per redraw;
    ``state`` gives the language, the warm-up, the change markers and the expected wait.
    ``lock`` is the controller's: rows are read between two weeks.
    """

    @solara.component
    def LiveChart(model):
        update_counter.get()
        with figure.lock:  # one thread at a time draws this figure (or resets it)
            with lock:  # reads only the rows the axes show
                figure.set_lang(state.lang)
                figure.from_collector(
                    model.datacollector.model_vars,
                    state.warmup_weeks,
                    state.events,
                    state.expected_wait,
                )
            png = figure.png()
        solara.Image(png, format="png")

    return LiveChart


class Controller:
    """Owns one model and steps it: play, pause, step, reset, and parameter changes between weeks.

    Thread-safe: the stepping thread and every change take ``lock``, so changes land between
    weeks. ``render(lang)`` takes a snapshot under the lock and draws the picture outside it.
    The model carries a ``mesa.DataCollector`` (``model.datacollector``) collected after every
    week, warm-up included; ``chart_components`` are the chart components on it (call one with
    the model to get its Solara element, as with ``make_plot_component``) and ``draw_charts``
    has them redrawn.
    """

    def __init__(
        self,
        families: int = DEFAULT_FAMILIES,
        seed: int = 0,
        warmup_years: float = DEFAULT_WARMUP_YEARS,
        horizon_years: float = HORIZON_YEARS,
        speed: str = DEFAULT_SPEED,
        lang: str = "nl",
    ):
        self.families = int(families)
        self.seed = int(seed)
        self.warmup_years = float(warmup_years)
        self.horizon_years = float(horizon_years)
        self.speed = speed if speed in SPEEDS else DEFAULT_SPEED
        self.lang = lang
        self.lock = threading.RLock()
        self.render_lock = threading.Lock()
        files = {f.name: f for f in list_scenarios()}
        self.forms = {"baseline": files["baseline"]} | {
            n: f for n, f in files.items() if f.kind == "collaboration"
        }
        self.fundings = {"baseline": files["baseline"]}
        if "lumpsum" in files:
            self.fundings["lumpsum"] = files["lumpsum"]
        self.sliders = capacity_sliders()
        self.base = load("baseline").params
        self.form = "baseline"
        self.funding = "baseline"
        self.capacity: dict[str, float] = {}
        self.events: list[Event] = []
        self.messages: deque[Message] = deque(maxlen=3)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._idle = threading.Event()  # cleared while a frame is drawn: drawing goes first
        self._idle.set()
        self._week_times: deque[float] = deque(maxlen=4000)
        self._frame_times: deque[float] = deque(maxlen=200)
        self._chart_times: deque[float] = deque(maxlen=200)
        self.frames = 0
        self.chart_draws = 0
        self.chart_seconds = 0.0  # how long the last redraw of the charts took
        self.weeks_stepped = 0
        # The charts: one component per chart, made once so that the page re-renders them
        # only when Mesa's update_counter changes (or the model is replaced).
        self.chart_state = ChartState(lang=lang)
        self.chart_figures = {c: ChartFigure(c, lang=lang) for c in CHARTS}
        self.chart_components = {
            c: make_chart_component(self.chart_figures[c], self.chart_state, self.lock)
            for c in CHARTS
        }
        self.model: YouthCareModel
        self.reset()

    # -- the model ---------------------------------------------------------------------------
    def _overrides(self, files: dict, name: str) -> dict:
        return {} if name == "baseline" else dict(files[name].overrides)

    def scenario_spec(self) -> str:
        parts = [n for n in (self.form, self.funding) if n != "baseline"]
        return "+".join(parts) or "baseline"

    def reset(self) -> None:
        """A new model with the chosen form, funding and capacities, warmed up."""
        self.pause()
        scen = load(self.scenario_spec(), extra=dict(self.capacity))
        m = YouthCareModel(
            scen.params,
            families=self.families,
            years=self.horizon_years,
            warmup_years=self.warmup_years,
            seed=self.seed,
            scenario_name=scen.name,
        )
        m.datacollector = LockedDataCollector(self.lock, model_reporters=CHART_REPORTERS)
        for _ in range(m.warmup_weeks):
            m.step()
            m.datacollector.collect(m)
        with self.render_lock, self.lock:
            self.model = m
            self.events = []
            self.messages.clear()
            self._week_times.clear()
            self.picture = MunicipalityPicture.for_model(m, lang=self.lang, scale=1.3)
            self._chart_state(self.lang)
        # Outside the controller's lock: a chart takes its figure's lock, then the controller's.
        for fig in self.chart_figures.values():
            with fig.lock:
                fig.reset()

    @property
    def live_week(self) -> int:
        return self.model.week - self.model.warmup_weeks

    @property
    def at_end(self) -> bool:
        return self.model.week >= self.model.total_weeks

    def step(self, weeks: int = 1) -> int:
        """Advance ``weeks`` weeks (fewer at the end of the horizon); returns the weeks done."""
        done = 0
        for _ in range(weeks):
            with self.lock:
                if self.at_end:
                    self._end_message()
                    break
                self.model.step()
                self.model.datacollector.collect(self.model)
            done += 1
            self.weeks_stepped += 1
            self._week_times.append(time.perf_counter())
        return done

    def _end_message(self) -> None:
        msg = _both(lambda lang: t("end", lang).format(years=self.horizon_years))
        if not self.messages or self.messages[-1].text != msg:
            self.messages.append(Message(msg, "warning"))

    # -- playing -----------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def play(self) -> None:
        if self.playing:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="youthcare-steps", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self._stop.set()
        th = self._thread
        if th is not None and th is not threading.current_thread():
            th.join(timeout=5)
        self._thread = None

    close = pause

    def set_speed(self, speed: str) -> None:
        if speed in SPEEDS:
            self.speed = speed

    def _run(self) -> None:
        """Step at ``speed`` weeks per second (or as fast as possible) until paused."""
        t0 = time.perf_counter()
        done = 0
        speed = self.speed
        while not self._stop.is_set():
            if self.speed != speed:  # a new speed starts a new schedule
                speed, t0, done = self.speed, time.perf_counter(), 0
            if speed != "max":
                rate = float(speed)
                due = (time.perf_counter() - t0) * rate
                if done >= due:
                    self._stop.wait(min(0.02, (done + 1 - due) / rate))
                    continue
                if due - done > rate:  # more than a second behind: do not race to catch up
                    t0 = time.perf_counter() - done / rate
            # Python runs one thread at a time: weeks wait while a frame is drawn, so the page
            # keeps redrawing a few times a second however fast the model runs.
            self._idle.wait(1.0)
            if not self.step(1):
                break
            done += 1
        self._stop.set()

    def weeks_per_second(self, window: float = 3.0) -> float:
        return _rate(self._week_times, window)

    def frames_per_second(self, window: float = 3.0) -> float:
        return _rate(self._frame_times, window)

    def charts_per_second(self, window: float = 4.0) -> float:
        return _rate(self._chart_times, window, idle=2.5)

    def chart_interval(self) -> float:
        """Seconds between two redraws of the charts while playing."""
        return max(CHART_SECONDS, self.chart_seconds / CHART_SHARE)

    # -- changes between weeks ---------------------------------------------------------------
    def _apply(self, changes: dict, key: str, label: dict[str, str]) -> list[str]:
        """``set_params`` the changed values; structural parameters are skipped (named)."""
        skipped: list[str] = []
        with self.lock:
            m = self.model
            todo = {k: v for k, v in changes.items() if m.p[k] != v}
            while todo:
                try:
                    m.set_params(todo)
                    break
                except ParameterError as e:
                    hit = re.search(r"parameter '([^']+)' is structural", str(e))
                    if not hit or hit.group(1) not in todo:
                        raise
                    skipped.append(hit.group(1))
                    del todo[hit.group(1)]
            week = self.live_week
            if self.events and self.events[-1].key == key and self.events[-1].week == week:
                self.events[-1] = Event(week, label, key)  # a slider dragged within one week
            else:
                self.events.append(Event(week, label, key))
            self.messages.append(
                Message(_both(lambda lang: t("applied", lang).format(week=week, what=label[lang])))
            )
            if skipped:
                names = ", ".join(skipped)
                self.messages.append(
                    Message(_both(lambda lang: t("skipped", lang).format(names=names)), "warning")
                )
        return skipped

    def _switch(self, files: dict, old: str, new: str) -> dict:
        """Changes that undo ``old``'s overrides (back to the baseline) and apply ``new``'s."""
        before = self._overrides(files, old)
        after = self._overrides(files, new)
        changes = {k: self.base[k] for k in before if k not in after}
        changes.update(after)
        for k in set(before) | set(after):
            self.capacity.pop(k, None)  # the form or scheme owns its parameters
        return changes

    def apply_form(self, name: str) -> list[str]:
        if name not in self.forms:
            raise ValueError(f"unknown collaboration form {name!r}")
        changes = self._switch(self.forms, self.form, name)
        self.form = name
        title = self.forms[name].title
        return self._apply(changes, "form", _both(lambda lang: form_label(name, lang, title)))

    def apply_funding(self, name: str) -> list[str]:
        if name not in self.fundings:
            raise ValueError(f"unknown funding scheme {name!r}")
        changes = self._switch(self.fundings, self.funding, name)
        self.funding = name
        title = self.fundings[name].title
        return self._apply(changes, "funding", _both(lambda lang: funding_label(name, lang, title)))

    def set_capacity(self, name: str, value: float) -> list[str]:
        slider = next(s for s in self.sliders if s.name == name)
        value = REGISTRY[name].validate(int(value) if REGISTRY[name].kind == "int" else value)
        self.capacity[name] = value
        return self._apply(
            {name: value},
            name,
            _both(
                lambda lang: f"{slider.label[lang]} {_fmt(value, lang, 2).rstrip('0').rstrip(',.')}"
            ),
        )

    def value(self, name: str):
        return self.model.p[name]

    @property
    def params(self) -> Params:
        return self.model.p

    # -- drawing -----------------------------------------------------------------------------
    @contextmanager
    def drawing(self) -> Iterator[None]:
        """Weeks wait while the page draws (Python runs one thread at a time)."""
        with self.render_lock:
            self._idle.clear()
            try:
                yield
            finally:
                self._idle.set()

    def render(self, lang: str | None = None) -> Frame:
        """Move the dots one frame and draw the picture (JPEG)."""
        lang = lang or self.lang
        with self.drawing():
            return self._render(lang)

    def _chart_state(self, lang: str) -> None:
        """What the charts show besides the collected series (under the lock)."""
        with self.lock:
            st = self.chart_state
            st.lang = lang
            st.warmup_weeks = self.model.warmup_weeks
            st.events = tuple((e.week, e.label.get(lang, "")) for e in self.events)
            st.expected_wait = self.model.expected_specialist_wait()

    def draw_charts(self, lang: str | None = None, redraw=force_update) -> float:
        """Have the charts redrawn (``redraw``: Mesa's ``force_update``, which re-renders every
        component that reads its ``update_counter``); returns the seconds it took."""
        lang = lang or self.lang
        t0 = time.perf_counter()
        with self.drawing():
            self._chart_state(lang)
            redraw()
        self.chart_seconds = time.perf_counter() - t0
        self.chart_draws += 1
        self._chart_times.append(time.perf_counter())
        return self.chart_seconds

    def _render(self, lang: str) -> Frame:
        with self.lock:
            m = self.model
            ch, fam = m.children, m.families
            snap = (
                ch.state.copy(),
                ch.family.copy(),
                fam.hood,
                fam.gp,
                ch.provider.copy(),
                ch.uid.copy(),
                ch.referrer.copy(),
            )
            week = self.live_week
            events = [(e.week, e.label.get(lang, "")) for e in self.events]
            picture = self.picture
        if lang != self.lang:
            self.lang = lang
        picture.set_lang(lang)
        year = year_of(week)
        header = (
            f"{t('week', lang).capitalize()} {week} ({t('year', lang)} {year}) · "
            f"{form_label(self.form, lang)} · {funding_label(self.funding, lang)}"
        )
        picture.update_arrays(*snap, header=header)
        images = {"map": picture.image("jpeg")}
        self.frames += 1
        self._frame_times.append(time.perf_counter())
        return Frame(
            images,
            week,
            self.weeks_per_second(),
            self.frames_per_second(),
            self.frames,
            events,
            self.charts_per_second(),
        )

    def counts(self) -> np.ndarray:
        with self.lock:
            return np.bincount(self.model.children.state, minlength=S.N_STATES)


def _rate(times: deque, window: float, idle: float = 1.0) -> float:
    """Events per second over the last ``window`` seconds (0 after ``idle`` seconds without)."""
    if len(times) < 2:
        return 0.0
    now = time.perf_counter()
    if now - times[-1] > idle:
        return 0.0
    recent = [x for x in times if x >= now - window]
    if len(recent) < 2:
        return 0.0
    return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-9)


def controller_from_env() -> Controller:
    """A controller with the settings that ``youthcare app`` put into the environment."""
    lang = os.environ.get(ENV_LANG, "nl")
    return Controller(
        families=int(os.environ.get(ENV_FAMILIES, DEFAULT_FAMILIES)),
        seed=int(os.environ.get(ENV_SEED, 0)),
        warmup_years=float(os.environ.get(ENV_WARMUP, DEFAULT_WARMUP_YEARS)),
        speed=os.environ.get(ENV_SPEED, DEFAULT_SPEED),
        lang=lang if lang in APP_TEXT else "nl",
    )


# -- the page -----------------------------------------------------------------------------------
CSS = """
.yc-page { padding: 4px 12px; }
.yc-page .v-card__title { font-size: 1.05rem; padding: 8px 12px 2px 12px; }
.yc-img { width: 100%; height: auto; display: block; }
.yc-chart img { width: 100%; height: auto; display: block; }
.yc-form-btn { justify-content: flex-start; text-transform: none !important;
  letter-spacing: normal !important; margin: 1px 0; width: 100%; height: 30px !important; }
.yc-ctl-btn { text-transform: none !important; letter-spacing: normal !important; }
.yc-status { font-family: monospace; font-size: 0.9rem; }
.yc-slider-label { font-size: 0.85rem; margin-top: 6px; }
.yc-note { font-size: 0.8rem; color: #666; }
.yc-msg { font-size: 0.85rem; margin: 4px 0 0 0 !important; }
"""


@solara.component
def LiveView(ctl: Controller, lang: str, playing: solara.Reactive[bool], version: int):
    """The picture, the Mesa charts and the status line; redraws while playing.

    The picture redraws every ``FRAME_SECONDS``; the charts (Mesa components, which redraw
    when Mesa's ``update_counter`` changes) every ``ctl.chart_interval()``. Both are rendered
    in the ticker's thread, one after the other, while the model waits between two weeks.
    """
    frame, set_frame = solara.use_state(cast(Frame | None, None))
    is_playing = playing.value

    def redraw_once():
        if not is_playing:  # while playing, the ticker redraws
            set_frame(ctl.render(lang))
            ctl.draw_charts(lang)

    solara.use_effect(redraw_once, [lang, version, is_playing])

    def ticker(cancel: threading.Event):
        last_charts = -math.inf
        while is_playing and not cancel.is_set():
            t0 = time.perf_counter()
            set_frame(ctl.render(lang))
            if t0 - last_charts >= ctl.chart_interval():
                last_charts = t0
                ctl.draw_charts(lang)
            if not ctl.playing:  # the run stopped by itself (end of the horizon)
                ctl.draw_charts(lang)
                playing.set(False)
                break
            cancel.wait(max(0.02, FRAME_SECONDS - (time.perf_counter() - t0)))

    solara.use_thread(ticker, dependencies=[is_playing, lang], intrusive_cancel=False)

    if frame is None:
        solara.ProgressLinear(True)
        return
    status = t("status", lang).format(
        week=frame.week,
        year=year_of(frame.week),
        wps=_fmt(frame.weeks_per_second, lang),
        fps=_fmt(frame.frames_per_second, lang),
        cps=_fmt(frame.charts_per_second, lang),
        families=_fmt(ctl.families, lang, 0),
    )
    with solara.Column(gap="4px"):
        solara.Text(status, classes=["yc-status"])
        with solara.Columns([8, 5], gutters_dense=True):
            with solara.Card(tr("picture", lang), margin=0, classes=["yc-map"]):
                solara.Image(frame.images["map"], format="jpeg", classes=["yc-img", "yc-img-map"])
            with solara.Column(gap="6px"):
                for c in CHARTS:  # Mesa components, called on the model
                    with solara.Card(margin=0, classes=["yc-chart", f"yc-chart-{c}"]):
                        ctl.chart_components[c](ctl.model)


@solara.component
def Controls(ctl: Controller, lang: str, playing, version, on_change):
    """Play, pause, step, reset, speed; collaboration form; funding; capacities."""
    busy, set_busy = solara.use_state(False)

    def bump():
        on_change()

    def do_play():
        if playing.value:
            ctl.pause()
            playing.set(False)
        else:
            ctl.play()
            playing.set(True)
        bump()

    def do_step():
        ctl.step(1)
        bump()

    def do_reset():
        set_busy(True)
        playing.set(False)
        ctl.reset()
        set_busy(False)
        bump()

    def change(fn, *args):
        def handler(*more):
            try:
                fn(*args, *more)
            except (ParameterError, ValueError) as e:
                ctl.messages.append(Message({"nl": str(e), "en": str(e)}, "error"))
            bump()

        return handler

    with solara.Card(t("run", lang), margin=0):
        with solara.Row(gap="6px"):
            solara.Button(
                t("pause", lang) if playing.value else t("play", lang),
                icon_name="mdi-pause" if playing.value else "mdi-play",
                color="primary",
                on_click=do_play,
                disabled=busy or ctl.at_end,
                classes=["yc-ctl-btn"],
            )
            solara.Button(
                t("step", lang),
                icon_name="mdi-step-forward",
                on_click=do_step,
                disabled=playing.value or busy or ctl.at_end,
                outlined=True,
                classes=["yc-ctl-btn"],
            )
            solara.Button(
                t("reset", lang),
                icon_name="mdi-restore",
                on_click=do_reset,
                disabled=busy,
                outlined=True,
                classes=["yc-ctl-btn"],
            )
        solara.Text(t("speed", lang), classes=["yc-slider-label"])
        solara.ToggleButtonsSingle(
            value=ctl.speed,
            values=list(SPEEDS),
            on_value=change(ctl.set_speed),
            dense=True,
        )
        solara.Text(
            t("reset_note", lang).format(warmup=ctl.warmup_years) + " " + t("between_weeks", lang),
            classes=["yc-note"],
        )
        for msg in list(ctl.messages):
            # v.Alert directly: solara.Info/Warning/Error fail with this ipyvuetify ('text' trait)
            solara.v.Alert(
                type=msg.kind,
                dense=True,
                outlined=True,
                class_="yc-msg",
                children=[msg.text.get(lang, "")],
            )

    # One button per choice; the current one is highlighted.
    for title, items, current, label, apply in (
        (t("form", lang), ctl.forms, ctl.form, form_label, ctl.apply_form),
        (t("funding", lang), ctl.fundings, ctl.funding, funding_label, ctl.apply_funding),
    ):
        with solara.Card(title, margin=0):
            for name, f in items.items():
                active = name == current
                solara.Button(
                    label(name, lang, f.title),
                    on_click=change(apply, name),
                    color="primary" if active else None,
                    outlined=not active,
                    disabled=busy,
                    classes=["yc-form-btn"],
                )

    with solara.Card(t("capacity", lang), margin=0):
        for s in ctl.sliders:
            v = float(ctl.value(s.name))
            solara.Text(
                f"{s.label[lang]}: {_fmt(v, lang, 2)} {s.unit[lang]} "
                f"({t('default', lang)} {_fmt(s.default, lang, 2)})",
                classes=["yc-slider-label"],
            )
            solara.SliderFloat(
                label="",
                value=v,
                min=s.lo,
                max=s.hi,
                step=s.step,
                on_value=change(ctl.set_capacity, s.name),
                thumb_label=True,
                disabled=busy,
            )


@solara.component
def Page():
    ctl = solara.use_memo(controller_from_env, [])
    lang = solara.use_reactive(ctl.lang)
    playing = solara.use_reactive(False)
    version, set_version = solara.use_state(0)

    def on_unmount():
        return ctl.close

    solara.use_effect(on_unmount, [])

    def changed():
        set_version(lambda v: v + 1)

    solara.Title(tr("title", lang.value))
    solara.Style(CSS)
    with solara.Column(classes=["yc-page"], gap="6px"):
        with solara.Row(style={"align-items": "center"}):
            solara.Text(
                tr("title", lang.value), style={"font-size": "1.4rem", "font-weight": "600"}
            )
            solara.v.Spacer()
            solara.Text(t("language", lang.value) + ":")
            solara.ToggleButtonsSingle(value=lang, values=["nl", "en"], dense=True)
        with solara.Columns([3, 10], gutters_dense=True):
            with solara.Column(gap="6px"):
                Controls(ctl, lang.value, playing, version, changed)
            LiveView(ctl, lang.value, playing, version)
