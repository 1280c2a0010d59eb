"""Scenario files: TOML in ``scenarios/``, validated against the registry, composed with ``+``.

A scenario file declares ``kind`` (baseline, collaboration, funding or modifier), a ``title`` and a
``description``, and sets parameters in sections named after the registry's sections::

    kind = "collaboration"
    title = "Youth and family worker in the practice, weekly"
    [practice_worker]
    hours_per_week = 4.0

Every scenario applies on top of ``baseline.toml``. ``a+b`` composes: at most one funding scheme,
at most one baseline-kind file, and a key set by two files is an error naming both. Errors are
one line naming file, key, value and what is allowed (``ScenarioError``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.params import REGISTRY, SECTIONS, ParameterError, Params, init_mix_error

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
KINDS = ("baseline", "collaboration", "funding", "modifier")
META_KEYS = {"kind", "title", "description", "sources"}


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; the message is one line for the user."""


@dataclass
class ScenarioFile:
    path: Path
    kind: str
    title: str
    description: str
    overrides: dict[str, Any]
    sources: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass
class Scenario:
    """A composed scenario: its name, its files and the complete parameter set."""

    name: str
    files: list[ScenarioFile]
    params: Params
    overrides: dict[str, Any]


def resolve_path(name: str) -> Path:
    """A scenario name (``scenarios/NAME.toml``) or a path to a TOML file."""
    p = Path(name)
    if p.suffix == ".toml" or "/" in name:
        if not p.is_file():
            raise ScenarioError(f"{name}: no such scenario file")
        return p
    cand = SCENARIO_DIR / f"{name}.toml"
    if not cand.is_file():
        known = ", ".join(sorted(f.stem for f in SCENARIO_DIR.glob("*.toml")))
        raise ScenarioError(f"unknown scenario {name!r}; known scenarios: {known}")
    return cand


def load_file(path: Path) -> ScenarioFile:
    """Read and validate one scenario file."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{where}: not valid TOML ({e})") from None
    except OSError as e:
        raise ScenarioError(f"{where}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{where}: not UTF-8 text; save the scenario file as UTF-8") from None
    kind = data.get("kind")
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(x, str) for x in sources):
        raise ScenarioError(
            f"{where}: key 'sources' = {sources!r} is not allowed; allowed: a list of strings"
        )
    if kind not in KINDS:
        raise ScenarioError(
            f"{where}: key 'kind' = {kind!r} is not allowed; allowed: one of {', '.join(KINDS)}"
        )
    for k in ("title", "description"):
        if k in data and not isinstance(data[k], str):
            raise ScenarioError(f"{where}: key {k!r} must be a string")
    overrides: dict[str, Any] = {}
    for key, value in data.items():
        if key in META_KEYS:
            continue
        if key not in SECTIONS or not isinstance(value, dict):
            if isinstance(value, dict):
                raise ScenarioError(
                    f"{where}: unknown section [{key}]; allowed: {', '.join(SECTIONS)}"
                )
            raise ScenarioError(
                f"{where}: unknown key {key!r}; parameters go in sections ({', '.join(SECTIONS)})"
            )
        for sub, v in value.items():
            name = f"{key}.{sub}"
            if name not in REGISTRY:
                known = ", ".join(n.split(".", 1)[1] for n in REGISTRY if n.startswith(key + "."))
                raise ScenarioError(
                    f"{where}: unknown key {name!r} = {v!r}; allowed keys in [{key}]: {known}"
                )
            try:
                overrides[name] = REGISTRY[name].validate(v)
            except ParameterError as e:
                raise ScenarioError(
                    f"{where}: key {name!r} = {v!r} is not allowed; allowed: {e}"
                ) from None
    if (
        kind != "funding"
        and kind != "baseline"
        and any(k.startswith("funding.") for k in overrides)
    ):
        raise ScenarioError(
            f"{where}: only a funding (or baseline) scenario may set [funding] keys; kind is {kind!r}"
        )
    return ScenarioFile(
        path,
        kind,
        data.get("title", path.stem),
        data.get("description", ""),
        overrides,
        list(sources),
    )


def load(spec: str, extra: dict[str, Any] | None = None) -> Scenario:
    """Load ``spec`` (``name``, ``path.toml`` or ``a+b+...``) on top of the baseline."""
    parts = [s for s in spec.split("+")]
    if any(not s.strip() for s in parts):
        raise ScenarioError(f"scenario {spec!r}: empty name in a '+' composition")
    files = [load_file(resolve_path(s.strip())) for s in parts]
    base = load_file(SCENARIO_DIR / "baseline.toml")
    funding = [f for f in files if "funding.scheme" in f.overrides]
    if len(funding) > 1:
        raise ScenarioError(
            f"{funding[0].path} and {funding[1].path}: at most one funding scheme per scenario "
            "(both set funding.scheme)"
        )
    baselines = [
        f for f in files if f.kind == "baseline" and f.path.resolve() != base.path.resolve()
    ]
    if len(baselines) > 1:
        raise ScenarioError(
            f"{baselines[0].path} and {baselines[1].path}: at most one baseline per scenario"
        )
    merged: dict[str, Any] = dict(base.overrides)
    owner: dict[str, Path] = {}
    for f in files:
        if f.path.resolve() == base.path.resolve():
            continue
        for k, v in f.overrides.items():
            if k in owner:
                raise ScenarioError(
                    f"{owner[k]} and {f.path}: both set {k!r}; a key may be set by one file only"
                )
            owner[k] = f.path
            merged[k] = v
    if extra:
        merged.update(extra)
    mix = init_mix_error(lambda n: merged.get(n, REGISTRY[n].default))
    if mix:
        keys, msg = mix
        setters = sorted({str(owner[k]) for k in keys if k in owner})
        setters += ["the extra overrides"] if extra and any(k in extra for k in keys) else []
        raise ScenarioError(f"{' and '.join(setters) or spec}: {msg}")
    try:
        params = Params(merged)
    except ParameterError as e:
        raise ScenarioError(str(e)) from None
    name = "+".join(f.name for f in files)
    return Scenario(name=name, files=files, params=params, overrides={k: merged[k] for k in owner})


def list_scenarios() -> list[ScenarioFile]:
    """All scenario files in ``scenarios/``."""
    return [load_file(p) for p in sorted(SCENARIO_DIR.glob("*.toml"))]
