"""Agent-based simulation of the Dutch youth-care ecosystem (jeugdzorg)."""

from pathlib import Path as _Path

__version__ = "0.1.0"


def _drop_stale_kernel_caches() -> None:
    """Numba caches each compiled kernel on disk and checks only the kernel's own source file
    for changes, not the files of the compiled functions it calls (``care`` calls ``routing``
    and ``rng``). So when any module of the package changed since the caches were written,
    they are all dropped and compiled again (a few seconds, once)."""
    here = _Path(__file__).parent
    cache = here / "__pycache__"
    stamp = cache / "kernels.stamp"
    sources = sorted(here.glob("*.py"))
    now = ";".join(f"{p.name}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in sources)
    try:
        if stamp.read_text() == now:
            return
    except OSError:
        pass
    try:
        for f in (*cache.glob("*.nbi"), *cache.glob("*.nbc")):
            f.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(now)
    except OSError:  # a read-only folder: numba keeps its cache elsewhere, not cleared here
        pass


_drop_stale_kernel_caches()
