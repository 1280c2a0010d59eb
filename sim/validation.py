"""``youthcare validate``: checks of the model against figures and patterns, each PASS or FAIL.

Three kinds of check, labelled as such: ``calibration`` (the targets that set parameters: they show
the fit, they are not evidence), ``validation`` (numbers and stylised facts that set no parameter:
the growth of youth help after the 2015 reform and the length of its trajectories, the share of
ambulant help at providers, V1-V10 of seed-digest §7.7) and ``queueing`` (a provider against
Erlang C; Little's law on every queue).
No validation check uses a number that set a parameter; V9's figure is a calibration target, so V9
is reported as calibration.
"""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from sim import states as S
from sim.calibration import TARGETS
from sim.experiment import mp_context
from sim.model import YouthCareModel
from sim.queues import erlang_c, simulate_mmc_weekly
from sim.scenario import load

DIGEST = "seed-digest §7.7"


@dataclass
class Check:
    name: str
    kind: str  # calibration | validation | queueing
    figure: float
    expected: str
    passed: bool
    detail: str
    source: str
    low: float = math.nan  # with replications: the lowest and highest figure over them
    high: float = math.nan
    passed_in: str = ""  # with replications: "k of R"

    def line(self) -> str:
        spread = ""
        if self.passed_in:
            spread = f" [{self.low:.4g}, {self.high:.4g}; passes in {self.passed_in}]"
        return (
            f"{'PASS' if self.passed else 'FAIL'}  [{self.kind}] {self.name}: {self.figure:.4g}"
            f"{spread} (expected {self.expected}) {self.detail}"
        )


@dataclass
class Settings:
    families: int = 10000
    years: float = 8
    warmup_years: float = 3
    seed: int = 1


def _model(
    scenario: str,
    st: Settings,
    overrides: dict | None = None,
    years: float | None = None,
    seed_offset: int = 0,
) -> YouthCareModel:
    params = load(scenario).params
    if overrides:
        params = params.replace(overrides)
    return YouthCareModel(
        params,
        families=st.families,
        years=years or st.years,
        warmup_years=st.warmup_years,
        seed=st.seed + seed_offset,
        scenario_name=scenario,
        check=True,
    )


def _run(args) -> tuple:
    scenario, st, overrides = args
    m = _model(scenario, st, overrides)
    s = m.run()
    return scenario, s, _extras(m)


def _extras(m: YouthCareModel) -> dict:
    """Figures not in the summary that the checks need."""
    t, rec, _ch = m.tally, m.recorder, m.children
    years = [y for y in range(m.warmup_weeks // 52, m.total_weeks // 52) if rec.year_children[y]]
    waits = np.concatenate(t.waits[S.SPECIALIST]) if t.waits[S.SPECIALIST] else np.zeros(0)
    levels = (
        np.concatenate(t.wait_levels[S.SPECIALIST]) if t.wait_levels[S.SPECIALIST] else np.zeros(0)
    )
    # Ended specialist trajectories by need at admission (V10).
    ep = t.specialist_episodes.view()
    sev, oth = ep[ep[:, 0] >= 3], ep[ep[:, 0] < 3]
    # Families with a child in care, quarterly: multi-problem vs other (V10).
    fs = np.concatenate(rec.family_samples) if rec.family_samples else np.zeros((0, 3))
    multi, single = fs[fs[:, 0] == 1], fs[fs[:, 0] == 0]
    c = rec.cols
    w0, w1 = m.warmup_weeks, m.total_weeks
    queues = {}
    for q in (S.WAIT_SPECIALIST, S.WAIT_RESIDENTIAL, S.WAIT_INDICATION):
        recs = t.queue_log.spells(q)
        # Children who left the list in the window, whenever they joined: in a steady state the
        # time before the window of those waiting at its start matches the time after it of those
        # waiting at its end, so a long wait does not bias W (requiring entry in the window would).
        inside = recs[(recs[:, 1] >= w0) & (recs[:, 1] < w1)] if len(recs) else recs
        col = c[f"n_{S.STATE_NAMES[q]}"]
        L = float(col[w0:w1].mean())
        lam = len(inside) / (w1 - w0)
        spells = inside[:, 1] - inside[:, 0]
        W = float(spells.mean()) if len(inside) else 0.0
        # The window's edges: the children waiting at its start and at its end shift L - lam W by
        # at most about one long wait each, over the window's length (as in tests/test_model.py).
        p90 = float(np.percentile(spells, 90)) if len(inside) else 0.0
        edge = float(col[w0 - 1] + col[w1 - 1]) * p90 / (w1 - w0) if w0 > 0 else 0.0
        queues[S.STATE_NAMES[q]] = {
            "L": L,
            "lambda": lam,
            "W": W,
            "n": int(len(inside)),
            "edge": edge,
        }
    return {
        "ambulant_provider_share": float(
            np.mean([rec.year_at_provider[y] / max(rec.year_in_care[y], 1) for y in years])
        ),
        "wait_severe": float(waits[levels == 3].mean()) if np.any(levels == 3) else 0.0,
        "wait_all": float(waits.mean()) if len(waits) else 0.0,
        "prof_severe": float(sev[:, 2].mean()) if len(sev) else 0.0,
        "prof_other": float(oth[:, 2].mean()) if len(oth) else 0.0,
        "weeks_severe": float(sev[:, 1].mean()) if len(sev) else 0.0,
        "weeks_other": float(oth[:, 1].mean()) if len(oth) else 0.0,
        "prof_multi": float(multi[:, 1].mean()) if len(multi) else 0.0,
        "prof_single": float(single[:, 1].mean()) if len(single) else 0.0,
        "weeks_multi": float(multi[:, 2].mean()) if len(multi) else 0.0,
        "weeks_single": float(single[:, 2].mean()) if len(single) else 0.0,
        "n_multi": int(len(multi)),
        "queues": queues,
    }


# Years after the last pre-2015 year at which the trajectory length is compared (2015 -> 2021,
# counted as V1 counts its 8 years).
DURATION_YEARS = 6


@dataclass(frozen=True)
class ReformRun:
    """V1's reform run: the growth, the yearly share of youth help without stay from the last
    pre-2015 year on, the specialist ambulant places at the end of each year after the
    switch relative to their number at the switch (does capacity follow the reform?), and the
    mean weeks in specialist ambulant care per year from the last pre-2015 year on (Little's
    law: children in care over admissions per week; public-figures 1.20)."""

    growth: float
    series: list[float]
    places: list[float]
    durations: list[float]  # mean weeks in specialist ambulant care per year (Little's law)


def reform_run(st: Settings, years_after: int = 8, switch: bool = True) -> ReformRun:
    """V1: growth of youth help without stay over ``years_after`` years after switching from the
    pre-2015 rules to the 2015 rules (CBS: 332,645 in 2015 to 446,665 in 2023, +34%).

    With ``switch=False`` the same run (same seed) keeps the pre-2015 rules: its growth is the
    drift the switched run measures along with the reform."""
    base = load("baseline").params
    pre = YouthCareModel(
        load("pre2015-bjz").params,
        families=st.families,
        years=years_after + 1,
        warmup_years=st.warmup_years,
        seed=st.seed,
        scenario_name="reform",
        check=True,
    )
    week_of_switch = pre.warmup_weeks
    y0 = week_of_switch // 52 - 1  # the last full pre-2015 year
    # Children admitted to specialist ambulant care in each week (not in week 0: the warm start
    # dates every child's state to week 0, nan there); those in it are in the weekly series.
    admitted = np.full(pre.total_weeks, np.nan)

    def count() -> None:
        w = pre.week - 1  # the week just done
        if w >= max(y0 * 52, 1):
            ch = pre.children
            admitted[w] = np.count_nonzero((ch.state == S.SPECIALIST) & (ch.since == w))

    while pre.week < week_of_switch:
        pre.step()
        count()
    places0 = float(pre.specialist.places.sum())
    # The reform: municipalities pay for all youth help, per week of care (p×q) instead of the
    # provinces' budgets; GP and wijkteam refer directly; wijkteams replace the CJG.
    if switch:
        pre.set_params(
            {
                "era.rules": "2015",
                "funding.scheme": base["funding.scheme"],
                "wijkteam.fte_per_1000_children": base["wijkteam.fte_per_1000_children"],
            }
        )
    places = []
    while pre.week < pre.total_weeks:
        pre.step()
        count()
        if (pre.week - week_of_switch) % 52 == 0 and pre.week > week_of_switch:
            places.append(float(pre.specialist.places.sum()) / max(places0, 1e-9))
    rec = pre.recorder
    series = [
        rec.year_without_stay[y] / max(rec.year_children[y], 1)
        for y in range(y0, y0 + years_after + 1)
    ]
    # Little's law per year: W = L / lambda, the mean number in care over the admissions per
    # week (the trajectory's length, with its extensions; an ended-episode mean would count
    # each extension as an end).
    in_care = rec.cols[f"n_{S.STATE_NAMES[S.SPECIALIST]}"]
    durations = []
    for y in range(y0, y0 + years_after + 1):
        weeks = slice(max(y * 52, 1), (y + 1) * 52)
        lam = np.nanmean(admitted[weeks])
        durations.append(float(in_care[weeks].mean() / lam) if lam > 0 else math.nan)
    return ReformRun(series[-1] / series[0] - 1.0, series, places[:years_after], durations)


def reform_growth(
    st: Settings, years_after: int = 8, switch: bool = True
) -> tuple[float, list[float]]:
    """:func:`reform_run`'s growth and yearly series."""
    r = reform_run(st, years_after, switch)
    return r.growth, r.series


def erlang_check(seed: int = 11) -> tuple[float, float, float, float]:
    """A provider as a single-class FIFO queue (Poisson arrivals, geometric service of mean 25
    weeks, 10 places, rho 0.8), 32 independent copies through ``admit``: simulated vs Erlang C.

    Returns (P(wait) simulated, Erlang C; Lq simulated, Erlang C). Weekly steps let places freed
    in a week serve that week's arrivals, so the simulated values sit a few percent below Erlang C
    (exact weekly chain: -4.0% on P(wait), -2.0% on Lq; see tests/test_queues.py)."""
    lam, mean_service, c = 0.32, 25.0, 10
    lq, pw = simulate_mmc_weekly(
        lam, mean_service, c, n_providers=32, burn=2000, weeks=20_000, seed=seed
    )
    pw_ec, lq_ec = erlang_c(lam, 1.0 / mean_service, c)
    return float(pw.mean()), pw_ec, float(lq.mean()), lq_ec


SCENARIOS = (
    "baseline",
    "hart-voor-jeugd-en-gezin",
    "wijkteam-under-pressure",
    "cjg-adviser-in-practice",
    "family-worker-weekly",
    "pre2015-bjz",
)


def run_checks(
    st: Settings, workers: int = 2, progress=print, replications: int = 1
) -> list[Check]:
    """Run every scenario the checks need (in parallel), then evaluate the checks."""
    return run_validation(st, workers, progress, replications)[0]


def run_validation(
    st: Settings, workers: int = 2, progress=print, replications: int = 1
) -> tuple[list[Check], list[dict]]:
    """Every check, and the baseline summaries, over ``replications`` seeds (``st.seed``, ...).

    Each replication runs the scenarios and the reform with its own seed, and every check is
    evaluated on each. A check's figure is then the mean over the replications, with its range;
    it passes if it passes in at least half of them. The Erlang C check has its own seed."""
    reps = [dataclasses.replace(st, seed=st.seed + r) for r in range(replications)]
    progress(
        f"validate: {len(SCENARIOS)} scenario runs and the 2015 reform x {replications} "
        f"replication(s) ({st.families} families, {st.years:g}+{st.warmup_years:g} years, "
        + (
            f"seeds {st.seed}-{st.seed + replications - 1})"
            if replications > 1
            else f"seed {st.seed})"
        )
    )
    with ProcessPoolExecutor(workers, mp_context=mp_context()) as ex:
        futs = [[ex.submit(_run, (name, r, None)) for name in SCENARIOS] for r in reps]
        reforms = [ex.submit(reform_run, r) for r in reps]
        drifts = [ex.submit(reform_run, r, switch=False) for r in reps]
        erl = ex.submit(erlang_check).result()
        per_rep = []
        for fs, rf, df in zip(futs, reforms, drifts, strict=True):
            res = {name: (s, x) for name, s, x in (f.result() for f in fs)}
            reform = rf.result()
            per_rep.append((_evaluate(res, reform, erl, df.result()), res["baseline"][0]))
    checks = per_rep[0][0] if replications == 1 else _combine([c for c, _ in per_rep])
    return checks, [b for _, b in per_rep]


def _combine(runs: list[list[Check]]) -> list[Check]:
    """One check per name: mean figure, range, and passed in at least half of the runs in which
    it ran (a Little's-law check is skipped in a run with too few children through its queue).
    An expected value that depends on the run (Little's law) is the first run's, and says so."""
    by_name: dict[str, list[Check]] = {}
    for checks in runs:
        for c in checks:
            by_name.setdefault(c.name, []).append(c)
    out = []
    for cs in by_name.values():
        figs = np.array([c.figure for c in cs], dtype=float)
        k, n = sum(c.passed for c in cs), len(cs)
        skipped = f" ({len(runs) - n} skipped)" if n < len(runs) else ""
        first = " (first replication)" if len({c.expected for c in cs}) > 1 else ""
        out.append(
            dataclasses.replace(
                cs[0],
                figure=float(figs.mean()),
                low=float(figs.min()),
                high=float(figs.max()),
                passed=2 * k >= n,
                passed_in=f"{k} of {n}{skipped}",
                expected=cs[0].expected + first,
                detail=cs[0].detail + (" (detail: first replication)" if cs[0].detail else ""),
            )
        )
    return out


def _evaluate(res: dict, reform: ReformRun, erl: tuple, still: ReformRun) -> list[Check]:
    """The checks on one replication's runs (``res``: scenario -> (summary, extras));
    ``still`` is the reform run without the switch (same seed)."""
    growth, series, drift = reform.growth, reform.series, still.growth
    pw_sim, pw, lq_sim, lq = erl
    b, bx = res["baseline"]
    checks: list[Check] = []
    for t in TARGETS:
        v = t.read(b)
        checks.append(
            Check(
                t.name,
                "calibration",
                v,
                f"{t.lo:g} to {t.hi:g}",
                t.lo <= v <= t.hi,
                "(a calibration target: shows the fit, not evidence)",
                t.source,
            )
        )
    checks.append(
        Check(
            "V9 national order of magnitude (EUR 13,900 per child in care)",
            "calibration",
            b["cost_per_child_in_care_eur"],
            "11,815 to 15,985",
            11815 <= b["cost_per_child_in_care_eur"] <= 15985,
            "(V9's figure set the tariff: reported as calibration)",
            f"{DIGEST} V9",
        )
    )
    checks.append(
        Check(
            "V1 growth of youth help without stay after the 2015 reform",
            "validation",
            growth,
            "+24% to +44% (CBS +34%, 2015-2023)",
            0.24 <= growth <= 0.44,
            "(share per year, last pre-2015 year to 8 years after: "
            + ", ".join(f"{100 * x:.1f}%" for x in series)
            + f"; the same run without the switch changes {100 * drift:+.1f}% over those years"
            " (noise, and drift from starting at the 2015 baseline's steady state), so against"
            f" it the reform's own effect is {100 * ((1 + growth) / (1 + drift) - 1):+.1f}%;"
            " the model has no trend without the"
            " reform, and SCP's projection without it, 2.2% a year to 2017, puts the reform's"
            " own share of the +34% at +12.6% to +28.3%; specialist places at the end of each"
            " year after the switch, relative to the switch: "
            + ", ".join(f"{x:.2f}" for x in reform.places)
            + ")",
            "public-figures 1.4; seed-digest §7.7 V1; SCP, Groeit de jeugdzorg door? (2013)",
        )
    )
    if len(reform.durations) > DURATION_YEARS:
        d, d0 = reform.durations, still.durations
        change = d[DURATION_YEARS] / d[0] - 1.0
        change0 = d0[DURATION_YEARS] / d0[0] - 1.0
        checks.append(
            Check(
                "V1 trajectory length after the 2015 reform",
                "validation",
                change,
                "+25% to +45% (Hervormingsagenda +35%, 2015-2021)",
                0.25 <= change <= 0.45,
                "(mean weeks in specialist ambulant care by Little's law, children in care over"
                " admissions per week, per year from the last pre-2015 year: "
                + ", ".join(f"{x:.1f}" for x in d)
                + f"; year {DURATION_YEARS} against the last pre-2015 year; the same run"
                f" without the switch changes {100 * change0:+.1f}%. The source counts"
                " all youth help without stay, the model its specialist ambulant care; the"
                " lengths follow the providers' margin (funding.length_slope, an assumption"
                " not fitted to this))",
                "public-figures 1.20 (Hervormingsagenda Jeugd §1.1, trend 4)",
            )
        )
    amb = bx["ambulant_provider_share"]
    checks.append(
        Check(
            "share of youths in care with ambulant help at a provider",
            "validation",
            amb,
            "60% to 80% (CBS about 70%)",
            0.60 <= amb <= 0.80,
            "",
            "public-figures 1.16",
        )
    )
    checks.append(
        Check(
            "V2 complex cases wait while light capacity is free",
            "validation",
            bx["wait_severe"],
            ">= 0.8 x the mean wait, with wijkteam occupancy < 1",
            bx["wait_severe"] >= 0.8 * bx["wait_all"]
            and b["utilisation"]["wijkteam_occupancy"] < 1,
            f"(mean wait all {bx['wait_all']:.1f} weeks; wijkteam occupancy "
            f"{b['utilisation']['wijkteam_occupancy']:.2f})",
            f"{DIGEST} V2 (seeds/004 L556-558)",
        )
    )
    p, px = res["wijkteam-under-pressure"]
    r_b = b["trajectories_by_route_per_1000_children_per_year"]["wijkteam"]["specialist"]
    r_p = p["trajectories_by_route_per_1000_children_per_year"]["wijkteam"]["specialist"]
    checks.append(
        Check(
            "V3 a wijkteam under pressure refers more to specialist care",
            "validation",
            r_p / max(r_b, 1e-9),
            "> 1 (ratio to baseline)",
            r_p > r_b,
            f"({r_p:.2f} vs {r_b:.2f} per 1000 children per year)",
            f"{DIGEST} V3 (seeds/004 L731-733)",
        )
    )
    cj, _ = res["cjg-adviser-in-practice"]
    util = cj["utilisation"]["practice_worker"] or 0.0
    checks.append(
        Check(
            "V4 practice workers have idle time",
            "validation",
            1 - util,
            "> 0.2 idle share",
            1 - util > 0.2,
            f"(utilisation {util:.2f})",
            f"{DIGEST} V4 (seeds/000 L206-209)",
        )
    )
    ns = cj["noshow_share"]
    checks.append(
        Check(
            "V5 more no-shows at the practice worker than at the GP",
            "validation",
            ns["practice_worker"] - ns["gp"],
            "> 0",
            ns["practice_worker"] > ns["gp"],
            f"({ns['practice_worker']:.3f} vs {ns['gp']:.3f})",
            f"{DIGEST} V5 (seeds/000 L307-312)",
        )
    )
    fw, _ = res["family-worker-weekly"]
    t_w, t_c = fw["trust_end"]["practice_worker"], cj["trust_end"]["practice_worker"]
    checks.append(
        Check(
            "V6 weekly same-person presence builds more trust than 4 half-days rotating",
            "validation",
            t_w - t_c,
            "> 0",
            t_w > t_c,
            f"(trust {t_w:.2f} vs {t_c:.2f})",
            f"{DIGEST} V6 (seeds/000 L140-144)",
        )
    )
    h, _ = res["hart-voor-jeugd-en-gezin"]
    sd = h["stepdown_to_jgz_share"]
    checks.append(
        Check(
            "V7 an integrated team steps about a fifth of trajectories down to JGZ",
            "validation",
            sd,
            "0.11 to 0.33 (80/365 = 0.22)",
            0.11 <= sd <= 0.33,
            "",
            f"{DIGEST} V7 (seeds/004 L756-758)",
        )
    )
    # Almere's pyramid counts "jeugdigen/gezinnen" and its levels are coordination around a family
    # (one family, one plan), so both tail figures are read per family; the band is the same
    # factor of about 0.5-2 around each figure. Per child they are printed for comparison.
    cf, lf = b["crisis_family_share"], b["life_threatening_family_share"]
    checks.append(
        Check(
            "V8 severity tail: families in crisis and life-threatening at a point in time",
            "validation",
            cf,
            "crisis 0.7% to 3% (Almere 1.47%) and life-threatening 0.015% to 0.06% (Almere 0.03%)",
            0.007 <= cf <= 0.03 and 0.00015 <= lf <= 0.0006,
            f"(life-threatening {100 * lf:.3f}% of families; per child: crisis "
            f"{100 * b['crisis_share']:.2f}%, life-threatening {100 * b['life_threatening_share']:.3f}%)",
            f"{DIGEST} V8 (seeds/001 L1255-1257)",
        )
    )
    checks.append(
        Check(
            "V10 multi-problem families are long in care with more professionals",
            "validation",
            bx["prof_multi"] - bx["prof_single"],
            "> 0 professionals per family and longer in care",
            bx["n_multi"] > 0
            and bx["prof_multi"] > bx["prof_single"]
            and bx["weeks_multi"] > bx["weeks_single"],
            f"(families with a child in care, quarterly; multi-problem = parental problems and >= 2 "
            f"children with a need: professionals per family {bx['prof_multi']:.2f} vs "
            f"{bx['prof_single']:.2f}, weeks since the need began {bx['weeks_multi']:.1f} vs "
            f"{bx['weeks_single']:.1f}, {bx['n_multi']} family-quarters; for comparison, ended "
            f"specialist trajectories admitted at severe/crisis vs lighter need: professionals "
            f"{bx['prof_severe']:.2f} vs {bx['prof_other']:.2f}, weeks "
            f"{bx['weeks_severe']:.1f} vs {bx['weeks_other']:.1f})",
            f"{DIGEST} V10 (seeds/001 L1308)",
        )
    )
    checks.append(
        Check(
            "Erlang C: chance of waiting (M/M/10 at rho 0.8, weekly steps)",
            "queueing",
            pw_sim,
            f"{pw:.3f} -10%/+5% (weekly steps admit within the arrival week)",
            0.90 * pw <= pw_sim <= 1.05 * pw,
            "",
            "queues.erlang_c",
        )
    )
    checks.append(
        Check(
            "Erlang C: mean queue length",
            "queueing",
            lq_sim,
            f"{lq:.3f} -10%/+10%",
            0.90 * lq <= lq_sim <= 1.10 * lq,
            "",
            "queues.erlang_c",
        )
    )
    for name, (_s, x) in (("baseline", res["baseline"]), ("pre2015-bjz", res["pre2015-bjz"])):
        for q, d in x["queues"].items():
            if d["n"] < 50:
                continue
            lw = d["lambda"] * d["W"]
            ok = abs(d["L"] - lw) <= 0.05 * max(d["L"], 1.0) + 1.0 + d["edge"]
            checks.append(
                Check(
                    f"Little's law on {q} ({name})",
                    "queueing",
                    d["L"],
                    f"lambda W = {lw:.2f} +-(5% + 1 + edge {d['edge']:.2f})",
                    ok,
                    f"({d['n']} children through the queue)",
                    "L = lambda W",
                )
            )
    for name, (s, _) in res.items():
        checks.append(
            Check(
                f"invariants every week ({name})",
                "queueing",
                s["invariant_violations"],
                "0",
                s["invariant_violations"] == 0,
                "",
                "sim/invariants.py",
            )
        )
    return checks


def as_rows(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]
