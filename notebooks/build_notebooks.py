"""Regenerate the three notebooks in this folder from the cell texts below (no outputs).

    .venv/bin/python notebooks/build_notebooks.py

Edit the cells here and rerun, or edit the notebooks in Jupyter and clear all outputs before you
commit (tests/test_notebooks.py checks that committed notebooks carry no outputs). Cell ids are
fixed so that a rebuild gives the same bytes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

QUICK_LINE = (
    'QUICK = os.environ.get("SIM_QUICK", "").strip().lower() not in ("", "0", "false", "no")'
)


def md(text: str, *tags: str):
    cell = new_markdown_cell(dedent(text).strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(text: str, *tags: str):
    cell = new_code_cell(dedent(text).strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(stem: str, cells: list) -> None:
    for i, cell in enumerate(cells):
        cell.id = f"{stem[:2]}-{i:02d}"
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            },
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{stem}.ipynb")
    print(f"wrote notebooks/{stem}.ipynb ({len(cells)} cells)")


# ---------------------------------------------------------------------------------------------
# 01: policy scenarios
# ---------------------------------------------------------------------------------------------
NB1 = [
    md(
        """
        # Policy scenarios: waiting lists, costs and cost-effectiveness

        *For policy makers in a municipality or youth-care region (jeugdzorgregio).*

        This notebook answers questions such as *"what happens to waiting lists and costs if every GP
        practice gets a youth and family worker?"* or *"lumpsum or p×q?"*. It runs the model for a
        set of **scenarios** (ways of organising youth care) and compares them with the first one,
        the **comparator** (normally today's fragmented 2015+ system, `baseline`).

        How the comparison is made:

        * The model simulates the same region, with the same families and children, under every
          scenario. Each child meets the same luck in every scenario (common random numbers), so the
          differences you see come from the scenario, not from chance.
        * Much of what the model assumes is uncertain (how often problems arise, how GPs refer, what
          care costs). Each **replication** draws one plausible set of those assumptions from the
          parameter registry and uses it for every scenario. The bands and confidence intervals
          therefore show what we do not know, not only random noise.
        * Costs are public youth-care spending in euros: municipal Jeugdwet spending (wijkteam,
          specialist and residential care, JGZ) plus insurer-paid GP care, including the cost of the
          intervention itself (GP time, the practice worker, a platform, monitoring). Health effects
          are QALYs (quality-adjusted life years) lost while children have unmet or untreated needs.
        * The headline is the **net monetary benefit (NMB)**: QALYs gained × what we are willing to pay
          for one QALY, minus the extra cost. A positive NMB means *worth it* at that price.

        **How to use it.** Change the scenarios and sizes in the parameter cell below, then *Run All*.
        Runs are stored in `results/notebooks/`; running again with the same settings reuses them.
        With `SIM_QUICK=1` in the environment the notebook runs at small sizes (a smoke test: the
        numbers are illustrative only); the code after the parameter cell is the same.
        """
    ),
    code(
        f"""
        # Parameters: the only cell to edit. SIM_QUICK=1 in the environment selects the quick sizes
        # (a smoke test whose numbers are illustrative only); all code after this cell is the same.
        import os

        {QUICK_LINE}

        # The first scenario is the comparator. Names are files in scenarios/ (list them with
        # `youthcare scenarios` or in the table below); compose with "+", e.g.
        # "hart-voor-jeugd-en-gezin+lumpsum".
        SCENARIOS = [
            "baseline",
            "family-worker-weekly",
            "digital-family-plan",
            "hart-voor-jeugd-en-gezin",
            "lumpsum",
        ]
        FAMILIES = 2_000 if QUICK else 20_000  # families in the simulated region
        REPLICATIONS = 3 if QUICK else 10  # parameter draws (each shared by every scenario)
        YEARS = 2 if QUICK else 10  # measured years
        WARMUP_YEARS = 1 if QUICK else 3  # settling-in years before measuring (README, 'Warm-up')
        SEED = 0
        WORKERS = 2  # model runs in parallel
        WTP = 50_000  # willingness to pay, EUR per QALY, for the NMB headline
        DISCOUNT_COSTS = 0.04  # Zorginstituut 2016 guideline
        DISCOUNT_EFFECTS = 0.015
        RESULTS_DIR = os.environ.get("YOUTHCARE_NOTEBOOK_RESULTS")  # default: results/notebooks/
        """,
        "parameters",
    ),
    code(
        """
        import hashlib
        import json
        import sys
        import time
        from pathlib import Path

        import numpy as np
        import pandas as pd
        from IPython.display import Image, Markdown, display

        from sim import economics as econ
        from sim.compare import (
            CompareSettings,
            Comparison,
            comparison_table,
            cost_effectiveness,
            write_outputs,
        )
        from sim.experiment import REPO
        from sim.scenario import list_scenarios, load

        if QUICK:
            assert FAMILIES <= 2_000 and REPLICATIONS <= 3 and YEARS <= 2 and WARMUP_YEARS <= 1
        RESULTS = Path(RESULTS_DIR) if RESULTS_DIR else REPO / "results" / "notebooks"
        pd.set_option("display.max_colwidth", 100)


        def results_folder(stem: str, key: dict) -> Path:
            \"\"\"One folder per set of settings: the same settings resume, other settings start afresh.\"\"\"
            digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
            return RESULTS / f"{stem}-{'quick' if QUICK else 'full'}-{digest[:10]}"


        print(f"mode: {'QUICK (small sizes, illustrative numbers)' if QUICK else 'full'}")
        print(f"python: {sys.executable}")
        """
    ),
    md(
        """
        ## 1. The scenarios

        Every scenario file changes only what its system changes (hours of a practice worker in the
        GP practice, a shared digital family plan, JGZ and the wijkteam as one team, a lumpsum budget)
        and explains its mechanism; `docs/scenarios.md` describes each in plain words. The effects on
        referrals and waiting lists are not put in: they emerge from how GPs, the wijkteam, JGZ and
        providers behave. Kinds: *baseline* (a whole system), *collaboration* (how GP, wijkteam, JGZ
        and the POH-jeugd work together), *funding* (how care is paid), *modifier* (a change in
        circumstances). The table lists all of them; the ones chosen in the parameter cell are marked.
        """
    ),
    code(
        """
        chosen = {part for spec in SCENARIOS for part in spec.split("+")}
        catalogue = pd.DataFrame(
            [
                {"scenario": f.name, "kind": f.kind, "title": f.title, "chosen": f.name in chosen}
                for f in list_scenarios()
            ]
        ).set_index("scenario")
        display(catalogue)
        """
    ),
    md(
        """
        ## 2. Run the comparison

        This is the same computation as `youthcare compare` on the command line. Each finished run is
        stored at once; if the notebook is interrupted, running the cell again picks up where it
        stopped.
        """
    ),
    code(
        """
        settings = CompareSettings(
            scenarios=SCENARIOS,
            replications=REPLICATIONS,
            precision=None,
            families=FAMILIES,
            years=YEARS,
            warmup_years=WARMUP_YEARS,
            seed=SEED,
            workers=WORKERS,
            wtp=WTP,
            discount_costs=DISCOUNT_COSTS,
            discount_effects=DISCOUNT_EFFECTS,
        )
        scenario_parameters = {name: load(name).params.to_dict() for name in SCENARIOS}
        OUT = results_folder("01-policy-scenarios", {**settings.key(), "parameters": scenario_parameters})
        t0 = time.perf_counter()
        cmp = Comparison(settings, OUT, progress=False, log=print)
        runs = cmp.run()
        paths = write_outputs(cmp, runs)
        names = [sc.name for sc in cmp.scen]
        base = names[0]
        print(
            f"{len(runs)} runs ({len(names)} scenarios x {cmp.R} replications, {FAMILIES:,} families, "
            f"{YEARS:g} measured years after a {WARMUP_YEARS:g}-year warm-up) in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        print(cmp.why_r)
        print(f"results: {OUT}")
        """
    ),
    md(
        """
        ## 3. The comparison table

        Each cell is the mean over replications with its 95% confidence interval in brackets. The
        second table gives each scenario's difference with the comparator, computed replication by
        replication (the same families and the same assumptions), which is why a difference can be
        clear even when the intervals of the levels overlap. A `*` marks a difference whose 95%
        interval excludes zero. Shares of children are per calendar year; "in care" means wijkteam
        help, specialist or residential care (JGZ support and practice-worker sessions do not count).
        """
    ),
    code(
        """
        KEY_METRICS = [
            "in_care_share",
            "specialist_share",
            "wait_mean",
            "within_treeknorm",
            "waiting_list_end",
            "cost_per_year",
            "cost_municipality",
            "cost_per_child_in_care",
            "qaly_loss",
            "professionals_per_family",
            "referrer_gp",
            "referrer_wijkteam",
        ]
        table = comparison_table(runs, names)


        def fmt(v: float, unit: str) -> str:
            if not np.isfinite(v):
                return "n/a"
            if unit == "share":
                return f"{100 * v:.1f}%"
            if unit.startswith("EUR"):
                return f"€{v / 1e6:.2f}M" if abs(v) >= 1e5 else f"€{v:,.0f}"
            return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"


        def fmt_diff(v: float, unit: str) -> str:
            if not np.isfinite(v):
                return "n/a"
            if unit == "share":
                return f"{100 * v:+.1f} pp"
            if unit.startswith("EUR"):
                return f"{v / 1e6:+.2f}M €" if abs(v) >= 1e5 else f"{v:+,.0f} €"
            return f"{v:+,.2f}" if abs(v) < 100 else f"{v:+,.0f}"


        rows = table[table["metric"].isin(KEY_METRICS)].copy()
        rows["metric (unit)"] = rows["label"] + " (" + rows["unit"] + ")"
        order = [rows.loc[rows["metric"] == m, "metric (unit)"].iloc[0] for m in KEY_METRICS]
        rows["level"] = [
            f"{fmt(r.mean, r.unit)} [{fmt(r.ci_low, r.unit)}, {fmt(r.ci_high, r.unit)}]"
            for r in rows.itertuples()
        ]
        rows["difference"] = [
            f"{fmt_diff(r.diff_vs_first, r.unit)} [{fmt_diff(r.diff_ci_low, r.unit)}, "
            f"{fmt_diff(r.diff_ci_high, r.unit)}]" + (" *" if r.diff_ci_low > 0 or r.diff_ci_high < 0 else "")
            for r in rows.itertuples()
        ]
        levels = rows.pivot(index="metric (unit)", columns="scenario", values="level")
        display(Markdown(f"**Levels** (mean [95% CI] over {cmp.R} replications)"))
        display(levels.reindex(index=order, columns=names))
        if len(names) > 1:
            diffs = rows[rows["scenario"] != base].pivot(
                index="metric (unit)", columns="scenario", values="difference"
            )
            display(Markdown(f"**Difference with `{base}`** (paired, mean [95% CI])"))
            display(diffs.reindex(index=order, columns=names[1:]))
        """
    ),
    md(
        """
        ## 4. Cost-effectiveness

        Against the comparator, per scenario: the extra cost and the QALYs gained over the whole
        measured period (discounted, for the simulated region), the quadrant of the
        cost-effectiveness plane, the ICER (extra cost per QALY gained, as a ratio of means), the net
        monetary benefit at the chosen willingness to pay with its 95% interval, and the probability
        of being cost-effective (the share of replications with a positive NMB).
        """
    ),
    code(
        """
        ce, ceac = cost_effectiveness(runs, names, WTP)


        def icer_words(r) -> str:
            q = r["quadrant"][:2]
            if q == "SE":
                return "dominant"
            if q == "NW":
                return "dominated"
            v = r["icer_eur_per_qaly"]
            return f"€{v:,.0f}/QALY" if np.isfinite(v) else "n/a"


        if ce.empty:
            print("Only one scenario: nothing to compare.")
        else:
            ce_view = pd.DataFrame(
                {
                    "quadrant": ce["quadrant"],
                    "extra cost": [
                        f"{fmt_diff(r.incremental_cost_eur, 'EUR')} [{fmt_diff(r.incremental_cost_ci_low, 'EUR')}, "
                        f"{fmt_diff(r.incremental_cost_ci_high, 'EUR')}]"
                        for r in ce.itertuples()
                    ],
                    "QALYs gained": [
                        f"{r.incremental_qaly:+.1f} [{r.incremental_qaly_ci_low:+.1f}, {r.incremental_qaly_ci_high:+.1f}]"
                        for r in ce.itertuples()
                    ],
                    "ICER": [icer_words(r) for _, r in ce.iterrows()],
                    f"NMB at €{WTP:,.0f}/QALY": [
                        f"{fmt_diff(r.nmb_eur, 'EUR')} [{fmt_diff(r.nmb_ci_low, 'EUR')}, {fmt_diff(r.nmb_ci_high, 'EUR')}]"
                        for r in ce.itertuples()
                    ],
                    "P(cost-effective)": [f"{p:.0%}" for p in ce["prob_cost_effective"]],
                }
            )
            ce_view.index = ce["scenario"]
            display(ce_view)
            print(f"Perspective: {econ.PERSPECTIVE}.")
        """
    ),
    md(
        """
        ## 5. Figures

        **Waiting list.** Children on the waiting list for specialist care (jeugd-ggz and other
        specialist youth help) over the measured years: the line is the median over replications, the
        band the 5–95% range. A scenario whose band lies below the comparator's shortens the list; a
        rising line means the list is growing.
        """
    ),
    code(
        """
        display(Image(filename=str(paths["figures/waiting_list.png"])))
        """
    ),
    md(
        """
        **Referral routes.** Who starts new trajectories and where they go, per 1,000 children per
        year: the GP (a POH-jeugd or practice worker counts as the GP), the wijkteam, JGZ, no referrer
        (free-access providers) and *other* (child protection and medical specialists). A collaboration
        form that works shifts referrals from specialist care to the wijkteam or to lighter help.
        """
    ),
    code(
        """
        display(Image(filename=str(paths["figures/referral_routes.png"])))
        """
    ),
    md(
        """
        **Cost-effectiveness plane.** One dot per replication: QALYs gained (right is better) against
        extra cost (down is cheaper); diamonds are the means. Dots below the dashed line (the
        willingness to pay) are cost-effective. Dots spread across the quadrants mean the answer
        depends on uncertain assumptions.

        **Acceptability curve.** For each price one is willing to pay for a QALY (€0–80k), the
        probability that the scenario is cost-effective against the comparator; €20k, €50k and €80k
        per QALY (the Dutch reference values) are marked.
        """
    ),
    code(
        """
        for key in ("figures/ce_plane.png", "figures/acceptability_curve.png"):
            if key in paths:
                display(Image(filename=str(paths[key])))
        """
    ),
    md(
        """
        ## 6. Conclusion

        The paragraph below is written by the code from the results above: rerun the notebook with
        other scenarios or sizes and it changes with them.
        """
    ),
    code(
        """
        def eur(x: float) -> str:
            sign = "−" if x < 0 else ""
            x = abs(x)
            return f"{sign}€{x / 1e6:.2f} million" if x >= 1e6 else f"{sign}€{x:,.0f}"


        def p_ce(name: str, wtp: float) -> float:
            d = ceac[(ceac["scenario"] == name) & np.isclose(ceac["wtp_eur_per_qaly"], wtp)]
            return float(d["prob_cost_effective"].iloc[0])


        def plane_words(r) -> str:
            # The quadrant in words, on average, with a caveat when a 95% CI spans zero.
            caveats = []
            if r["incremental_qaly_ci_low"] < 0 < r["incremental_qaly_ci_high"]:
                caveats.append(
                    f"QALYs {r['incremental_qaly_ci_low']:+.1f} to {r['incremental_qaly_ci_high']:+.1f}"
                )
            if r["incremental_cost_ci_low"] < 0 < r["incremental_cost_ci_high"]:
                caveats.append(
                    f"cost {eur(r['incremental_cost_ci_low'])} to {eur(r['incremental_cost_ci_high'])}"
                )
            words = _plane_words(r)
            if caveats:
                words = (
                    f"on average {words}; but the 95% CI of the difference includes zero "
                    f"({'; '.join(caveats)}), so this ordering is not established"
                )
            return words


        def _plane_words(r) -> str:
            q, dc, dq = r["quadrant"][:2], r["incremental_cost_eur"], r["incremental_qaly"]
            if q == "SE":
                return f"it is cheaper ({eur(-dc)} less) and gains {dq:.1f} QALYs, so it dominates `{base}`"
            if q == "NE":
                return (
                    f"it costs {eur(dc)} more and gains {dq:.1f} QALYs: "
                    f"€{r['icer_eur_per_qaly']:,.0f} per QALY gained"
                )
            if q == "SW":
                return (
                    f"it saves {eur(-dc)} but loses {-dq:.1f} QALYs: "
                    f"€{r['icer_eur_per_qaly']:,.0f} saved per QALY lost"
                )
            if q == "NW":
                return f"it costs {eur(dc)} more and loses {-dq:.1f} QALYs, so `{base}` dominates it"
            return "it makes no difference in cost or QALYs"


        def metric(name: str, col: str):
            return table[(table["scenario"] == name) & (table["metric"] == col)].iloc[0]


        if ce.empty:
            conclusion = "Only one scenario was run: choose at least two to compare."
        else:
            by = ce.set_index("scenario")
            best = by["nmb_eur"].idxmax()
            b = by.loc[best]
            lo, hi = b["nmb_ci_low"], b["nmb_ci_high"]
            parts = [
                f"**Setting.** {FAMILIES:,} families, {YEARS:g} measured year{'s' * (YEARS != 1)} after "
                f"{WARMUP_YEARS:g} year{'s' * (WARMUP_YEARS != 1)} of warm-up, {cmp.R} replications; costs and QALYs summed over the measured years "
                f"and discounted at {DISCOUNT_COSTS:.1%} and {DISCOUNT_EFFECTS:.1%} a year; comparator "
                f"`{base}`; willingness to pay €{WTP:,.0f} per QALY."
            ]
            if b["nmb_eur"] > 0:
                parts.append(
                    f"**Best value for money.** `{best}` has the highest net monetary benefit: "
                    f"{eur(b['nmb_eur'])} (95% CI {eur(lo)} to {eur(hi)}) compared with `{base}`. "
                    f"In the cost-effectiveness plane ({b['quadrant']}) {plane_words(b)}."
                )
            else:
                parts.append(
                    f"**Best value for money.** No scenario has a positive net monetary benefit at "
                    f"€{WTP:,.0f} per QALY, so on these results `{base}` remains the cost-effective "
                    f"choice. The least unfavourable is `{best}` with {eur(b['nmb_eur'])} (95% CI "
                    f"{eur(lo)} to {eur(hi)}); {plane_words(b)} ({b['quadrant']})."
                )
            probs = ", ".join(
                f"{p_ce(best, w):.0%} at €{w / 1000:,.0f}k" for w in econ.WTP_MARKS
            )
            parts.append(
                f"**How likely is it worth it?** The probability that `{best}` is cost-effective "
                f"against `{base}` is {probs} per QALY (the share of the {cmp.R} replications with a "
                f"positive net benefit)."
            )
            if not (lo > 0 or hi < 0):
                parts.append(
                    f"**Caution.** The 95% confidence interval of the net monetary benefit of `{best}` "
                    f"({eur(lo)} to {eur(hi)}) includes zero: with {cmp.R} replications it cannot be "
                    f"told apart from `{base}`. Run more replications (for example `youthcare compare "
                    f"... --precision 0.05`) before basing a decision on it."
                )
            else:
                parts.append(
                    f"The 95% confidence interval of the net monetary benefit excludes zero, so the "
                    f"difference with `{base}` is unlikely to be an accident of these {cmp.R} "
                    f"replications (within the model's assumptions)."
                )
            w_best, w_base = metric(best, "wait_mean"), metric(base, "wait_mean")
            c_best = metric(best, "cost_per_year")
            parts.append(
                f"**Waiting and spending.** Under `{best}` the mean wait for specialist care is "
                f"{w_best['mean']:.1f} weeks against {w_base['mean']:.1f} under `{base}` (difference "
                f"{w_best['diff_vs_first']:+.1f} weeks, 95% CI {w_best['diff_ci_low']:+.1f} to "
                f"{w_best['diff_ci_high']:+.1f}); spending changes by {eur(c_best['diff_vs_first'])} "
                f"a year (95% CI {eur(c_best['diff_ci_low'])} to {eur(c_best['diff_ci_high'])})."
            )
            others = [
                f"`{name}`: NMB {eur(r['nmb_eur'])}, {r['quadrant'].split(':')[0]} quadrant, "
                f"P(cost-effective) {r['prob_cost_effective']:.0%}"
                for name, r in by.drop(index=best).sort_values("nmb_eur", ascending=False).iterrows()
            ]
            if others:
                parts.append("**The other scenarios** (best first): " + "; ".join(others) + ".")
            if QUICK:
                parts.append(
                    f"**Quick mode.** These numbers come from a small run ({FAMILIES:,} families, "
                    f"{cmp.R} replications, {YEARS:g} years) that checks the notebook works; they are "
                    f"illustrative only. Unset `SIM_QUICK` for the full sizes."
                )
        display(Markdown("\\n\\n".join(parts) if not ce.empty else conclusion))
        """,
        "conclusion",
    ),
    md(
        """
        ### Files

        The tables (`comparison.csv`, `cost_effectiveness.csv`, `ceac.csv`, `runs.csv`), the
        figures in PNG and SVG and a `manifest.json` (scenario files, every parameter, seeds, package
        versions) are in the results folder printed above, for reports and for reproducing the run.
        """
    ),
]

# ---------------------------------------------------------------------------------------------
# 02: sensitivity analysis
# ---------------------------------------------------------------------------------------------
NB2 = [
    md(
        """
        # Sensitivity analysis: Morris screening, then Sobol indices

        *For researchers.* Which uncertain parameters drive the model's waiting times and costs, and
        what does that mean for the policy question of notebook 1 (which collaboration form, which
        funding)?

        The design follows the usual two steps, with SALib and the parameter registry
        (`sim/params.py`) as the only source of ranges:

        1. **Morris (elementary effects)** screens many parameters cheaply. For each parameter,
           `mu*` (mean absolute elementary effect, in the output's units) measures its overall
           influence, and `sigma` the spread of its effects: a large `sigma/mu*` signals nonlinearity
           or interaction with other parameters.
        2. **Sobol (variance decomposition)** on the top factors of the screen: the first-order index
           `S1` is the share of output variance explained by a parameter alone, the total-order index
           `ST` includes all its interactions. `ST − S1` is the interaction part; a parameter with
           `ST` near zero can be fixed at its default.

        Every sample runs the chosen scenario with one model seed shared by all samples (common random
        numbers), so the indices measure parameters, not noise. Ranges are the bounds of each
        parameter's uncertainty distribution in the registry; scenario levers and structural
        settings are not varied. This is the same computation as `youthcare sensitivity`.

        With `SIM_QUICK=1` the notebook screens one registry section with few trajectories and runs
        Sobol with `N = 8`: a smoke test whose indices are too noisy to interpret (the CI verdicts
        say so). The code after the parameter cell is the same.
        """
    ),
    code(
        f"""
        # Parameters: the only cell to edit. SIM_QUICK=1 in the environment selects the quick sizes.
        import os

        {QUICK_LINE}

        SCENARIO = "baseline"  # the scenario whose uncertainty is analysed
        # Morris screens a registry section ("need", "specialist", ...) or, with None, every
        # parameter that has an uncertainty distribution in the registry.
        MORRIS_GROUP = "need" if QUICK else None
        MORRIS_N = 4 if QUICK else 10  # Morris trajectories; runs = N x (parameters + 1)
        TOP_K = 4  # factors carried from the Morris screen into Sobol
        SOBOL_N = 8 if QUICK else 64  # Sobol base samples (a power of 2); runs = N x (TOP_K + 2)
        RANK_OUTPUTS = ["wait_mean", "cost_per_year"]  # outputs of the policy question
        FAMILIES = 2_000 if QUICK else 5_000
        YEARS = 1 if QUICK else 5  # measured years per run
        WARMUP_YEARS = 0.5 if QUICK else 3
        SEED = 0
        WORKERS = 2
        RESULTS_DIR = os.environ.get("YOUTHCARE_NOTEBOOK_RESULTS")  # default: results/notebooks/
        """,
        "parameters",
    ),
    code(
        """
        import hashlib
        import json
        import sys
        import time
        from pathlib import Path

        import numpy as np
        import pandas as pd
        from IPython.display import Image, Markdown, display

        from sim import sensitivity as sens
        from sim.compare import METRICS
        from sim.experiment import REPO
        from sim.params import REGISTRY

        if QUICK:
            assert FAMILIES <= 2_000 and MORRIS_N <= 4 and SOBOL_N <= 8 and YEARS <= 2 and WARMUP_YEARS <= 1
        assert SOBOL_N & (SOBOL_N - 1) == 0, "SOBOL_N must be a power of 2"
        assert set(RANK_OUTPUTS) <= set(sens.OUTPUTS), f"RANK_OUTPUTS: choose from {sens.OUTPUTS}"
        RESULTS = Path(RESULTS_DIR) if RESULTS_DIR else REPO / "results" / "notebooks"
        LABEL = {col: label for col, label, _, _ in METRICS}
        UNIT = {col: unit for col, _, unit, _ in METRICS}
        pd.set_option("display.max_colwidth", 90)


        def results_folder(stem: str, key: dict) -> Path:
            \"\"\"One folder per set of settings: the same settings resume, other settings start afresh.\"\"\"
            digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
            return RESULTS / f"{stem}-{'quick' if QUICK else 'full'}-{digest[:10]}"


        def study(method: str, params: list[str], n: int):
            \"\"\"Run (or resume) one SALib study and return it with its outputs, indices and files.\"\"\"
            settings = sens.SensitivitySettings(
                method=method,
                params=params,
                n=n,
                second_order=False,
                scenario=SCENARIO,
                families=FAMILIES,
                years=YEARS,
                warmup_years=WARMUP_YEARS,
                seed=SEED,
            )
            out = results_folder(f"02-{method}", settings.key())
            t0 = time.perf_counter()
            s = sens.Sensitivity(settings, out, workers=WORKERS, progress=False, log=print)
            Y = s.run()
            indices = s.analyse(Y)
            files = sens.write_outputs(s, Y, indices, {"backend": "local", "workers": WORKERS})
            print(
                f"{method}: {len(params)} parameters, {len(s.X)} runs of '{SCENARIO}' ({FAMILIES:,} "
                f"families, {YEARS:g} measured year{'s' * (YEARS != 1)} after {WARMUP_YEARS:g} "
                f"year{'s' * (WARMUP_YEARS != 1)} of warm-up) in "
                f"{time.perf_counter() - t0:.0f} s; results: {out}"
            )
            return s, Y, indices, files


        print(f"mode: {'QUICK (small sizes, noisy indices)' if QUICK else 'full'}")
        print(f"python: {sys.executable}")
        """
    ),
    md(
        """
        ## 1. Morris screening

        The parameters screened, their units and ranges come from the registry.
        """
    ),
    code(
        """
        morris_params = sens.select_parameters(None, MORRIS_GROUP)
        morris, Y_morris, morris_idx, morris_files = study("morris", morris_params, MORRIS_N)
        """
    ),
    md(
        """
        **Ranking.** `mu*` has the output's units, so the parameters are ranked on `mu*` divided by
        the largest `mu*` for that output (1 = the most influential parameter), averaged over the
        outputs of the policy question (`RANK_OUTPUTS`). The top `TOP_K` go on to Sobol.
        """
    ),
    code(
        """
        mu = morris_idx[morris_idx["index"] == "mu_star"].pivot(
            index="parameter", columns="output", values="value"
        )
        sigma = morris_idx[morris_idx["index"] == "sigma"].pivot(
            index="parameter", columns="output", values="value"
        )
        relative = (mu / mu.max().replace(0.0, np.nan)).fillna(0.0)
        score = relative[RANK_OUTPUTS].mean(axis=1).sort_values(ascending=False)
        top = list(score.index[:TOP_K])

        ranking = pd.DataFrame({"score": score.round(3)})
        for col in RANK_OUTPUTS:
            ranking[f"mu* {col} ({UNIT[col]})"] = mu.loc[score.index, col].map(lambda v: f"{v:.4g}")
            ratio = (sigma[col] / mu[col].replace(0.0, np.nan)).loc[score.index]
            ranking[f"sigma/mu* {col}"] = ratio.round(2)
        ranking["unit"] = [REGISTRY[p].unit for p in score.index]
        ranking["range"] = [
            "{:g} – {:g}".format(*REGISTRY[p].uncertain_bounds) for p in score.index
        ]
        ranking["meaning"] = [REGISTRY[p].doc for p in score.index]
        display(ranking.head(max(10, TOP_K)))
        print(f"Carried into Sobol (top {TOP_K}): {', '.join(top)}")
        """
    ),
    md(
        """
        **Morris figures.** Bars are `mu*` with its bootstrap 95% confidence interval, per output.
        Parameters whose bar is short compared with the top ones can be fixed at their defaults in
        later studies.
        """
    ),
    code(
        """
        for col in RANK_OUTPUTS + [c for c in ("qaly_loss",) if c not in RANK_OUTPUTS]:
            display(Image(filename=str(morris_files[f"figures/morris_{col}.png"])))
        others = [c for c in sens.OUTPUTS if c not in RANK_OUTPUTS + ["qaly_loss"]]
        print("Other Morris figures:", ", ".join(str(morris_files[f"figures/morris_{c}.png"]) for c in others))
        """
    ),
    md(
        """
        ## 2. Sobol indices on the top factors

        Saltelli sampling of the top factors only (`N × (k + 2)` runs without second-order indices);
        the other parameters stay at their defaults.
        """
    ),
    code(
        """
        sobol, Y_sobol, sobol_idx, sobol_files = study("sobol", top, SOBOL_N)


        def pm(value: float, conf: float) -> str:
            return f"{value:.2f} ± {conf:.2f}"


        cells = sobol_idx.assign(cell=[pm(v, c) for v, c in zip(sobol_idx["value"], sobol_idx["conf"], strict=True)])
        sobol_table = cells.pivot(index="parameter", columns=["output", "index"], values="cell")
        display(Markdown("**Sobol indices** (value ± 95% CI half-width)"))
        display(sobol_table.reindex(index=top))
        """
    ),
    md(
        """
        **Sobol figures.** For each output, the total-order index `ST` (with interactions) next to the
        first-order index `S1` (alone), with 95% confidence intervals. A wide gap between the two bars
        means the parameter acts mostly through interactions. Negative values or intervals wider
        than the bars are sampling noise: increase `SOBOL_N`.
        """
    ),
    code(
        """
        for col in RANK_OUTPUTS:
            display(Image(filename=str(sobol_files[f"figures/sobol_{col}.png"])))
        """
    ),
    md(
        """
        **Are the confidence intervals narrow enough?** A *main factor* has `ST ≥ 0.05`; its interval
        is narrow enough when the half-width is at most 10% of `ST`.
        """
    ),
    code(
        """
        verdicts = sens.ci_verdicts(sobol_idx)
        print("\\n".join(verdicts))
        """
    ),
    md(
        """
        ## 3. What drives waiting times and costs, and what it means for the policy question

        Written by the code from the indices above.
        """
    ),
    code(
        """
        ROLE = {
            "need": "demand",
            "population": "demand",
            "other": "demand",
            "specialist": "capacity",
            "residential": "capacity",
            "wijkteam": "capacity",
            "care": "effectiveness",
            "qaly": "valuation",
        }  # every other section (gp, seek, jgz, trust, practice_worker): behaviour
        MEANING = {
            "demand": (
                "uncertainty about how often and how severely needs arise and resolve, which no "
                "collaboration form or funding scheme sets. Notebook 1 gives every scenario the same draw "
                "of it, so it widens the bands of absolute waits and costs more than the paired "
                "differences between scenarios; better local data on it narrows the forecast more than "
                "more runs"
            ),
            "capacity": (
                "a capacity, price or referral rule of the care the municipality contracts: a policy lever "
                "in its own right, so a collaboration form's effect on waits and costs should be weighed "
                "against buying, shifting or re-pricing that capacity (e.g. `budget-to-the-front`)"
            ),
            "behaviour": (
                "behaviour of professionals or families (detection, referral choices, help-seeking, "
                "trust): exactly what collaboration forms act on, so the effects in notebook 1 hinge on "
                "it and it is the first thing to measure in a pilot"
            ),
            "effectiveness": (
                "how well care resolves needs: no collaboration form or funding scheme sets it, but it "
                "decides how much a faster or better-targeted referral is worth, so outcome data from "
                "providers (ROM) would narrow the forecast most"
            ),
            "valuation": (
                "a valuation of health states: it changes QALYs, not waits or spending, so it matters for "
                "the cost-effectiveness verdict rather than for operations"
            ),
        }


        def role(p: str) -> str:
            return ROLE.get(REGISTRY[p].section, "behaviour")


        parts = []
        drivers = {}
        unreliable = False
        for col in RANK_OUTPUTS:
            d = sobol_idx[sobol_idx["output"] == col]
            st = d[d["index"] == "ST"].set_index("parameter")
            s1 = d[d["index"] == "S1"].set_index("parameter")
            order = st["value"].sort_values(ascending=False).index
            p = order[0]
            # the main factors (ST >= MAIN_FACTOR_ST), at most two; at least the largest
            drivers[col] = [
                q for q in order[:2] if st.loc[q, "value"] >= sens.MAIN_FACTOR_ST
            ] or [p]
            v, c = st.loc[p, "value"], st.loc[p, "conf"]
            text = (
                f"**{LABEL[col]}** ({UNIT[col]}): the largest total-order index is `{p}` ({REGISTRY[p].doc}) "
                f"with ST = {v:.2f} ± {c:.2f} and S1 = {s1.loc[p, 'value']:.2f}"
            )
            if len(order) > 1:
                q = order[1]
                text += f"; next is `{q}` (ST = {st.loc[q, 'value']:.2f} ± {st.loc[q, 'conf']:.2f})"
            gap = st["value"].clip(lower=0).sum() - s1["value"].clip(lower=0).sum()
            if c > v:
                unreliable = True
                text += (
                    ". Its interval is wider than the index itself: neither this ranking nor the split "
                    "between first-order and interaction effects is reliable yet."
                )
            else:
                text += (
                    f". The total-order indices exceed the first-order ones by {gap:.2f} in sum, "
                    + (
                        "so these parameters act together (the effect of one depends on the others)."
                        if gap > 0.1
                        else "so their effects are mostly additive."
                    )
                )
                if c > sens.CI_SHARE * v:
                    text += (
                        f" The interval is wider than {sens.CI_SHARE:.0%} of the index, so read this as "
                        f"a first indication (indices outside 0–1 are sampling noise)."
                    )
            parts.append(text)

        policy = ["**For the policy question.**"]
        if unreliable:
            policy.append("On these indices, which are not reliable yet (see above):")
        for col, ps in drivers.items():
            named = " and ".join(f"`{q}` ({role(q)})" for q in ps)
            policy.append(f"{LABEL[col].capitalize()} is driven most by {named}.")
        for r in dict.fromkeys(role(q) for ps in drivers.values() for q in ps):
            policy.append(f"{'An' if r[0] in 'aeiou' else 'A'} *{r}* factor is {MEANING[r]}.")
        parts.append(" ".join(policy))

        screened_out = [p for p in morris_params if relative.loc[p, RANK_OUTPUTS].max() < 0.05]
        parts.append(
            f"**Screening.** Morris screened {len(morris_params)} parameters"
            + (f" of the `{MORRIS_GROUP}` section" if MORRIS_GROUP else "")
            + f" with {MORRIS_N} trajectories; {len(screened_out)} of them "
            + ("has" if len(screened_out) == 1 else "have")
            + " a mu* below 5% of the largest on every policy output and can be fixed at their "
            "defaults in further studies."
        )
        wide = [line.split(":")[0] for line in verdicts if "too wide" in line]
        if wide:
            parts.append(
                f"**Precision.** The Sobol intervals are too wide for the main factors of "
                f"{', '.join(f'`{w}`' for w in wide)} at N = {SOBOL_N}; raise `SOBOL_N` "
                f"(or `--n` on the command line) before reporting these indices."
            )
        else:
            parts.append(f"**Precision.** At N = {SOBOL_N} the intervals of all main factors are narrow enough.")
        if MORRIS_GROUP:
            parts.append(
                f"**Scope.** Only the `{MORRIS_GROUP}` section was screened; parameters of other sections "
                f"may matter more. Set `MORRIS_GROUP = None` to screen every uncertain parameter."
            )
        if QUICK:
            parts.append(
                f"**Quick mode.** {FAMILIES:,} families, {YEARS:g} measured year{'s' * (YEARS != 1)}, "
                f"Morris N = {MORRIS_N}, "
                f"Sobol N = {SOBOL_N}: a check that the notebook runs, not a result."
            )
        display(Markdown("\\n\\n".join(parts)))
        """,
        "conclusion",
    ),
]

# ---------------------------------------------------------------------------------------------
# 03: model explorer
# ---------------------------------------------------------------------------------------------
NB3 = [
    md(
        """
        # Model explorer: change the system and watch it react

        The model runs inside the notebook, week by week. Choose a **collaboration form** (how GP,
        practice worker or POH-jeugd, wijkteam and JGZ work together), the **funding** of specialist
        care (p×q: a price per week of care; lumpsum: a fixed budget), and the main **capacities**;
        then press *Step* (one week) or *Run 52 weeks* and watch the waiting list and the number of
        children in care. Changes take effect from the next week, in the running model, as they
        would in a real region: trust between the GP and a new practice worker still has to grow, a
        waiting list still has to be worked off. *Reset* starts again from the first week with the
        settings shown.

        The chart starts with the warm-up (grey), in which the system settles from its starting
        stocks. Vertical lines mark the weeks where you changed something (listed under the chart).

        Run all cells (the last ones press a few buttons by themselves, so that the notebook also runs
        unattended), then use the controls. With `SIM_QUICK=1` the region is small (2,000 families).
        """
    ),
    code(
        f"""
        # Parameters: the only cell to edit. SIM_QUICK=1 in the environment selects the quick sizes.
        import os

        {QUICK_LINE}

        FAMILIES = 2_000 if QUICK else 20_000  # families in the simulated region
        WARMUP_YEARS = 1 if QUICK else 3  # weeks run before the controls take over
        MAX_YEARS = 5 if QUICK else 20  # years that can be stepped after the warm-up
        SEED = 0
        DEMO_WEEKS = 10  # weeks the demo cell steps before it switches the collaboration form
        # Capacities with a slider (registry names; bounds, default and unit come from the registry).
        CAPACITIES = [
            "specialist.places_per_1000_children",
            "wijkteam.fte_per_1000_children",
            "residential.places_per_1000_children",
        ]
        """,
        "parameters",
    ),
    code(
        """
        import sys

        import ipywidgets as w
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd
        from IPython.display import display

        from sim import states as S
        from sim.model import YouthCareModel
        from sim.params import REGISTRY
        from sim.population import WEEKS_PER_YEAR
        from sim.scenario import list_scenarios, load

        if QUICK:
            assert FAMILIES <= 2_000 and WARMUP_YEARS <= 1
        FILES = {f.name: f for f in list_scenarios()}
        FORMS = ["baseline"] + sorted(n for n, f in FILES.items() if f.kind == "collaboration")
        FUNDING = [("p×q (price × quantity)", "pxq"), ("lumpsum (budget-neutral)", "lumpsum")]
        # Settings fixed when the model is built; set_params refuses them in a running model.
        STRUCTURAL = YouthCareModel.STRUCTURAL
        print(f"mode: {'QUICK' if QUICK else 'full'}; python: {sys.executable}")
        print(f"{len(FORMS)} collaboration forms: {', '.join(FORMS)}")
        """
    ),
    md(
        """
        ## The controls

        The functions below are what the buttons and menus call; the last cells call the same
        functions directly.
        """
    ),
    code(
        """
        style = {"description_width": "initial"}
        form_dd = w.Dropdown(
            options=FORMS, value="baseline", description="Collaboration form", style=style,
            layout=w.Layout(width="420px"),
        )
        funding_dd = w.Dropdown(
            options=FUNDING, value="pxq", description="Funding", style=style, layout=w.Layout(width="320px")
        )
        sliders = {}
        for name in CAPACITIES:
            p = REGISTRY[name]
            span = p.hi - p.lo
            step = 0.05 if span <= 20 else 0.5 if span <= 150 else 1.0
            sliders[name] = w.FloatSlider(
                value=p.default,
                # a capacity of 0 cannot be scaled back up in a running model: start one step above
                min=p.lo if p.lo > 0 else step,
                max=p.hi,
                step=step,
                description=f"{name} ({p.unit}, default {p.default:g})",
                tooltip=p.doc,
                continuous_update=False,
                readout_format=".2f",
                style=style,
                layout=w.Layout(width="720px"),
            )
        step_btn = w.Button(description="Step (1 week)", icon="step-forward")
        run_btn = w.Button(description="Run 52 weeks", icon="forward", button_style="primary")
        reset_btn = w.Button(description="Reset", icon="undo", button_style="warning")
        status = w.HTML()
        chart = w.Output()
        log = w.HTML()
        state = {"model": None, "events": [], "quiet": False}


        def spec_of(form: str, funding: str) -> str:
            \"\"\"The scenario composition for a form and a funding scheme (baseline is always beneath).\"\"\"
            parts = ([] if form == "baseline" else [form]) + (["lumpsum"] if funding == "lumpsum" else [])
            return "+".join(parts) or "baseline"


        def target():
            \"\"\"The scenario chosen in the menus, with the capacities of the sliders.\"\"\"
            scen = load(spec_of(form_dd.value, funding_dd.value))
            return scen, scen.params.replace({k: float(s.value) for k, s in sliders.items()})


        def draw(m):
            c, n = m.recorder.cols, m.week
            x = np.arange(n) / WEEKS_PER_YEAR
            fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
            ax1.plot(x, c["n_waiting_specialist"][:n], label="waiting for specialist care")
            ax1.plot(x, c["n_waiting_residential"][:n], label="waiting for residential care")
            in_care = c["n_wijkteam"][:n] + c["n_specialist"][:n] + c["n_residential"][:n]
            ax2.plot(x, in_care, color="k", lw=1.8, label="in care (total)")
            ax2.plot(x, c["n_wijkteam"][:n], label="wijkteam help")
            ax2.plot(x, c["n_specialist"][:n], label="specialist ambulant care")
            ax2.plot(x, c["n_residential"][:n], label="residential care")
            for ax in (ax1, ax2):
                ax.axvspan(0, m.warmup_weeks / WEEKS_PER_YEAR, color="0.92", zorder=0)
                weeks = {}
                for i, (week, _) in enumerate(state["events"][1:], start=1):
                    weeks.setdefault(week, []).append(str(i))
                for week, labels in weeks.items():
                    ax.axvline(week / WEEKS_PER_YEAR, color="tab:red", ls=":", lw=1)
                    if ax is ax1:
                        ax.annotate(",".join(labels), (week / WEEKS_PER_YEAR, 1), xycoords=("data", "axes fraction"),
                                    color="tab:red", fontsize=8, ha="left", va="top")
                ax.grid(alpha=0.3)
                ax.legend(fontsize=8, loc="upper left")
            ax1.set_ylabel("children waiting")
            ax2.set_ylabel("children in care now")
            ax2.set_xlabel("years since the start (grey: warm-up)")
            ax1.set_title(f"{m.scenario_name} — week {n}, {FAMILIES:,} families, {int(c['children'][n - 1]):,} children")
            fig.tight_layout()
            return fig


        def redraw() -> None:
            m = state["model"]
            fig = draw(m)
            with chart:
                chart.clear_output(wait=True)
                display(fig)
            plt.close(fig)
            c, n = m.recorder.cols, m.week - 1
            status.value = (
                f"<b>week {m.week}</b> of {m.total_weeks} · <b>{m.scenario_name}</b> "
                f"({FILES[form_dd.value].title}; funding {m.p['funding.scheme']}) · waiting list "
                f"{int(c['n_waiting_specialist'][n])} · expected wait {c['expected_wait_weeks'][n]:.1f} weeks · "
                f"in care {int(c['n_wijkteam'][n] + c['n_specialist'][n] + c['n_residential'][n])} · "
                f"cost this week €{c['cost_total'][n]:,.0f}"
            )
            log.value = "<br>".join(
                f"{i}. week {week}: {text}" if i else f"week {week}: {text}"
                for i, (week, text) in enumerate(state["events"])
            )
            step_btn.disabled = run_btn.disabled = m.week >= m.total_weeks


        def build(_=None) -> None:
            \"\"\"A new model with the settings shown, run through its warm-up.\"\"\"
            scen, params = target()
            m = YouthCareModel(
                params, families=FAMILIES, years=MAX_YEARS, warmup_years=WARMUP_YEARS, seed=SEED,
                scenario_name=scen.name,
            )
            while m.week < m.warmup_weeks:
                m.step()
            state["model"], state["events"] = m, [(m.week, f"start after warm-up: {scen.name}")]
            redraw()


        def apply(_=None) -> None:
            \"\"\"Bring the running model to the settings shown (between two weeks).\"\"\"
            if state["quiet"] or state["model"] is None:
                return
            m = state["model"]
            scen, params = target()
            diff = {k: v for k, v in params.items() if m.p[k] != v and k not in STRUCTURAL}
            if not diff:
                return
            change = ", ".join(f"{k} {m.p[k]} → {v}" for k, v in diff.items())
            m.set_params(diff)
            m.scenario_name = scen.name
            state["events"].append((m.week, change))
            redraw()


        def on_menu(_=None) -> None:
            \"\"\"A form or funding scheme that sets one of the capacities moves its slider first.\"\"\"
            scen = load(spec_of(form_dd.value, funding_dd.value))
            state["quiet"] = True
            try:
                for k, s in sliders.items():
                    if k in scen.overrides:
                        s.value = scen.params[k]
            finally:
                state["quiet"] = False
            apply()


        def step_weeks(n: int) -> None:
            m = state["model"]
            for _ in range(min(n, m.total_weeks - m.week)):
                m.step()
            redraw()


        form_dd.observe(on_menu, names="value")
        funding_dd.observe(on_menu, names="value")
        for s in sliders.values():
            s.observe(apply, names="value")
        step_btn.on_click(lambda _: step_weeks(1))
        run_btn.on_click(lambda _: step_weeks(WEEKS_PER_YEAR))
        reset_btn.on_click(build)
        """
    ),
    code(
        """
        build()
        display(
            w.VBox(
                [
                    w.HBox([form_dd, funding_dd]),
                    *sliders.values(),
                    w.HBox([step_btn, run_btn, reset_btn]),
                    status,
                    chart,
                    log,
                ]
            )
        )
        """
    ),
    md(
        """
        ## A short demonstration

        This cell presses the controls for you: ten single weeks, then a switch to a collaboration form
        with a youth and family worker in the practice (if that scenario exists) and to lumpsum
        funding, 5% more specialist places, and a year. The chart above updates as it goes; afterwards
        the controls are yours (*Reset* starts again).
        """
    ),
    code(
        """
        start = state["model"].week
        for _ in range(DEMO_WEEKS):
            step_btn.click()
        assert state["model"].week == start + DEMO_WEEKS, "Step did not advance the week"
        m = state["model"]
        before = {
            "waiting": int(m.recorder.cols["n_waiting_specialist"][m.week - 1]),
            "week": m.week,
        }

        new_form = "family-worker-weekly" if "family-worker-weekly" in FORMS else FORMS[-1]
        form_dd.value = new_form
        funding_dd.value = "lumpsum"
        places = "specialist.places_per_1000_children"
        if places in sliders:
            sliders[places].value = round(sliders[places].value * 1.05)
        m = state["model"]
        expected = target()[1]
        for k in load(spec_of(new_form, "lumpsum")).overrides:
            assert m.p[k] == expected[k], f"{k} was not applied to the running model"
        for k, s in sliders.items():
            assert m.p[k] == s.value, f"{k} does not follow its slider"

        run_btn.click()
        m = state["model"]
        assert m.week == start + DEMO_WEEKS + WEEKS_PER_YEAR, "Run 52 weeks did not advance a year"
        c = m.recorder.cols
        print(
            f"Switched to {m.scenario_name} in week {before['week']} with {before['waiting']} children "
            f"waiting for specialist care; {WEEKS_PER_YEAR} weeks later {int(c['n_waiting_specialist'][m.week - 1])} "
            f"are waiting and {int(c['n_wijkteam'][m.week - 1] + c['n_specialist'][m.week - 1] + c['n_residential'][m.week - 1])} "
            f"are in care. Changes made: {len(state['events']) - 1}."
        )
        """,
        "demo",
    ),
    md(
        """
        ## Inside one family

        The model's families and children are rows in tables; `family_view` shows one family as the
        professionals would see it: its GP practice and neighbourhood (wijk), its resilience
        (draagkracht), and for each child the need level (0 none … 4 crisis), where the child is now
        (e.g. waiting for specialist care), for how long, and how many professionals are involved.
        """
    ),
    code(
        """
        m = state["model"]
        ch = m.children
        waiting = np.flatnonzero(ch.state == S.WAIT_SPECIALIST)
        busy = np.flatnonzero(ch.state != S.NONE)
        pick = waiting if len(waiting) else busy
        family = int(ch.family[pick[0]]) if len(pick) else 0
        view = m.family_view(family)
        print({k: v for k, v in view.items() if k != "children"})
        display(pd.DataFrame(view["children"]).round(2))
        """
    ),
]


def main() -> None:
    notebook("01_policy_scenarios", NB1)
    notebook("02_sensitivity_analysis", NB2)
    notebook("03_model_explorer", NB3)
    # The code cells in ruff's format, as the rest of the repository (ruff is in the test extra).
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        subprocess.run([str(ruff), "format", "-q", str(HERE)], check=True)


if __name__ == "__main__":
    main()
