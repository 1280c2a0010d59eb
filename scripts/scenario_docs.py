#!/usr/bin/env python3
"""Write ``docs/scenarios.md``: every scenario in ``scenarios/`` described and compared with the
baseline, from one ``youthcare compare`` run.

    .venv/bin/python scripts/scenario_docs.py --families 5000 --years 5 --replications 10
    .venv/bin/python scripts/scenario_docs.py --from DIR     # reuse a finished compare folder

The script runs ``youthcare compare baseline <every other scenario>`` (baseline first, the rest
by kind and name) through the command line, then reads ``comparison.csv``,
``cost_effectiveness.csv`` and ``manifest.json`` from its results folder. Every number in the
document comes from that folder. The prose per scenario is assembled from the scenario file's own
title, description, comment lines and sources; the script adds no effects of its own. The compare
folder goes to a temporary directory unless ``--out`` names one (nothing else in the repository is
written).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
DOC = ROOT / "docs" / "scenarios.md"
DIGEST = ROOT.parent / "shared" / "sources" / "seed-digest.md"
KIND_ORDER = ("baseline", "collaboration", "funding", "modifier")

# Metrics shown per scenario: (column in comparison.csv, label, format).
DETAIL_METRICS = [
    ("in_care_share", "children in care per year", "pct"),
    ("specialist_share", "children in specialist care per year", "pct"),
    ("wait_mean", "specialist wait, mean (weeks)", "d1"),
    ("within_treeknorm", "admitted within the Treeknorm (14 weeks)", "pct"),
    ("waiting_list_end", "children on the waiting list at the end", "d0"),
    ("cost_per_year", "cost per year, all public payers", "eur"),
    ("cost_per_child_in_care", "municipal cost per child in care", "eur"),
    ("qaly_loss", "QALYs lost per 1000 children per year", "d2"),
    ("professionals_per_family", "professionals per family in care", "d2"),
    ("duplicate_intakes", "duplicate intake share", "pct"),
    ("stepdown_share", "step-down share of endings", "pct"),
    ("referrer_gp", "new trajectories via the GP", "pct"),
    ("over_referral", "over-referral (2+ levels above need)", "pct"),
    ("qaly_trend", "QALY-loss trend per measured year", "pcty"),
]
OVERVIEW_METRICS = ["in_care_share", "wait_mean", "cost_per_year", "qaly_loss", "qaly_trend"]


# -- scenario files ----------------------------------------------------------------------------
@dataclass
class ScenarioText:
    name: str
    kind: str
    title: str
    description: str
    comments: str  # the comment lines at the top, joined into one text
    settings: list[tuple[str, object, str]]  # (key, value, inline comment)
    sources: list[str]
    run_as: str = ""  # the scenario spec that is compared (a composition for some modifiers)


# Modifiers that only act in another era are compared on top of it (BJZ exists before 2015 only).
COMPOSE = {"bjz-in-cjg-building": "pre2015-bjz+bjz-in-cjg-building"}


def read_scenario(path: Path) -> ScenarioText:
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    comments = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            comments.append(s.lstrip("#").strip())
        elif s:
            break  # only the header block of comments describes the scenario
    inline: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"^\[([^\]]+)\]", s)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^([A-Za-z_][\w]*)\s*=.*?#\s*(.+)$", s)
        if m and section:
            inline[f"{section}.{m.group(1)}"] = m.group(2).strip()
    settings = []
    for sec, val in data.items():
        if isinstance(val, dict):
            for k, v in val.items():
                key = f"{sec}.{k}"
                settings.append((key, v, inline.get(key, "")))
    return ScenarioText(
        name=path.stem,
        kind=data.get("kind", ""),
        title=data.get("title", path.stem),
        description=" ".join(str(data.get("description", "")).split()),
        comments=" ".join(comments),
        settings=settings,
        sources=list(data.get("sources", [])),
        run_as=COMPOSE.get(path.stem, path.stem),
    )


def scenario_order() -> list[ScenarioText]:
    """Baseline first, then by kind (collaboration, funding, modifier, other baselines) and name."""
    files = [read_scenario(p) for p in sorted(SCENARIO_DIR.glob("*.toml"))]
    base = [f for f in files if f.name == "baseline"]
    if not base:
        sys.exit("scenario_docs: scenarios/baseline.toml not found")
    rank = {"collaboration": 0, "funding": 1, "modifier": 2, "baseline": 3}
    rest = sorted(
        (f for f in files if f.name != "baseline"), key=lambda f: (rank.get(f.kind, 9), f.name)
    )
    return base + rest


def split_comments(text: str) -> tuple[str, str, str]:
    """The file's comment block as (context, mechanism, settings note): the text before
    'Mechanism:', from 'Mechanism:' on, and from 'Setting:'/'Settings:' on."""
    setting = ""
    m = re.search(r"\bSettings?:", text)
    if m:
        text, setting = text[: m.start()].strip(), text[m.end() :].strip()
    m = re.search(r"\bMechanism:", text)
    if m:
        return text[: m.start()].strip(), text[m.end() :].strip(), setting
    return text.strip(), "", setting


def mechanism_names() -> dict[str, str]:
    """Mechanism codes (M1...) and their names from seed-digest §6.4, else from the registry."""
    names: dict[str, str] = {}
    if DIGEST.is_file():
        for line in DIGEST.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^\* \*\*(M\d+) (.+?)\*\*", line)
            if m:
                names[m.group(1)] = m.group(2).rstrip(":").strip()
    if not names:
        sys.path.insert(0, str(ROOT))
        from sim.params import REGISTRY

        for p in REGISTRY.values():
            m = re.match(r"^(M\d+)\b", p.source)
            if p.name.startswith("mechanisms.") and m:
                names.setdefault(m.group(1), p.doc.rstrip("."))
    return names


def strengths() -> dict[str, list[str]]:
    """Which ``mechanisms.*`` strength parameter switches each mechanism code off."""
    sys.path.insert(0, str(ROOT))
    from sim.params import REGISTRY

    out: dict[str, list[str]] = {}
    for p in REGISTRY.values():
        if p.name.startswith("mechanisms."):
            for code in re.findall(r"\bM\d+\b", p.source):
                out.setdefault(code, []).append(p.name)
    return out


# -- running the comparison --------------------------------------------------------------------
def cli() -> list[str]:
    exe = Path(sys.executable).parent / "youthcare"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]


def run_compare(names: list[str], args, out: Path) -> tuple[list[str], float]:
    cmd = [
        *cli(),
        "compare",
        *names,
        "--families",
        str(args.families),
        "--years",
        f"{args.years:g}",
        "--replications",
        str(args.replications),
        "--seed",
        str(args.seed),
        "--out",
        str(out),
    ]
    if args.warmup_years is not None:
        cmd += ["--warmup-years", f"{args.warmup_years:g}"]
    if args.workers is not None:
        cmd += ["--workers", str(args.workers)]
    print("running: " + shlex.join(cmd), file=sys.stderr)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"scenario_docs: youthcare compare failed with exit code {r.returncode}")
    (out / "compare-stdout.txt").write_text(r.stdout, encoding="utf-8")
    (out / "compare-wall-seconds.txt").write_text(f"{wall:.1f}\n", encoding="utf-8")
    return cmd, wall


# -- formatting --------------------------------------------------------------------------------
def fmt(kind: str, v: float, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    sign = "+" if signed and v > 0 else ""
    if kind == "pcty":  # a trend: share of the mean per year
        return f"{100 * v:+.1f} pp/y" if signed else f"{100 * v:+.1f}%/y"
    if kind == "pct":
        d = 2 if signed and 0 < abs(100 * v) < 0.05 else 1  # show a small nonzero difference
        return f"{sign}{100 * v:.{d}f} pp" if signed else f"{100 * v:.1f}%"
    if kind == "eur":
        if abs(v) >= 1e6:
            return f"{sign}€{v / 1e6:.2f}M".replace("€-", "-€")
        return f"{sign}€{v:,.0f}".replace("€-", "-€")
    digits = int(kind[1:]) if kind[:1] == "d" and kind[1:].isdigit() else 2
    return f"{sign}{v:,.{digits}f}"


def cell(kind: str, mean: float, lo: float, hi: float, signed: bool = False) -> str:
    return f"{fmt(kind, mean, signed)} [{fmt(kind, lo, signed)}, {fmt(kind, hi, signed)}]"


def display_command(cmd: list[str]) -> str:
    """The command with paths shown relative to the repository (the venv's youthcare)."""
    shown = []
    for part in cmd:
        p = Path(part)
        if p.is_absolute():
            try:
                part = str(p.relative_to(ROOT))
            except ValueError:
                pass
        shown.append(part)
    return shlex.join(shown)


REF = re.compile(
    r"seeds/\d+(?:\s+L\d+(?:-\d+)?(?:,\s*L\d+(?:-\d+)?)*)?"
    r"|seed-digest(?:\.md)?\s*§[\d.]+(?:\s+[A-Z]\d+)?(?:,\s*§[\d.]+(?:\s+[A-Z]\d+)?)*"
    r"|public-figures(?:\.md)?\s*§?[\d.]+(?:-[\d.]+)?(?:,\s*[\d.]+(?:-[\d.]+)?)*"
    r"|\bL\d+(?:-\d+)?(?:,\s*L\d+(?:-\d+)?)*"
)


def _tidy(inner: str) -> str:
    t = REF.sub("", inner)
    t = re.sub(r"\s*[,;]\s*(?=[,;—–]|$)", "", t)  # separators left before another or at the end
    t = re.sub(r"^[\s,;:—–]+", "", t)
    t = re.sub(r"\s*([—–])\s*", r" \1 ", t)
    return " ".join(t.split()).strip(" ,;:—–")


def clean_refs(text: str) -> str:
    """Prose for readers: line references such as 'seeds/000 L60-66' are dropped from the text
    (the sources are listed separately); what else a parenthesis says is kept."""

    def paren(m: re.Match) -> str:
        inner = m.group(1)
        if not REF.search(inner):
            return m.group(0)
        t = _tidy(inner)
        return f" ({t})" if t else ""

    t = re.sub(r"\s*\(([^()]*)\)", paren, text)
    t = REF.sub("", t)
    t = re.sub(r"\s+([,.;:])", r"\1", t)
    t = " ".join(t.split())
    return t[:1].upper() + t[1:]


def paragraph(s: ScenarioText, mech: dict[str, str]) -> list[str]:
    context, mechanism, setting = split_comments(s.comments)
    lines = [f"**What changes.** {s.description}"]
    if context:
        lines.append(f"**Background.** {clean_refs(context)}")
    if mechanism:
        lines.append(f"**How it works in the model.** {clean_refs(mechanism)}")
    if setting:
        lines.append(f"**Settings you can vary.** {clean_refs(setting)}")
    codes = sorted(set(re.findall(r"\bM\d+\b", s.comments)), key=lambda c: int(c[1:]))
    named = [f"{c} {mech[c][:1].lower()}{mech[c][1:]}" for c in codes if c in mech]
    if named:
        lines.append("**Mechanisms named in the file.** " + "; ".join(named) + ".")
    if s.settings:
        parts = []
        for key, value, note in s.settings:
            v = json.dumps(value) if isinstance(value, (bool, str)) else f"{value:g}"
            parts.append(f"`{key} = {v}`" + (f" ({note})" if note else ""))
        lines.append("**Parameters set by the file.** " + "; ".join(parts) + ".")
    lines.append("**Sources.** " + "; ".join(s.sources) + ".")
    return lines


def findings(rows: dict) -> str:
    """Which metrics differ from the baseline with a paired 95% CI that excludes 0 (generated)."""
    clear = []
    for col, label, kind in DETAIL_METRICS:
        r = rows.get(col)
        if r is None or any(math.isnan(r[k]) for k in ("diff_ci_low", "diff_ci_high")):
            continue
        if r["diff_ci_low"] > 0 or r["diff_ci_high"] < 0:
            word = "higher" if r["diff_vs_first"] > 0 else "lower"
            clear.append(f"{label} {word} ({fmt(kind, r['diff_vs_first'], signed=True)})")
    if not clear:
        return (
            "In this run no metric in the table differs from the baseline with a paired 95% "
            "confidence interval that excludes zero."
        )
    return (
        "In this run, with a paired 95% confidence interval that excludes zero: "
        + "; ".join(clear)
        + "."
    )


def build_doc(
    scen: list[ScenarioText],
    table: pd.DataFrame,
    ce: pd.DataFrame,
    manifest: dict,
    cmd_text: str,
    script_cmd: str,
    wall: float | None,
) -> str:
    st = manifest.get("settings", {})
    names = [s.run_as for s in scen]
    mech = mechanism_names()
    switch = strengths()
    R = int(st.get("replications", table["replications"].max()))
    wtp = float(st.get("wtp_eur_per_qaly", st.get("wtp", 50_000)))
    pu = st.get("parameter_uncertainty", True)
    rates = st.get("discount_rates", {})
    out: list[str] = []
    out.append("# Scenarios: what each one changes, and what it does in the model")
    out.append("")
    out.append(
        "_Generated by `scripts/scenario_docs.py` from the scenario files and one "
        "`youthcare compare` run; do not edit by hand. Every number below comes from that run._"
    )
    out.append("")
    out.append("## The run")
    out.append("")
    out.append(
        f"- **Sizes:** {int(st.get('families', 0)):,} families, {float(st.get('years', 0)):g} "
        f"measured year(s) after {float(st.get('warmup_years', 0)):g} warm-up year(s), one "
        "region (children 0-17)."
    )
    out.append(
        f"- **Replications:** {R} per scenario; each draws one parameter set from the registry's "
        "uncertainty distributions and one model seed, the same for every scenario (common random "
        "numbers), so differences with the baseline are paired."
        if pu
        else f"- **Replications:** {R} per scenario, registry defaults (no parameter uncertainty)."
    )
    out.append(f"- **Seed:** {st.get('seed')}.")
    out.append(f"- **Scenarios:** {len(names)} (every file in `scenarios/`), baseline first.")
    out.append(
        f"- **Costs and effects:** perspective: {st.get('perspective', 'see manifest')}; "
        f"discounting {100 * float(rates.get('costs', st.get('discount_costs', 0))):g}% costs, "
        f"{100 * float(rates.get('effects', st.get('discount_effects', 0))):g}% effects; "
        f"net monetary benefit (NMB) at €{wtp:,.0f} per QALY."
    )
    if manifest.get("commit"):
        out.append(f"- **Code:** git commit `{manifest['commit']}`.")
    if wall is not None:
        out.append(f"- **Wall time of the compare run:** {wall:.0f} s.")
    out.append("")
    out.append("The compare command (as run):")
    out.append("")
    out.append("```bash")
    out.append(cmd_text)
    out.append("```")
    out.append("")
    out.append("Regenerate this document:")
    out.append("")
    out.append("```bash")
    out.append(script_cmd)
    out.append("```")
    out.append("")
    out.append(
        "How to read the tables: a value is the mean over replications with its 95% confidence "
        "interval in brackets; 'vs baseline' is the mean paired difference (scenario minus "
        "baseline in the same replication) with its 95% confidence interval; shares are in "
        "percent and their differences in percentage points (pp). With few replications the "
        "intervals are wide; a difference whose interval includes zero is not established by "
        "this run. NMB = WTP × QALYs gained − extra cost, discounted over the horizon; "
        "P(cost-effective) is the share of replications with a positive NMB (so it moves in "
        f"steps of {100 / R:.0f}% here). The QALY-loss trend is its linear change per measured "
        "year relative to its mean: near 0 in a steady state, +4% to +7% a year under "
        "parameter draws whose need keeps growing (docs/ODD.md, warm-up)."
    )
    out.append("")

    # Overview.
    idx = table.set_index(["scenario", "metric"])
    ce_idx = ce.set_index("scenario") if len(ce) else pd.DataFrame()
    out.append("## Overview")
    out.append("")
    head = ["scenario", "kind"] + [
        next(lab for c, lab, _ in DETAIL_METRICS if c == m) for m in OVERVIEW_METRICS
    ]
    head += ["NMB vs baseline", "P(cost-effective)"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    kinds = {c: k for c, _, k in DETAIL_METRICS}
    for s in scen:
        row = [f"[{s.name}](#{s.name})", s.kind]
        for m in OVERVIEW_METRICS:
            r = idx.loc[(s.run_as, m)]
            row.append(fmt(kinds[m], r["mean"]))
        if s.run_as in ce_idx.index:
            c = ce_idx.loc[s.run_as]
            row += [fmt("eur", c["nmb_eur"]), f"{100 * c['prob_cost_effective']:.0f}%"]
        else:
            row += ["(comparator)", "–"]
        out.append("| " + " | ".join(row) + " |")
    out.append("")

    # Per scenario.
    out.append("## The scenarios")
    out.append("")
    for s in scen:
        out.append(f'<a id="{s.name}"></a>')
        out.append(f"### {s.title}")
        out.append("")
        out.append(f"`scenarios/{s.name}.toml` · kind: {s.kind}")
        out.append("")
        if s.run_as != s.name:
            base = s.run_as.split("+")[0]
            out.append(
                f"Compared as `{s.run_as}`: its effect is the difference from the `{base}` row."
            )
            out.append("")
        for line in paragraph(s, mech):
            out.append(line)
            out.append("")
        rows = {
            m: idx.loc[(s.run_as, m)] for m, _, _ in DETAIL_METRICS if (s.run_as, m) in idx.index
        }
        if s.name == "baseline":
            out.append("| metric | baseline |")
            out.append("|---|---|")
            for col, label, kind in DETAIL_METRICS:
                if col in rows:
                    r = rows[col]
                    out.append(f"| {label} | {cell(kind, r['mean'], r['ci_low'], r['ci_high'])} |")
        else:
            out.append(findings(rows))
            out.append("")
            out.append("| metric | scenario | baseline | vs baseline |")
            out.append("|---|---|---|---|")
            for col, label, kind in DETAIL_METRICS:
                if col not in rows:
                    continue
                r, b = rows[col], idx.loc[(names[0], col)]
                out.append(
                    f"| {label} | {cell(kind, r['mean'], r['ci_low'], r['ci_high'])} "
                    f"| {fmt(kind, b['mean'])} "
                    f"| {cell(kind, r['diff_vs_first'], r['diff_ci_low'], r['diff_ci_high'], True)} |"
                )
            if s.run_as in ce_idx.index:
                c = ce_idx.loc[s.run_as]
                icer = c["icer_eur_per_qaly"]
                icer_s = (
                    f"{fmt('eur', icer)} per QALY"
                    if pd.notna(icer) and math.isfinite(icer)
                    else "n/a"
                )
                out.append("")
                out.append(
                    f"Cost-effectiveness against the baseline: NMB "
                    f"{cell('eur', c['nmb_eur'], c['nmb_ci_low'], c['nmb_ci_high'])}; "
                    f"P(cost-effective) {100 * c['prob_cost_effective']:.0f}%; incremental cost "
                    f"{fmt('eur', c['incremental_cost_eur'], True)}, QALYs gained "
                    f"{c['incremental_qaly']:+.1f}, ICER {icer_s} ({c['quadrant']})."
                )
        out.append("")

    # Glossary.
    used = sorted(
        {c for s in scen for c in re.findall(r"\bM\d+\b", s.comments) if c in mech},
        key=lambda c: int(c[1:]),
    )
    if used:
        out.append("## Mechanism codes")
        out.append("")
        out.append(
            "The codes in the scenario files refer to the mechanisms catalogue of "
            "`shared/sources/seed-digest.md` §6.4. Where a strength parameter exists, setting it "
            "to 0 switches the mechanism off."
        )
        out.append("")
        out.append("| code | mechanism | strength parameter |")
        out.append("|---|---|---|")
        for c in used:
            sw = ", ".join(f"`{x}`" for x in switch.get(c, [])) or "–"
            out.append(f"| {c} | {mech[c]} | {sw} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--families", type=int, default=5000)
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--warmup-years", type=float, default=None)
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="keep the compare folder here")
    ap.add_argument(
        "--from", dest="from_dir", type=Path, default=None, help="read a finished compare folder"
    )
    ap.add_argument("--doc", type=Path, default=DOC, help="the document to write")
    args = ap.parse_args(argv)

    scen = scenario_order()
    names = [s.run_as for s in scen]
    tmp = None
    wall: float | None = None
    if args.from_dir is not None:
        out = args.from_dir
        if not (out / "comparison.csv").is_file():
            sys.exit(f"scenario_docs: {out}/comparison.csv not found")
        wf = out / "compare-wall-seconds.txt"
        wall = float(wf.read_text()) if wf.is_file() else None
    else:
        if args.out is None:
            tmp = Path(tempfile.mkdtemp(prefix="scenario-docs-"))
            out = tmp / "compare"
        else:
            out = args.out
        run_compare(names, args, out)
        wall = float((out / "compare-wall-seconds.txt").read_text())
    table = pd.read_csv(out / "comparison.csv")
    ce = pd.read_csv(out / "cost_effectiveness.csv")
    manifest = json.loads((out / "manifest.json").read_text())
    ran = list(dict.fromkeys(table["scenario"]))
    if ran[0] != "baseline":
        sys.exit(f"scenario_docs: the comparator in {out} is {ran[0]!r}, not 'baseline'")
    missing = [n for n in names if n not in ran]
    if missing:
        sys.exit(f"scenario_docs: {out} lacks scenarios {missing}; rerun without --from")
    cmd = manifest.get("command") or []
    cmd_text = display_command(cmd) if cmd else "(not recorded)"
    st = manifest.get("settings", {})
    script_cmd = shlex.join(
        [
            ".venv/bin/python",
            "scripts/scenario_docs.py",
            "--families",
            str(st.get("families")),
            "--years",
            f"{float(st.get('years')):g}",
            "--replications",
            str(st.get("replications")),
            "--seed",
            str(st.get("seed")),
        ]
        + (
            ["--warmup-years", f"{float(st['warmup_years']):g}"]
            if args.warmup_years is not None
            else []
        )
    )
    text = build_doc(scen, table, ce, manifest, cmd_text, script_cmd, wall)
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    tmp_doc = args.doc.with_suffix(".md.tmp")
    tmp_doc.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp_doc, args.doc)
    print(f"wrote {args.doc}", file=sys.stderr)
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
