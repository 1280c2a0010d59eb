"""A results folder of many runs that survives a crash: each finished run is one JSON file written
atomically, and a key file says which command made the folder.

The same command on the same folder resumes (runs already stored are not run again); a different
command stops with one line (``KeyMismatch``). Temporary files left by a killed writer are removed
when the folder is opened again; a stored run file is always complete.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from sim.experiment import atomic_write_text, to_json


def code_hash() -> str:
    """A hash of the model's source (sim/**/*.py and the calibrated defaults), so that editing the
    README or a test does not invalidate stored runs but changing the model does."""
    import hashlib

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted([*root.rglob("*.py"), *root.glob("*.toml")]):
        if "__pycache__" in f.parts:
            continue
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


class KeyMismatch(ValueError):
    """The results folder was made by a different command."""


def move_aside(out: Path) -> Path:
    """Rename the folder ``out`` to ``OUT.previous`` (or ``.previous-2``, ...); return the name."""
    n, aside = 1, out.with_name(out.name + ".previous")
    while aside.exists():
        n += 1
        aside = out.with_name(f"{out.name}.previous-{n}")
    out.rename(aside)
    return aside


class RunStore:
    """Run files under ``out/runs/`` and the key in ``out/KEYFILE``."""

    def __init__(self, out: Path, key: dict, keyfile: str = "run-key.json", replace: bool = False):
        self.out = Path(out)
        self.runs = self.out / "runs"
        # The model's code is part of the key: runs made by another version are not reused.
        self.key = json.loads(json.dumps({**key, "code_sha256": code_hash()}))
        self.keyfile = self.out / keyfile
        self.replace = replace
        self.moved_to: Path | None = None

    def open(self) -> None:
        """Create the folder or check that it belongs to this command; remove stale temp files.

        With ``replace``, a folder made by another command is kept aside as ``OUT.previous``
        (``.previous-2``, ...) and a fresh one is started: nothing already written is lost."""
        if self.keyfile.exists():
            old = json.loads(self.keyfile.read_text())
            if old != self.key:
                changed = sorted(
                    k for k in set(old) | set(self.key) if old.get(k) != self.key.get(k)
                )
                if not self.replace:
                    raise KeyMismatch(
                        f"--out {self.out}: the manifest does not match this command (differs in: "
                        f"{', '.join(changed)}); use another --out, the same arguments, or --replace"
                    )
                self.moved_to = move_aside(self.out)
        self.out.mkdir(parents=True, exist_ok=True)
        if not self.keyfile.exists():
            atomic_write_text(self.keyfile, to_json(self.key))
        if self.runs.exists():
            for tmp in self.runs.rglob(".*.tmp"):
                tmp.unlink(missing_ok=True)

    def path(self, *parts: str) -> Path:
        return self.runs.joinpath(*parts)

    def has(self, *parts: str) -> bool:
        return self.path(*parts).exists()

    def write(self, obj: Any, *parts: str) -> None:
        atomic_write_text(self.path(*parts), json.dumps(obj))

    def read(self, *parts: str) -> Any:
        return json.loads(self.path(*parts).read_text())

    def run_all(
        self,
        jobs: dict[tuple[str, ...], tuple[Callable, tuple]],
        executor: Executor | None,
        workers: int,
        bar=None,
    ) -> None:
        """Run each job (store path -> (function, arguments)) on ``executor`` (or a process pool
        of ``workers`` made and shut down here) and store each result as soon as it finishes, so
        a killed sweep loses only the runs in flight. ``bar``: a tqdm bar to advance, or None."""
        from concurrent.futures import ProcessPoolExecutor, as_completed

        from sim.experiment import mp_context

        own = executor is None
        ex = executor or ProcessPoolExecutor(max_workers=workers, mp_context=mp_context())
        try:
            futs = {ex.submit(fn, *args): parts for parts, (fn, args) in jobs.items()}
            for f in as_completed(futs):
                self.write(f.result(), *futs[f])
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            if own:
                ex.shutdown()
