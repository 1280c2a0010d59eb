"""Drawing the running model (matplotlib only): the municipality picture and the live charts.

Shared by the workshop page (``sim.app``) and the animations for slides (``sim.animate``), so both
show the same picture. Labels come in Dutch (``nl``, the default: the room is usually Dutch
professionals) and English (``en``).

- ``MunicipalityPicture``: neighbourhoods, GP practices, wijkteams, JGZ, the municipality and the
  providers at the positions of ``sim.layout``, with one dot per child with a need, coloured by
  care state, moving along the referral routes (``sim.layout.DotMotion``).
- ``chart_data``: the weekly series behind the three charts (waiting list, new trajectories by
  referrer, cost), as DataFrames with translated column names and the week as index;
  ``ChartFigure`` a persistent, blitted chart of one of them (the animations).
- ``CHART_REPORTERS``: the reporters of the ``mesa.DataCollector`` that the workshop page gives
  the model; ``ChartFigure.from_collector`` draws a chart from that collector's rows (the page's
  chart components, ``sim.app``).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle
from PIL import Image

from sim import states as S
from sim.layout import HEIGHT, WIDTH, DotMotion, Layout, layout_for_model
from sim.population import WEEKS_PER_YEAR

LANGS = ("nl", "en")

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Jeugdhulp in de gemeente: een levende simulatie",
        "picture": "De gemeente",
        "week": "week",
        "weeks_since_start": "weken sinds de start",
        "warmup": "inloop",
        "year": "jaar",
        "hood": "Wijk",
        "wijkteam": "wijkteam",
        "gp": "huisartsenpraktijk",
        "jgz": "JGZ",
        "municipality": "Gemeente",
        "other": "Jeugdbescherming /\nmedisch specialist",
        "bjz": "Bureau Jeugdzorg",
        "waiting_room": "Wachtkamer",
        "specialist_col": "Specialistische\njeugdhulp",
        "residential_col": "Jeugdhulp\nmet verblijf",
        "provider": "Aanbieder",
        "res_provider": "Verblijf",
        "chart_waiting": "Wachtlijst",
        "chart_waiting_wait": "Wachtlijst (verwachte wachttijd {w:.0f} weken)",
        "chart_referrals": "Nieuwe trajecten per verwijzer",
        "chart_cost": "Kosten op jaarbasis",
        "children": "kinderen",
        "per_week": "per week (gem. 8 weken)",
        "meur_per_year": "mln euro per jaar",
        "wait_specialist": "specialistische hulp",
        "wait_residential": "verblijf",
        "cost_total": "totaal",
        "cost_front": "JGZ + praktijk",
        "cost_wijkteam": "wijkteam",
        "cost_specialist": "specialistisch",
        "cost_residential": "verblijf",
        "ref_gp": "huisarts",
        "ref_wijkteam": "wijkteam",
        "ref_jgz": "JGZ",
        "ref_none": "geen verwijzer",
        "ref_other": "overig (GI, medisch)",
        "st_unmet": "hulpvraag, geen hulp",
        "st_jgz_support": "steun JGZ",
        "st_practice_worker": "praktijkondersteuner",
        "st_wijkteam": "hulp wijkteam",
        "st_waiting_specialist": "wacht op specialistische hulp",
        "st_specialist": "specialistische hulp",
        "st_waiting_residential": "wacht op verblijf",
        "st_residential": "jeugdhulp met verblijf",
        "st_waiting_indication": "wacht op indicatie",
        "families": "gezinnen",
    },
    "en": {
        "title": "Youth care in the municipality: a live simulation",
        "picture": "The municipality",
        "week": "week",
        "weeks_since_start": "weeks since the start",
        "warmup": "warm-up",
        "year": "year",
        "hood": "Neighbourhood",
        "wijkteam": "wijkteam",
        "gp": "GP practice",
        "jgz": "JGZ",
        "municipality": "Municipality",
        "other": "Child protection /\nmedical specialist",
        "bjz": "Bureau Jeugdzorg",
        "waiting_room": "Waiting room",
        "specialist_col": "Specialist\ncare",
        "residential_col": "Residential\ncare",
        "provider": "Provider",
        "res_provider": "Residential",
        "chart_waiting": "Waiting list",
        "chart_waiting_wait": "Waiting list (expected wait {w:.0f} weeks)",
        "chart_referrals": "New trajectories by referrer",
        "chart_cost": "Cost, annualised",
        "children": "children",
        "per_week": "per week (8-week mean)",
        "meur_per_year": "EUR million per year",
        "wait_specialist": "specialist care",
        "wait_residential": "residential",
        "cost_total": "total",
        "cost_front": "JGZ + practice",
        "cost_wijkteam": "wijkteam",
        "cost_specialist": "specialist",
        "cost_residential": "residential",
        "ref_gp": "GP",
        "ref_wijkteam": "wijkteam",
        "ref_jgz": "JGZ",
        "ref_none": "no referrer",
        "ref_other": "other (GI, medical)",
        "st_unmet": "need, no help",
        "st_jgz_support": "JGZ support",
        "st_practice_worker": "practice worker",
        "st_wijkteam": "wijkteam help",
        "st_waiting_specialist": "waiting for specialist care",
        "st_specialist": "specialist care",
        "st_waiting_residential": "waiting for residential care",
        "st_residential": "residential care",
        "st_waiting_indication": "waiting for an indication",
        "families": "families",
    },
}


def tr(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (falls back to English, then to the key itself)."""
    return TEXT.get(lang, TEXT["en"]).get(key) or TEXT["en"].get(key, key)


# Short labels of the scenario files in the controls (the files' titles are English and long).
FORM_LABELS: dict[str, tuple[str, str]] = {
    "baseline": ("Gefragmenteerd (2015+)", "Fragmented (2015+)"),
    "cjg-adviser-in-practice": ("CJG-adviseur in de praktijk", "CJG adviser in the practice"),
    "family-worker-weekly": (
        "Jeugd- en gezinswerker wekelijks",
        "Youth and family worker weekly",
    ),
    "gp-in-wijkteam": ("Huisarts in het wijkteam", "GP in the wijkteam"),
    "triple-p": ("Triple P als verbindende schakel", "Triple P as linking pin"),
    "digital-family-plan": ("Digitaal gezinsplan", "Digital family plan"),
    "poh-jeugd": ("POH-jeugd in de praktijk", "POH-jeugd in the practice"),
    "wijkteam-jgz-joint-intake": ("Gezamenlijke intake wijkteam-JGZ", "Wijkteam-JGZ joint intake"),
    "hart-voor-jeugd-en-gezin": ("Hart voor jeugd en gezin", "Hart voor jeugd en gezin"),
    "escalation-one-family-one-plan": (
        "Escalatiepiramide, 1 gezin 1 plan",
        "Escalation pyramid, one family one plan",
    ),
    "warm-handover-feedback": (
        "Warme overdracht met terugkoppeling",
        "Warm handover with feedback",
    ),
}
FUNDING_LABELS: dict[str, tuple[str, str]] = {
    "baseline": ("p×q (prijs × hoeveelheid)", "p×q (price × quantity)"),
    "lumpsum": ("Lumpsum", "Lumpsum"),
}


def form_label(name: str, lang: str, title: str = "") -> str:
    """Short label of a scenario file (collaboration form) in ``lang``; else its title."""
    pair = FORM_LABELS.get(name)
    return (pair[0] if lang == "nl" else pair[1]) if pair else (title or name)


def funding_label(name: str, lang: str, title: str = "") -> str:
    """Short label of a funding scheme (``baseline`` is p×q) in ``lang``; else its title."""
    pair = FUNDING_LABELS.get(name)
    return (pair[0] if lang == "nl" else pair[1]) if pair else (title or name)


# Colours per care state (RGBA); children without a need are not drawn.
STATE_COLOURS = {
    S.UNMET: "#f28e2b",
    S.JGZ_SUPPORT: "#8cd17d",
    S.PRACTICE_WORKER: "#17becf",
    S.WIJKTEAM: "#2ca02c",
    S.WAIT_SPECIALIST: "#d62728",
    S.SPECIALIST: "#1f77b4",
    S.WAIT_RESIDENTIAL: "#8c1a3c",
    S.RESIDENTIAL: "#7b4fb0",
    S.WAIT_INDICATION: "#8c564b",
}
_RGBA = np.zeros((S.N_STATES, 4))
for _s, _c in STATE_COLOURS.items():
    _RGBA[_s] = matplotlib.colors.to_rgba(_c, 0.85)
SHOWN_STATES = tuple(STATE_COLOURS)

REFERRER_COLOURS = {
    "gp": "#4e79a7",
    "wijkteam": "#59a14f",
    "jgz": "#edc948",
    "none": "#b07aa1",
    "other": "#9c755f",
}
COST_COLOURS = {
    "cost_total": "#222222",
    "cost_front": "#edc948",
    "cost_wijkteam": "#59a14f",
    "cost_specialist": "#4e79a7",
    "cost_residential": "#b07aa1",
}
WAIT_COLOURS = {"wait_specialist": "#d62728", "wait_residential": "#8c1a3c"}
CHARTS = ("waiting", "referrals", "cost")


# -- the municipality ---------------------------------------------------------------------------
class MunicipalityPicture:
    """A persistent matplotlib figure of the municipality; ``update`` moves the dots one frame.

    Build it once per model (``for_model``); call ``update(model)`` per frame and ``png()`` (or
    let the caller save ``fig``). ``set_lang`` redraws the labels in another language.
    """

    def __init__(
        self,
        lay: Layout,
        lang: str = "nl",
        pre2015: bool = False,
        figsize: tuple[float, float] = (9.6, 7.1),
        dpi: int = 90,
        ax=None,
        scale: float = 1.0,
    ):
        self.lay = lay
        self.lang = lang
        self.pre2015 = pre2015
        self.user_scale = float(scale)  # text and markers, e.g. larger for a projector
        self.motion = DotMotion(lay)
        if ax is None:
            self.fig = Figure(figsize=figsize, dpi=dpi)
            self.ax = self.fig.add_axes((0.005, 0.005, 0.99, 0.99))
            self.canvas = FigureCanvasAgg(self.fig)
        else:
            self.fig, self.ax = ax.figure, ax
            self.canvas = None
        self._background = None
        self.n_dots = 0
        self.counts = np.zeros(S.N_STATES, dtype=np.int64)
        self._draw_static()

    @classmethod
    def for_model(cls, m, lang: str = "nl", **kw) -> MunicipalityPicture:
        return cls(layout_for_model(m), lang=lang, pre2015=bool(m.pre2015), **kw)

    # static part: neighbourhoods, organisations, labels, legend
    def _draw_static(self) -> None:
        ax, lay, L = self.ax, self.lay, self.lang
        ax.clear()
        self._background = None  # the blitting background is drawn again at the next png()
        k = self.k = self._scale() * self.user_scale
        ax.set_xlim(-0.1, WIDTH + 0.1)
        ax.set_ylim(-1.55, HEIGHT + 0.45)
        ax.set_aspect("equal")
        ax.set_axis_off()
        small = 7 if lay.n_gp <= 40 else 5.5
        for h, (x0, y0, x1, y1) in enumerate(lay.hood_rect):
            ax.add_patch(
                FancyBboxPatch(
                    (x0, y0),
                    x1 - x0,
                    y1 - y0,
                    boxstyle="round,pad=0,rounding_size=0.15",
                    fc="#f3f1ea",
                    ec="#c9c3b0",
                    lw=0.8,
                    zorder=0,
                )
            )
            ax.text(
                x0 + 0.08,
                y1 - 0.08,
                f"{tr('hood', L)} {h + 1}",
                ha="left",
                va="top",
                fontsize=(small + 0.5) * k,
                color="#7a7360",
                zorder=1,
            )
        # Homes of all families, faint (the population the dots come from).
        ax.scatter(*lay.home.T, s=0.6, c="#d8d2c0", linewidths=0, zorder=1, rasterized=True)
        # Routes: each practice to its neighbourhood's wijkteam.
        for g in range(lay.n_gp):
            w = lay.wijkteam[lay.gp_hood[g]]
            ax.plot(*np.stack([lay.gp[g], w]).T, color="#b9b39f", lw=0.6, zorder=1)
        # Practices and wijkteams are drawn over the dots (with the dots, when blitting).
        self._overlay = [
            ax.scatter(
                *lay.gp.T,
                marker="^",
                s=46 * k * k,
                c="#4e79a7",
                edgecolors="white",
                lw=0.6,
                zorder=8,
            ),
            ax.scatter(
                *lay.wijkteam.T,
                marker="s",
                s=70 * k * k,
                c="#59a14f",
                edgecolors="white",
                lw=0.6,
                zorder=8,
            ),
        ]
        # Region-wide organisations along the top.
        top = [
            (lay.municipality, tr("municipality", L), "#6b6b6b", "p"),
            (lay.jgz, tr("jgz", L), "#c9a227", "*"),
            (lay.other, tr("other", L), "#9c755f", "D"),
        ]
        if self.pre2015:
            top.append((lay.bjz, tr("bjz", L), "#8c564b", "h"))
        for pt, label, col, mk in top:
            ax.scatter(
                [pt[0]], [pt[1]], marker=mk, s=120 * k * k, c=col, edgecolors="white", zorder=4
            )
            ax.text(pt[0] + 0.3, pt[1], label, ha="left", va="center", fontsize=7.5 * k, zorder=5)
        # Providers and their waiting rooms.
        slot = lay.slot
        for i, (pt, q) in enumerate(zip(lay.specialist, lay.specialist_queue, strict=True)):
            self._box(pt, slot, "#dbe7f3", str(i + 1))
            self._box(q, slot, "#f7dede", None)
        for i, (pt, q) in enumerate(zip(lay.residential, lay.residential_queue, strict=True)):
            self._box(pt, slot, "#e7def3", str(i + 1))
            self._box(q, slot, "#f3dbe3", None)
        ax.text(
            lay.specialist_queue[0, 0],
            HEIGHT + 0.02,
            tr("waiting_room", L),
            ha="center",
            va="bottom",
            fontsize=7.5 * k,
            color="#a03030",
        )
        for pts, key, colour in (
            (lay.specialist, "specialist_col", "#30507a"),
            (lay.residential, "residential_col", "#5a3a80"),
        ):
            if len(pts):
                ax.text(
                    WIDTH - 0.05,
                    pts[:, 1].mean(),
                    tr(key, L),
                    rotation=90,
                    ha="right",
                    va="center",
                    fontsize=7.5 * k,
                    color=colour,
                )
        # The dots and the header.
        self.scatter = ax.scatter(
            np.zeros(0), np.zeros(0), s=self._dot_size(), linewidths=0, zorder=6
        )
        self.header = ax.text(
            0.05, HEIGHT - 0.02, "", ha="left", va="top", fontsize=9 * k, weight="bold", zorder=7
        )
        self._legend()

    def _scale(self) -> float:
        """Text and marker scale: 1 at the app's size, less on a smaller map (animations)."""
        pos = self.ax.get_position()
        w, h = pos.width * self.fig.get_figwidth(), pos.height * self.fig.get_figheight()
        aspect = (WIDTH + 0.2) / (HEIGHT + 2.0)  # the drawn map's width over its height
        return float(np.clip(min(w, h * aspect) / 9.5, 0.5, 1.6))

    def _box(self, pt: np.ndarray, slot: float, colour: str, label: str | None) -> None:
        k = self.k
        w = 2.0 * 0.92 * slot if slot < 0.9 else 1.7
        w = min(max(w, 0.8), 1.9)
        h = 2 * slot * 0.94
        self.ax.add_patch(
            Rectangle(
                (pt[0] - w / 2, pt[1] - h / 2), w, h, fc=colour, ec="#bbbbbb", lw=0.6, zorder=2
            )
        )
        if label:  # the provider's number, just right of its box
            self.ax.text(
                pt[0] + w / 2 + 0.06,
                pt[1],
                label,
                ha="left",
                va="center",
                fontsize=(7 if slot > 0.35 else 5.5) * k,
                color="#555555",
                zorder=3,
            )

    def _dot_size(self) -> float:
        n = max(len(self.lay.home), 1)
        return float(np.clip(9.0 * np.sqrt(5000.0 / n), 1.5, 12.0)) * self.k**2

    def _legend(self) -> None:
        L, k = self.lang, self.k
        states = [s for s in SHOWN_STATES if s != S.WAIT_INDICATION or self.pre2015]
        self._legend_states = states
        handles = [
            Line2D([], [], ls="", marker="o", ms=6 * k, color=STATE_COLOURS[s]) for s in states
        ] + [
            Line2D([], [], ls="", marker="^", ms=7 * k, color="#4e79a7"),
            Line2D([], [], ls="", marker="s", ms=7 * k, color="#59a14f"),
        ]
        labels = [tr("st_" + S.STATE_NAMES[s], L) for s in states] + [
            tr("gp", L),
            tr("wijkteam", L),
        ]
        self.legend = self.ax.legend(
            handles,
            labels,
            loc="lower left",
            bbox_to_anchor=(0.0, 0.0),
            ncols=4,
            fontsize=7 * k,
            frameon=False,
            handletextpad=0.2,
            columnspacing=0.9,
            borderaxespad=0.1,
        )

    def set_lang(self, lang: str) -> None:
        if lang != self.lang:
            self.lang = lang
            self._draw_static()  # the dots keep their positions (DotMotion is not reset)

    # per frame
    def update(self, m, header: str | None = None) -> None:
        """Move the dots one frame towards the model's current state and update the counts."""
        ch, fam = m.children, m.families
        self.update_arrays(
            ch.state, ch.family, fam.hood, fam.gp, ch.provider, ch.uid, ch.referrer, header
        )

    def update_arrays(
        self, state, family, hood, gp, provider, uid, referrer, header: str | None = None
    ) -> None:
        pos = self.motion.update(state, family, hood, gp, provider, uid, referrer)
        shown = np.flatnonzero(state != S.NONE)
        self.scatter.set_offsets(pos[shown])
        self.scatter.set_facecolors(_RGBA[state[shown]])
        self.n_dots = len(shown)
        self.counts = np.bincount(state, minlength=S.N_STATES)
        for text, s in zip(self.legend.get_texts(), self._legend_states, strict=False):
            text.set_text(f"{tr('st_' + S.STATE_NAMES[s], self.lang)} ({self.counts[s]})")
        if header is not None:
            self.header.set_text(header)

    def png(self) -> bytes:
        """The picture as PNG (see ``image``)."""
        return self.image("png")

    def image(self, fmt: str = "png") -> bytes:
        """The picture as ``png`` or ``jpeg`` (encoded ten times faster; the app uses it). The
        static part is drawn once and kept (blitting): a frame draws only the dots, the legend
        and the header on top of it."""
        if self.canvas is None:
            buf = io.BytesIO()
            self.fig.savefig(buf, format=fmt)
            return buf.getvalue()
        dynamic = (self.scatter, *self._overlay, self.legend, self.header)
        self._background = _blit(self.canvas, self.fig, dynamic, self._background)
        return _encode(self.canvas, fmt)


# -- the charts ---------------------------------------------------------------------------------
CHART_SERIES = {
    "waiting": tuple(WAIT_COLOURS),
    "referrals": tuple("ref_" + r for r in S.REFERRERS),
    "cost": tuple(COST_COLOURS),
}
_SERIES_COLOURS = {**WAIT_COLOURS, **{"ref_" + k: c for k, c in REFERRER_COLOURS.items()}}
_SERIES_COLOURS.update(COST_COLOURS)


def _moving_mean(x: np.ndarray, k: int) -> np.ndarray:
    """Trailing mean over up to ``k`` values (fewer at the start)."""
    if not len(x):
        return x
    c = np.cumsum(np.insert(x, 0, 0.0))
    i = np.arange(1, len(x) + 1)
    lo = np.maximum(i - k, 0)
    return (c[i] - c[lo]) / (i - lo)


def chart_series(
    cols: dict[str, np.ndarray], weeks_done: int, warmup_weeks: int, window: int = 260
) -> tuple[np.ndarray, dict[str, dict[str, np.ndarray]]]:
    """The weekly series behind each chart over the last ``window`` weeks.

    Returns ``x`` (weeks since the start of the live run; negative in the warm-up) and, per
    chart, series key -> values. Referrals: new trajectories per week by referrer, an 8-week
    moving mean. Cost: a 13-week moving mean, annualised, in EUR million per year.
    """
    w1 = int(weeks_done)
    w0 = max(0, w1 - window)
    lo = max(0, w0 - 13)  # history for the moving means
    cut = w0 - lo

    def col(name: str) -> np.ndarray:
        return np.asarray(cols[name][lo:w1], dtype=float)

    scale = WEEKS_PER_YEAR / 1e6
    cost = {
        "cost_total": col("cost_total"),
        "cost_front": col("cost_jgz") + col("cost_practice"),
        "cost_wijkteam": col("cost_wijkteam"),
        "cost_specialist": col("cost_specialist"),
        "cost_residential": col("cost_residential"),
    }
    series = {
        "waiting": {
            "wait_specialist": col("n_waiting_specialist")[cut:],
            "wait_residential": col("n_waiting_residential")[cut:],
        },
        "referrals": {f"ref_{r}": _moving_mean(col(f"new_{r}"), 8)[cut:] for r in S.REFERRERS},
        "cost": {k: _moving_mean(v, 13)[cut:] * scale for k, v in cost.items()},
    }
    return np.arange(w0, w1) - warmup_weeks, series


def chart_data(
    cols: dict[str, np.ndarray],
    weeks_done: int,
    warmup_weeks: int,
    lang: str = "nl",
    window: int = 260,
) -> dict[str, pd.DataFrame]:
    """``chart_series`` as DataFrames with translated column names and the week as index."""
    x, series = chart_series(cols, weeks_done, warmup_weeks, window)
    idx = pd.Index(x, name=tr("week", lang))
    return {
        chart: pd.DataFrame({tr(k, lang): v for k, v in s.items()}, index=idx)
        for chart, s in series.items()
    }


def chart_title(chart: str, lang: str, expected_wait: float | None = None) -> str:
    if chart == "waiting":
        if expected_wait is not None and np.isfinite(expected_wait):
            return tr("chart_waiting_wait", lang).format(w=expected_wait)
        return tr("chart_waiting", lang)
    return tr(f"chart_{chart}", lang)


def chart_ylabel(chart: str, lang: str) -> str:
    return {"waiting": tr("children", lang), "referrals": tr("per_week", lang)}.get(
        chart, tr("meur_per_year", lang)
    )


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 x 10^k at or above ``x``."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    k = 10.0 ** np.floor(np.log10(x))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * k >= x * (1 - 1e-9):
            return float(m * k)
    return float(10 * k)


class ChartFigure:
    """A persistent line chart (one of ``CHARTS``) whose lines are updated in place.

    Rebuilding a figure per frame costs about 100 ms a chart. Here the axes stay put: the x axis
    shows ``history`` weeks before the current week and room for ``span`` weeks in all, and moves
    on by a year when the lines reach its end; the y axis changes only when the lines leave it.
    Everything but the lines and the title is drawn once into a background and reused
    (blitting), so a frame costs a fraction of a full draw.
    """

    history = 52
    span = 208
    page = 52

    def __init__(
        self,
        chart: str,
        lang: str = "nl",
        figsize: tuple[float, float] = (5.8, 2.75),
        dpi: int = 85,
        ax=None,
        fontsize: float = 8.0,
    ):
        if chart not in CHARTS:
            raise ValueError(f"unknown chart {chart!r}; charts: {', '.join(CHARTS)}")
        self.chart = chart
        self.fontsize = fontsize
        if ax is None:
            self.fig = Figure(figsize=figsize, dpi=dpi)
            self.ax = self.fig.add_axes((0.11, 0.2, 0.56, 0.68))
            self.canvas = FigureCanvasAgg(self.fig)
        else:
            self.fig, self.ax = ax.figure, ax
            self.canvas = None
        ax = self.ax
        self.lines = {
            k: ax.plot([], [], color=_SERIES_COLOURS[k], lw=1.3)[0] for k in CHART_SERIES[chart]
        }
        # A plain text, not ax.set_title: matplotlib moves a title that is hidden while the
        # background is drawn off the figure.
        self.title = ax.text(
            0.0, 1.05, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=fontsize + 1.5
        )
        self.xlabel = ax.text(
            1.0, -0.14, "", transform=ax.transAxes, ha="right", va="top", fontsize=fontsize - 0.5
        )
        ax.tick_params(labelsize=fontsize - 0.5)
        ax.grid(alpha=0.25, lw=0.5)
        self._marks: list = []
        self._xlim: tuple[float, float] | None = None
        self._top: float | None = None
        self._key = None
        self._background = None
        self.lock = threading.Lock()  # one thread at a time draws or resets this figure
        self.lang = ""
        self.set_lang(lang)

    def set_lang(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        for k, line in self.lines.items():
            line.set_label(tr(k, lang))
        self.ax.set_ylabel(chart_ylabel(self.chart, lang), fontsize=self.fontsize)
        self.xlabel.set_text(tr("weeks_since_start", lang))
        self.ax.legend(
            fontsize=self.fontsize - 1,
            loc="center left",
            bbox_to_anchor=(1.01, 0.5),
            frameon=False,
            handlelength=1.5,
        )
        self._key = None

    def reset(self) -> None:
        """Forget the axes' limits (a new run starts)."""
        self._xlim = self._top = None
        self._key = self._background = None

    def from_collector(
        self,
        model_vars: dict[str, list],
        warmup_weeks: int,
        events: tuple = (),
        expected_wait: float | None = None,
    ) -> None:
        """Show the rows of a ``mesa.DataCollector`` with ``CHART_REPORTERS`` (its
        ``model_vars``: one row per week, warm-up included; row ``r`` is week ``r - warmup_weeks``
        of the live run). Reads only the rows the axes can show."""
        keys = CHART_SERIES[self.chart]
        n = min(len(model_vars[k]) for k in keys)
        lo = max(0, n - (self.history + self.span))
        x = np.arange(lo, n, dtype=float) - warmup_weeks
        series = {k: np.asarray(model_vars[k][lo:n], dtype=float) for k in keys}
        self.update(x, series, list(events), expected_wait)

    def _limits(self, x: np.ndarray, series: dict, x_max: float | None) -> tuple[float, float]:
        if x_max is not None:
            self._xlim = (float(x[0]), float(max(x_max, x[-1])))
        elif self._xlim is None or not self._xlim[0] <= x[-1] <= self._xlim[1]:
            lo = float(max(x[0], x[-1] - self.history))
            self._xlim = (lo, lo + self.span)
        lo, hi = self._xlim
        shown = x >= lo
        top = max((float(np.nanmax(v[shown])) for v in series.values() if shown.any()), default=0)
        if self._top is None or top > self._top or top < 0.4 * self._top:
            self._top = _nice_ceiling(max(top, 1e-9) * 1.15)
        return lo, hi

    def update(
        self,
        x: np.ndarray,
        series: dict[str, np.ndarray],
        events: list[tuple[int, str]] = (),
        expected_wait: float | None = None,
        x_max: float | None = None,
    ) -> None:
        """Show ``series`` (key -> values over ``x``), change markers and the title. With
        ``x_max`` the x axis runs from the first week given to at least ``x_max``."""
        self.title.set_text(chart_title(self.chart, self.lang, expected_wait))
        if len(x) == 0:
            for line in self.lines.values():
                line.set_data([], [])
            return
        x = np.asarray(x)
        lo, hi = self._limits(x, series, x_max)
        shown = x >= lo
        for k, line in self.lines.items():
            v = series.get(k)
            line.set_data(x[shown], (v if v is not None else np.zeros(len(x)))[shown])
        events = tuple((w, label) for w, label in events if lo <= w <= hi)
        key = (lo, hi, self._top, self.lang, events)
        if key != self._key:
            self._key = key
            self._background = None
            self._draw_axes(lo, hi, events)

    def _draw_axes(self, lo: float, hi: float, events) -> None:
        ax, fs = self.ax, self.fontsize
        for a in self._marks:
            a.remove()
        self._marks = []
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, self._top)
        if lo < 0:
            self._marks.append(ax.axvspan(lo, min(0.0, hi), color="#eeeeee", zorder=0, lw=0))
            self._marks.append(
                ax.text(
                    lo,
                    0.97,
                    " " + tr("warmup", self.lang),
                    transform=ax.get_xaxis_transform(),
                    ha="left",
                    va="top",
                    fontsize=fs - 1.5,
                    color="#888888",
                )
            )
        for week, label in events:
            right = week > lo + 0.7 * (hi - lo)  # label on the side with room
            self._marks.append(ax.axvline(week, color="#555555", lw=0.8, ls="--", zorder=1))
            self._marks.append(
                ax.text(
                    week,
                    0.97,
                    label + " " if right else " " + label,
                    transform=ax.get_xaxis_transform(),
                    ha="right" if right else "left",
                    va="top",
                    fontsize=fs - 2,
                    color="#333333",
                    clip_on=True,
                )
            )

    def png(self) -> bytes:
        """The chart as PNG: the lines and the title drawn over the cached background."""
        if self.canvas is None:
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png")
            return buf.getvalue()
        dynamic = (*self.lines.values(), self.title)
        self._background = _blit(self.canvas, self.fig, dynamic, self._background)
        return _encode(self.canvas, "png")


def _blit(canvas: FigureCanvasAgg, fig, dynamic, background):
    """Draw only the moving artists over a cached static background; return the background.

    The background (everything but ``dynamic``) is rendered once and reused until it is reset
    to None (a new layout, a language switch)."""
    if background is None:
        for a in dynamic:
            a.set_visible(False)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        for a in dynamic:
            a.set_visible(True)
    canvas.restore_region(background)
    renderer = canvas.get_renderer()
    for a in dynamic:
        a.draw(renderer)
    return background


def _encode(canvas: FigureCanvasAgg, fmt: str = "png") -> bytes:
    """The canvas as PNG (fast compression) or JPEG (quality 90, no chroma subsampling)."""
    img = Image.frombuffer(
        "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
    ).convert("RGB")
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, format="png", compress_level=1)
    elif fmt in ("jpeg", "jpg"):
        img.save(buf, format="jpeg", quality=90, subsampling=0)
    else:
        raise ValueError(f"unknown image format {fmt!r}; use png or jpeg")
    return buf.getvalue()


# -- the charts as Mesa visualization components --------------------------------------------------
def _last(col: str):
    return lambda m: float(m.recorder.cols[col][m.week - 1])


def _mean(cols: tuple[str, ...], k: int, scale: float = 1.0):
    """The trailing ``k``-week mean of the sum of ``cols`` (as ``chart_series``), times ``scale``."""

    def report(m) -> float:
        w = m.week
        lo = max(0, w - k)
        return float(sum(m.recorder.cols[c][lo:w].sum() for c in cols)) / max(w - lo, 1) * scale

    return report


_COST_COLS = {
    "cost_total": ("cost_total",),
    "cost_front": ("cost_jgz", "cost_practice"),
    "cost_wijkteam": ("cost_wijkteam",),
    "cost_specialist": ("cost_specialist",),
    "cost_residential": ("cost_residential",),
}
# Model reporters of a mesa.DataCollector (one row per week, read from the model's weekly
# record after the week): the series of ``chart_series``, same names, same moving means.
CHART_REPORTERS = {
    "wait_specialist": _last("n_waiting_specialist"),
    "wait_residential": _last("n_waiting_residential"),
    **{f"ref_{r}": _mean((f"new_{r}",), 8) for r in S.REFERRERS},
    **{k: _mean(cols, 13, WEEKS_PER_YEAR / 1e6) for k, cols in _COST_COLS.items()},
}


@dataclass
class ChartState:
    """What a chart shows besides its series: language, change markers, the expected wait."""

    lang: str = "nl"
    warmup_weeks: int = 0
    events: tuple = ()  # (live week, label)
    expected_wait: float | None = None
