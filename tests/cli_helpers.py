"""Running the ``youthcare`` command as a user would, and loading the maintenance scripts in
``scripts/`` as modules, for the command-line tests."""

from __future__ import annotations

import importlib.util
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


def load_script(name: str):
    """``scripts/<name>.py`` as a module (the scripts are not part of the package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
