"""Fixed-seed expected values: small runs whose summaries are stored in
``tests/data/golden_summaries.json`` and compared by ``tests/test_golden.py``.

They pin the model's numbers, so a change meant to be only faster (or tidier) shows at once if
it changed any result. A change that is meant to alter behaviour regenerates the file with
``python scripts/update_golden.py`` and says so in its commit.
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.model import YouthCareModel
from sim.scenario import load

# (scenario, families, years, warm-up years, seed): small, but every era, funding scheme and a
# collaboration form with a practice worker.
CASES = (
    ("baseline", 1500, 3.0, 1.0, 3),
    ("hart-voor-jeugd-en-gezin+lumpsum", 1500, 3.0, 1.0, 3),
    ("family-worker-weekly", 1500, 3.0, 1.0, 4),
    ("digital-family-plan+multi-year-funding", 1500, 3.0, 1.0, 5),
    ("pre2015-bjz", 1500, 3.0, 1.0, 6),
)
# Summary fields that describe the run's settings or the software, not its results.
SKIP = {"scenario", "seed", "families", "weeks", "warmup_weeks"}


def flatten(d: dict, prefix: str = "") -> Iterator[tuple[str, object]]:
    """The summary's leaves as (dotted key, value)."""
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flatten(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def case_key(case: tuple) -> str:
    scenario, families, years, warmup, seed = case
    return f"{scenario}|{families}|{years}|{warmup}|{seed}"


def run_case(case: tuple) -> dict[str, object]:
    """The numeric summary leaves of one case (``check=True``: invariants every week)."""
    scenario, families, years, warmup, seed = case
    m = YouthCareModel(
        load(scenario).params,
        families=families,
        years=years,
        warmup_years=warmup,
        seed=seed,
        check=True,
    )
    summary = m.run()
    return {
        k: v
        for k, v in flatten(summary)
        if k not in SKIP and isinstance(v, int | float) and not isinstance(v, bool)
    }
