"""``youthcare animate``: a GIF of a run (matplotlib + PillowWriter), and its one-line errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sim.animate import animate
from sim.app_cli import main


def test_animate_writes_a_gif(tmp_path):
    out = tmp_path / "sub" / "run.gif"
    path = animate(
        "baseline",
        out,
        families=400,
        weeks=6,
        weeks_per_frame=2,
        fps=5,
        warmup_years=0.2,
        seed=1,
        lang="en",
        dpi=40,
    )
    assert path == out and out.is_file()
    assert not list(out.parent.glob(".animate-*"))  # no temporary file left behind
    with Image.open(out) as im:
        assert im.format == "GIF"
        assert im.n_frames == 4  # the start and one frame every 2 weeks
        frames = []
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB"), dtype=np.int16))
    assert frames[0].shape[1] > frames[0].shape[0] > 100
    assert np.abs(frames[-1] - frames[0]).sum() > 0  # the picture moves


def test_animate_command(tmp_path, capsys):
    out = tmp_path / "a.gif"
    args = ["animate", "triple-p+lumpsum", "--out", str(out), "--families", "300"]
    args += ["--weeks", "2", "--warmup-years", "0.1", "--dpi", "40", "--lang", "nl"]
    assert main(args) == 0
    assert out.is_file() and str(out) in capsys.readouterr().out


@pytest.mark.parametrize(
    "args,needle",
    [
        (["animate", "baseline", "--out", "x.png"], "GIF"),
        (["animate", "no-such-scenario", "--out", "x.gif"], "unknown scenario"),
        (["animate", "baseline", "--out", "x.gif", "--weeks", "0"], "--weeks"),
        (["animate", "baseline"], "--out"),
        (["app", "--port", "70000"], "--port"),
        (["app", "--lang", "fr"], "--lang"),
    ],
)
def test_bad_options_are_one_line_exit_2(args, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        rc = main(args)
    except SystemExit as e:  # argparse errors exit from the parser
        rc = e.code
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.gif"))


def test_app_refuses_a_port_in_use(capsys):
    import socket

    pytest.importorskip("solara")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        rc = main(["app", "--port", str(port)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and "in use" in err
