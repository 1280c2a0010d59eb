"""An animation of a run for slides: ``youthcare animate SCENARIO --out FILE.gif``.

The same picture as the workshop page (``sim.picture``): the municipality with a dot per child
with a need, coloured by state and moving along the referral routes, next to the charts of the
waiting list, new trajectories by referrer and cost. Drawn with matplotlib and written as a GIF by
``matplotlib.animation.PillowWriter`` (Pillow comes with matplotlib). The file is written to a
temporary name and renamed, so an interrupted run leaves no half-written GIF.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from matplotlib.figure import Figure

from sim.model import YouthCareModel
from sim.picture import (
    CHARTS,
    ChartFigure,
    MunicipalityPicture,
    chart_series,
    form_label,
    funding_label,
    tr,
)
from sim.population import WEEKS_PER_YEAR
from sim.scenario import load


def require_pillow() -> None:
    """PillowWriter needs Pillow (a dependency of matplotlib); fail with one clear line."""
    try:
        import PIL  # noqa: F401
    except ImportError:  # pragma: no cover - matplotlib requires pillow
        from sim.cli import UserError

        raise UserError("animate needs Pillow: pip install pillow") from None


def animate(
    spec: str,
    out: Path | str,
    families: int = 5000,
    weeks: int = 104,
    weeks_per_frame: int = 2,
    fps: int = 8,
    warmup_years: float = 3.0,
    seed: int = 0,
    lang: str = "nl",
    dpi: int = 80,
    context_weeks: int = 26,
    progress: bool = False,
) -> Path:
    """Run ``spec`` (a scenario name, path or composition) and write a GIF of ``weeks`` weeks
    after the warm-up: one frame every ``weeks_per_frame`` weeks, ``fps`` frames per second.
    The charts also show the last ``context_weeks`` of the warm-up. Returns the path written."""
    from matplotlib.animation import PillowWriter

    require_pillow()
    out = Path(out)
    scen = load(spec)
    m = YouthCareModel(
        scen.params,
        families=families,
        years=weeks / WEEKS_PER_YEAR,
        warmup_years=warmup_years,
        seed=seed,
        scenario_name=scen.name,
    )
    while m.week < m.warmup_weeks:
        m.step()
    fig = Figure(figsize=(15.0, 7.0), dpi=dpi)
    gs = fig.add_gridspec(
        3,
        2,
        width_ratios=[1.9, 1.0],
        left=0.005,
        right=0.85,
        top=0.93,
        bottom=0.06,
        hspace=0.55,
        wspace=0.1,
    )
    pic = MunicipalityPicture.for_model(m, lang=lang, ax=fig.add_subplot(gs[:, 0]))
    charts = {
        c: ChartFigure(c, lang=lang, ax=fig.add_subplot(gs[k, 1])) for k, c in enumerate(CHARTS)
    }
    title = " + ".join(
        (funding_label if f.kind == "funding" else form_label)(f.name, lang, f.title)
        for f in scen.files
    )
    fig.suptitle(f"{tr('title', lang)}: {title}", x=0.01, ha="left", fontsize=12, weight="bold")
    window = weeks + min(context_weeks, m.warmup_weeks)
    n_frames = -(-weeks // weeks_per_frame) + 1
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_frames, unit="frame", desc=scen.name, file=sys.stderr, leave=False)

    def draw() -> None:
        week = m.week - m.warmup_weeks
        year = week // WEEKS_PER_YEAR + 1
        pic.update(
            m,
            header=f"{tr('week', lang).capitalize()} {week} ({tr('year', lang)} {year}) · "
            f"{m.families.n:,} {tr('families', lang)}".replace(",", "."),
        )
        x, series = chart_series(m.recorder.cols, m.week, m.warmup_weeks, window=window)
        wait = m.expected_specialist_wait()
        for c, ch in charts.items():
            ch.update(x, series[c], expected_wait=wait if c == "waiting" else None, x_max=weeks)

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".animate-", suffix=".gif", dir=out.parent)
    os.close(fd)
    try:
        writer = PillowWriter(fps=fps)
        with writer.saving(fig, tmp, dpi):
            for k in range(n_frames):
                if k:
                    for _ in range(weeks_per_frame):
                        if m.week < m.total_weeks:
                            m.step()
                draw()
                writer.grab_frame()
                if bar is not None:
                    bar.update(1)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; a GIF is for sharing
        os.replace(tmp, out)
    finally:
        if bar is not None:
            bar.close()
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
