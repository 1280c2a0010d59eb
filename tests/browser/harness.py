"""Start the workshop app and drive it in Debian's chromium: shared by the browser test
(``tests/browser/test_app.py``) and the live benchmark (``benchmarks/bench_app.py``).

The app runs as ``python -m sim.app_cli app`` (the code behind ``youthcare app``) on a free
localhost port; the browser refuses every request outside 127.0.0.1 and records it, so a page
that needs the internet shows up as a failure, not as a blank page.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ("waiting", "referrals", "cost")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The longest the page may take to answer a click while the model plays at full speed (s).
REACT_SECONDS = 60.0


def _app_text(key: str) -> re.Pattern:
    """sim.app's text ``key`` in either language, from its start up to its first number (the
    whole label for a button)."""
    from sim.app import APP_TEXT

    heads = [re.escape(APP_TEXT[lang][key].split("{")[0].rstrip(" (")) for lang in APP_TEXT]
    whole = "$" if all("{" not in APP_TEXT[lang][key] for lang in APP_TEXT) else ""
    return re.compile("^(" + "|".join(heads) + ")" + whole)


LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


class AppError(RuntimeError):
    """The app server stopped or did not answer."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(families: int, log: Path, lang: str = "nl", timeout: float = 60.0) -> Iterator[str]:
    """Run the app in its own process group; yields its URL; stops it (and its children)."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "sim.app_cli", "app", "--port", str(port)]
    cmd += ["--families", str(families), "--lang", lang]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise AppError(
                    f"the app server stopped (exit {proc.returncode}): {log.read_text()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AppError(
                    f"the app server did not answer within {timeout:g} s: {log.read_text()}"
                )
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@contextmanager
def offline_page(pw, url: str, outside: list[str], failed: list[str], width=1600, height=1000):
    """A chromium page on ``url`` that may reach 127.0.0.1 only (other requests are refused and
    appended to ``outside``; responses with status >= 400 are appended to ``failed``)."""
    browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
    try:
        ctx = browser.new_context(viewport={"width": width, "height": height})

        def only_local(route):
            req_url = route.request.url
            if req_url.startswith(LOCAL):
                route.continue_()
            else:
                outside.append(req_url)
                route.abort()

        ctx.route("**/*", only_local)
        page = ctx.new_page()
        page.on(
            "response",
            lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        yield page
    finally:
        browser.close()


def status(page) -> str:
    """The page's status line (week, weeks/s, frames/s, charts/s, families)."""
    return page.locator(".yc-status").inner_text()


def week(page) -> int:
    m = re.search(r"Week (-?\d+)", status(page))
    return int(m.group(1)) if m else -(10**9)


def number(text: str, unit: str) -> float:
    """The number before ``unit`` in ``text`` (Dutch or English decimal mark)."""
    m = re.search(r"([\d.,]+) " + re.escape(unit), text)
    if not m:
        raise ValueError(f"no {unit!r} in {text!r}")
    return float(m.group(1).replace(",", "."))


def chart(page, c: str):
    """The image of chart ``c``: the chart component's image inside the card ``.yc-chart-{c}``."""
    return page.locator(f".yc-chart-{c} img")


def wait(predicate, timeout: float, what: str):
    """Poll ``predicate`` every 0.1 s until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def wait_loaded(page) -> None:
    """Wait until the picture and the three charts are on the page as loaded images."""
    page.wait_for_selector("img.yc-img-map", timeout=60_000)
    for c in CHARTS:
        page.wait_for_selector(f".yc-chart-{c} img", timeout=60_000)
    for name, sel in [("map", "img.yc-img-map")] + [(c, f".yc-chart-{c} img") for c in CHARTS]:
        img = page.locator(sel)
        wait(
            lambda img=img: (
                img.count() == 1 and img.evaluate("e => e.complete && e.naturalWidth > 100")
            ),
            20,
            f"the {name} image to load",
        )


def play_and_count(page, speed: str, seconds: float) -> dict:
    """Play at ``speed`` (a speed button's label) for ``seconds``; count the new images of the
    picture and of each chart seen by the browser (a new image is a new ``src``); pause.

    Returns the weeks simulated, the seconds, the redraws per image and the page's status line
    at the end.
    """
    page.get_by_role("button", name=re.compile(rf"^{re.escape(speed)}$", re.I)).click()
    page.evaluate(
        """(charts) => {
            window.ycRedraws = {};
            const watch = (name, img) => {
                window.ycRedraws[name] = 0;
                new MutationObserver((rs) => { window.ycRedraws[name] += rs.length; })
                    .observe(img, {attributes: true, attributeFilter: ['src']});
            };
            watch('map', document.querySelector('img.yc-img-map'));
            for (const c of charts) {
                watch(c, document.querySelector(`.yc-chart-${c} img`));
            }
        }""",
        list(CHARTS),
    )
    play, pause = _app_text("play"), _app_text("pause")
    w0, t0 = week(page), time.monotonic()
    page.get_by_role("button", name=play).click()
    pause_button = page.get_by_role("button", name=pause)
    end = page.get_by_text(_app_text("end"))

    def pause_or_end():
        """What the page shows of a run: Pause while it plays, the end message once the
        horizon stopped it (a fast machine at full speed gets there in seconds)."""
        return ("pause" if pause_button.count() else None) or ("end" if end.count() else None)

    # The page answers the click before the window starts: on a loaded machine that can take
    # a while, and that is not a failure.
    wait(pause_or_end, REACT_SECONDS, "the page to show Pause (or the end) after Play")
    react = time.monotonic() - t0
    time.sleep(seconds)
    w1, t1 = week(page), time.monotonic()
    redraws = page.evaluate("() => window.ycRedraws")
    line = status(page)
    shown = wait(pause_or_end, REACT_SECONDS, "the Pause button or the end-of-horizon message")
    if shown == "pause":
        try:
            pause_button.click(timeout=REACT_SECONDS * 1000)
        except Exception:  # playwright's TimeoutError: the horizon ended between look and click
            shown = wait(lambda: "end" if end.count() else None, REACT_SECONDS, "the end message")
    return {
        "weeks": w1 - w0,
        "seconds": t1 - t0,
        "react_seconds": react,
        "ended": shown == "end",
        "redraws": redraws,
        "status": line,
    }
