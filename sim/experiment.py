"""Running the model and writing results: atomic files and a manifest in every results folder."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model import YouthCareModel
from sim.params import Params

REPO = Path(__file__).resolve().parent.parent


def run_model(
    params: Params,
    families: int,
    years: float,
    warmup_years: float,
    seed: int,
    scenario_name: str,
    check: bool = False,
    progress: bool = False,
) -> tuple[dict, pd.DataFrame]:
    """Run one model and return (summary, weekly series)."""
    m = YouthCareModel(
        params,
        families=families,
        years=years,
        warmup_years=warmup_years,
        seed=seed,
        scenario_name=scenario_name,
        check=check,
    )
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=m.total_weeks, unit="week", desc=scenario_name, file=sys.stderr, leave=False
        )
    try:
        summary = m.run(progress=bar)
    finally:
        if bar is not None:
            bar.close()
    weekly = pd.DataFrame(m.recorder.cols)
    for c in ("week", "year", "measured", "children"):
        weekly[c] = weekly[c].astype(np.int64)
    return summary, weekly


def mp_context():
    """Process start method for worker pools: 'forkserver' where available (fork is unsafe in a
    process with threads, e.g. under Jupyter or a Dask client), else the platform default."""
    import multiprocessing as mp

    return mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else None)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(
            tmp, 0o666 & ~umask
        )  # mkstemp makes 0600; results are for everyone who may read them
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def to_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False, default=_jsonable) + "\n"


def _jsonable(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def git_commit() -> str:
    """The repository's commit, with '+dirty' when there are uncommitted changes; 'unknown' outside git."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in (
        "youthcare-sim",
        "mesa",
        "numpy",
        "scipy",
        "pandas",
        "pyarrow",
        "SALib",
        "distributed",
    ):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def manifest(
    kind: str,
    scenario: Any,
    params: Params,
    seeds: Any,
    settings: dict,
    argv: list[str] | None = None,
) -> dict:
    """The manifest of a results folder: what ran, with which parameters, seeds and versions."""
    return {
        "kind": kind,
        "scenario": scenario,
        "settings": settings,
        "seeds": seeds,
        "parameters": params.to_dict(),
        "versions": versions(),
        "commit": git_commit(),
        "command": argv if argv is not None else sys.argv,
    }


def write_run(out: Path, summary: dict, weekly: pd.DataFrame, man: dict) -> None:
    """Write a single run's folder: summary.json, weekly.csv and manifest.json (each atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "summary.json", to_json(summary))
    atomic_write_text(out / "weekly.csv", weekly.to_csv(index=False))
    atomic_write_text(out / "manifest.json", to_json(man))
