"""Browser test of the workshop page: Debian's chromium driven by Playwright, with no internet.

Starts ``youthcare app`` (through ``python -m sim.app_cli``, the same code) on a free localhost
port, loads the page in chromium with every request outside 127.0.0.1 refused, and checks that
the picture and the three charts (Mesa components on a DataCollector: one image each) are on the page; changes
the collaboration form, steps, and checks that each chart's image changed; switches the language;
plays and checks that the weeks go on and that the picture and every chart redraw while playing;
saves a screenshot to ``results/screenshots/app.png``.

No timing is asserted here: the live rates (weeks and redraws per second) are measured by
``benchmarks/bench_app.py`` with the same harness (``tests/browser/harness.py``).

Skipped (with the reason) when chromium, playwright or solara is missing, unless
``YOUTHCARE_REQUIRE_ALL=1`` (CI): then it fails. ``scripts/test.sh`` installs Debian's chromium
when it is missing (never ``playwright install``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import time

import pytest
from harness import (
    CHARTS,
    ROOT,
    AppError,
    app_server,
    chart,
    number,
    offline_page,
    play_and_count,
    wait,
    wait_loaded,
    week,
)

SCREENSHOT = ROOT / "results" / "screenshots" / "app.png"
FAMILIES = 5000


def _missing() -> str | None:
    if shutil.which("chromium") is None:
        return "Debian's chromium is not installed (scripts/test.sh installs it with apt-get)"
    for mod, extra in (("playwright", "app"), ("solara", "app"), ("solara_assets", "app")):
        if importlib.util.find_spec(mod) is None:
            return f"{mod} is not installed (pip install -e '.[{extra}]')"
    return None


_reason = _missing()
if _reason:
    if os.environ.get("YOUTHCARE_REQUIRE_ALL") == "1":
        pytest.fail(f"browser test cannot run: {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)


@pytest.fixture(scope="module")
def server():
    try:
        with app_server(FAMILIES, ROOT / "results" / "screenshots" / "app-server.log") as url:
            yield url
    except AppError as e:
        pytest.fail(str(e))


def _shots(page) -> dict[str, bytes]:
    return {c: chart(page, c).screenshot() for c in CHARTS}


def test_workshop_page_offline(server):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    failed: list[str] = []
    with sync_playwright() as pw, offline_page(pw, server, outside, failed) as page:
        # The picture and the three charts are on the page, as loaded images.
        wait_loaded(page)
        assert page.get_by_role("button", name="Stap", exact=True).is_visible()
        week0 = week(page)
        before = _shots(page)

        # Change the collaboration form (between weeks), then step one week.
        page.get_by_role("button", name="Hart voor jeugd en gezin").click()
        wait(
            lambda: page.get_by_text(f"Week {week0}: Hart voor jeugd en gezin").count(),
            20,
            "the form change to be confirmed",
        )
        page.get_by_role("button", name="Stap", exact=True).click()
        wait(lambda: week(page) == week0 + 1, 20, "the step to week 1")

        def all_changed():
            shots = _shots(page)
            return shots if all(shots[c] != before[c] for c in CHARTS) else None

        after = wait(all_changed, 20, "every chart's image to change")
        for c in CHARTS:
            assert after[c] != before[c], f"chart {c} did not change after a step"

        # The language switch.
        page.get_by_role("button", name=re.compile(r"^en$", re.I)).click()
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=20_000)
        page.get_by_text("Collaboration form").first.wait_for(timeout=20_000)

        # Live: while playing, the weeks go on and the picture and every chart redraw by
        # themselves (no click). How fast is for benchmarks/bench_app.py, not for a test.
        live = play_and_count(page, "max", 6.0)
        print(
            f"\nlive at {FAMILIES} families (this machine, under test load): "
            f"{live['weeks'] / live['seconds']:.1f} weeks/s; redraws in the browser: "
            + ", ".join(f"{k} {v}" for k, v in live["redraws"].items())
            + f" in {live['seconds']:.1f} s (Pause showed {live['react_seconds']:.1f} s after"
            f" Play{'; reached the end of the horizon' if live['ended'] else ''});"
            f" page status: {live['status']}"
        )
        assert live["weeks"] > 0, f"no week went by while playing: {live}"
        for name in ("map", *CHARTS):
            assert live["redraws"][name] >= 1, f"{name} did not redraw while playing: {live}"
        assert number(live["status"], "weeks/s") > 0, live["status"]

        # Pausing stops the weeks: once the page shows the last week, it stays there.
        def settled():
            w = week(page)
            time.sleep(1.0)
            return week(page) == w

        wait(settled, 15, "the week to stop after Pause")

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1600, "height": 1250})  # the sliders too
        time.sleep(1.0)
        page.screenshot(path=str(SCREENSHOT))
        assert not failed, f"the page could not load: {failed[:5]}"
    assert not outside, f"the page asked for the internet: {outside[:5]}"
