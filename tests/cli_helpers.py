"""Running the ``youthcare`` command as a user would, for the command-line tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXE = REPO / ".venv" / "bin" / "youthcare"
if not EXE.exists():  # pragma: no cover - another virtualenv layout
    EXE = Path(sys.executable).with_name("youthcare")

# A run small enough for a test: 300 families, one year, no warm-up.
SMALL = ["--families", "300", "--years", "1", "--warmup-years", "0"]


def youthcare(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EXE), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def assert_user_error(r: subprocess.CompletedProcess) -> str:
    """Exit code 2, exactly one line on stderr, no traceback, nothing on stdout; the line."""
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), r.stderr
    assert r.stdout == ""
    return lines[0]
