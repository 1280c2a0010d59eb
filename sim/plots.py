"""Figures (matplotlib, PNG and SVG): waiting lists with bands, referral routes, the
cost-effectiveness plane and the acceptability curve."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim import economics as econ  # noqa: E402
from sim import states as S  # noqa: E402
from sim.metrics import ROUTE_TIERS  # noqa: E402
from sim.population import WEEKS_PER_YEAR  # noqa: E402

COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def _save(fig, out: Path, name: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for ext in ("png", "svg"):
        p = out / f"{name}.{ext}"
        tmp = out / f".{name}.tmp.{ext}"
        fig.savefig(
            tmp, dpi=130, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None
        )
        tmp.replace(p)
        paths[f"figures/{name}.{ext}"] = p
    plt.close(fig)
    return paths


def waiting_list_bands(records: list[dict], names: list[str], out: Path) -> dict[str, Path]:
    """Specialist waiting list over the measured years: median and 5-95% band over replications."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, name in enumerate(names):
        ser = np.array(
            [r["series"]["waiting_specialist"] for r in records if r["scenario"] == name],
            dtype=float,
        )
        if ser.size == 0:
            continue
        x = np.arange(ser.shape[1]) / WEEKS_PER_YEAR
        c = COLOURS[i % len(COLOURS)]
        ax.fill_between(
            x, np.percentile(ser, 5, axis=0), np.percentile(ser, 95, axis=0), color=c, alpha=0.18
        )
        ax.plot(x, np.median(ser, axis=0), color=c, label=name, lw=1.6)
    ax.set_xlabel("years after warm-up")
    ax.set_ylabel("children on the specialist waiting list")
    ax.set_title("Waiting list (median, 5-95% over replications)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, out, "waiting_list")


def referral_routes(records: list[dict], names: list[str], out: Path) -> dict[str, Path]:
    """Who refers to whom: new trajectories per 1000 children per year, by referrer and destination."""
    fig, axes = plt.subplots(1, len(ROUTE_TIERS), figsize=(4 * len(ROUTE_TIERS), 4.2), sharey=False)
    width = 0.8 / len(names)
    for j, tier in enumerate(ROUTE_TIERS):
        ax = axes[j]
        for i, name in enumerate(names):
            vals = np.array(
                [
                    [
                        r["summary"]["trajectories_by_route_per_1000_children_per_year"][ref][tier]
                        for ref in S.REFERRERS
                    ]
                    for r in records
                    if r["scenario"] == name
                ]
            )
            ax.bar(
                np.arange(len(S.REFERRERS)) + i * width,
                vals.mean(axis=0),
                width,
                color=COLOURS[i % len(COLOURS)],
                label=name,
            )
        ax.set_xticks(np.arange(len(S.REFERRERS)) + 0.4 - width / 2)
        ax.set_xticklabels(S.REFERRERS, rotation=30)
        ax.set_title(f"to {tier}")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("new trajectories per 1000 children per year")
    axes[-1].legend(fontsize=7)
    fig.suptitle("Referral routes: referrer (x) to destination (panel)")
    return _save(fig, out, "referral_routes")


def ce_plane(
    runs: pd.DataFrame, ce: pd.DataFrame, names: list[str], wtp: float, out: Path
) -> dict[str, Path]:
    """Incremental QALYs (x) against incremental cost (y), one dot per replication."""
    fig, ax = plt.subplots(figsize=(6.5, 5))
    base = runs[runs["scenario"] == names[0]].set_index("rep")
    xs, ys = [0.0], [0.0]
    for i, name in enumerate(names[1:], start=1):
        x = runs[runs["scenario"] == name].set_index("rep")
        dc = (x["cost_discounted"] - base["cost_discounted"].reindex(x.index)) / 1e6
        de = base["qaly_loss_discounted"].reindex(x.index) - x["qaly_loss_discounted"]
        c = COLOURS[i % len(COLOURS)]
        ax.scatter(de, dc, s=14, alpha=0.5, color=c)
        ax.scatter([de.mean()], [dc.mean()], s=80, marker="D", color=c, edgecolor="k", label=name)
        xs += list(de)
        ys += list(dc)
    lim = max(abs(min(xs)), abs(max(xs))) * 1.15 or 1.0
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="k", lw=0.8)
    xx = np.linspace(-lim, lim, 10)
    ax.plot(xx, wtp * xx / 1e6, "k--", lw=1, label=f"WTP €{wtp:,.0f}/QALY")
    ax.set_xlim(-lim, lim)
    ax.set_xlabel(f"incremental QALYs vs {names[0]} (discounted)")
    ax.set_ylabel(f"incremental cost vs {names[0]} (EUR million, discounted)")
    ax.set_title("Cost-effectiveness plane")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _save(fig, out, "ce_plane")


def acceptability(ceac: pd.DataFrame, names: list[str], out: Path) -> dict[str, Path]:
    """Probability of being cost-effective against willingness to pay, EUR 0-80k per QALY."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, name in enumerate(names[1:], start=1):
        d = ceac[ceac["scenario"] == name]
        ax.plot(
            d["wtp_eur_per_qaly"] / 1000,
            d["prob_cost_effective"],
            color=COLOURS[i % len(COLOURS)],
            label=name,
            lw=1.6,
        )
    for w in econ.WTP_MARKS:
        ax.axvline(w / 1000, color="grey", ls=":", lw=1)
        ax.text(w / 1000, 1.02, f"€{w / 1000:.0f}k", ha="center", fontsize=8)
    ax.set_xlim(0, 80)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("willingness to pay (EUR thousand per QALY)")
    ax.set_ylabel("probability cost-effective")
    ax.set_title(f"Cost-effectiveness acceptability curve (vs {names[0]})", pad=16)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _save(fig, out, "acceptability_curve")


def compare_figures(records, runs, ce, ceac, names, wtp, out: Path) -> dict[str, Path]:
    paths = {}
    paths.update(waiting_list_bands(records, names, out))
    paths.update(referral_routes(records, names, out))
    if len(names) > 1:
        paths.update(ce_plane(runs, ce, names, wtp, out))
        paths.update(acceptability(ceac, names, out))
    return paths


def sensitivity_figures(indices: pd.DataFrame, method: str, outputs, out: Path) -> dict[str, Path]:
    """Bar charts of the indices per output: mu* (Morris) or S1 and ST (Sobol), with 95% CIs."""
    paths = {}
    for col in outputs:
        d = indices[indices["output"] == col]
        fig, ax = plt.subplots(figsize=(7, 0.35 * d["parameter"].nunique() + 1.5))
        if method == "morris":
            m = d[d["index"] == "mu_star"].sort_values("value")
            ax.barh(m["parameter"], m["value"], xerr=m["conf"], color=COLOURS[0], alpha=0.8)
            ax.set_xlabel("mu* (mean absolute elementary effect)")
        else:
            s1 = d[d["index"] == "S1"].set_index("parameter")
            st = d[d["index"] == "ST"].set_index("parameter").sort_values("value")
            y = np.arange(len(st))
            ax.barh(
                y + 0.2, st["value"], 0.4, xerr=st["conf"], color=COLOURS[1], label="total order ST"
            )
            ax.barh(
                y - 0.2,
                s1.loc[st.index, "value"],
                0.4,
                xerr=s1.loc[st.index, "conf"],
                color=COLOURS[0],
                label="first order S1",
            )
            ax.set_yticks(y)
            ax.set_yticklabels(st.index)
            ax.set_xlabel("Sobol index")
            ax.legend(fontsize=8)
        ax.set_title(f"{method}: {col}")
        ax.grid(axis="x", alpha=0.3)
        paths.update(_save(fig, out, f"{method}_{col}"))
    return paths


def validation_figures(checks, target_runs: list[dict], out: Path) -> dict[str, Path]:
    """Targets against the model with uncertainty (replications), and every check's verdict."""
    from sim.calibration import TARGETS

    paths = {}
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(TARGETS) + 1.5))
    for i, t in enumerate(TARGETS):
        half = (t.hi - t.lo) / 2
        vals = np.array([(t.read(s) - t.target) / half for s in target_runs])
        ax.fill_betweenx([i - 0.35, i + 0.35], -1, 1, color="#cde8cd", lw=0)
        ax.plot([vals.min(), vals.max()], [i, i], color="k", lw=1.2)
        ax.scatter(vals, np.full(len(vals), i), s=14, color="k", zorder=3)
        ax.scatter([vals.mean()], [i], s=60, marker="D", color=COLOURS[0], zorder=4)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(TARGETS)))
    ax.set_yticklabels([t.name for t in TARGETS], fontsize=8)
    ax.set_xlabel("model minus target, in tolerance half-widths (green: within tolerance)")
    ax.set_title(
        f"Calibration targets vs the model ({len(target_runs)} replications: dots, range, mean)"
    )
    ax.grid(axis="x", alpha=0.3)
    paths.update(_save(fig, out, "calibration_targets"))
    other = [c for c in checks if c.kind != "calibration"]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(other) + 1.2))
    for i, c in enumerate(other):
        ax.scatter(
            [1 if c.passed else 0],
            [i],
            s=70,
            marker="o" if c.passed else "X",
            color="#2a9d2a" if c.passed else "#c0392b",
        )
        ax.text(
            1.15,
            i,
            textwrap.fill(
                f"{c.figure:.3g}"
                + (f" [{c.low:.3g}, {c.high:.3g}]; {c.passed_in}" if c.passed_in else "")
                + f"  (expected {c.expected})",
                60,
            ),
            va="center",
            fontsize=7,
            linespacing=0.9,
        )
    ax.set_yticks(range(len(other)))
    ax.set_yticklabels(
        [textwrap.fill(f"[{c.kind}] {c.name}", 62) for c in other], fontsize=7, linespacing=0.9
    )
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["FAIL", "PASS"])
    ax.set_xlim(-0.3, 3.2)
    ax.set_title(
        "Validation and queueing checks"
        + (
            f" (mean [range] over {other[0].passed_in.split(' of ')[1]} replications)"
            if other and other[0].passed_in
            else ""
        )
    )
    paths.update(_save(fig, out, "checks"))
    return paths
