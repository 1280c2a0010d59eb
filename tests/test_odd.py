"""docs/ODD.md: the ODD prose of docs/odd_template.md with the parameter table that
scripts/make_odd.py generates from the registry (sim/params.py).

These tests fail when a registry parameter is missing from the table, when docs/ODD.md differs from
what the script would write now (run ``.venv/bin/python scripts/make_odd.py``), or when the prose
names a parameter or function that no longer exists. No model is run; the module takes well under a
second.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import load_script

from sim.params import REGISTRY, SECTIONS

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
TEMPLATE = ROOT / "docs" / "odd_template.md"
FIX = "run: .venv/bin/python scripts/make_odd.py"


def _load_make_odd():
    return load_script("make_odd")


make_odd = _load_make_odd()


@pytest.fixture(scope="module")
def odd() -> str:
    assert ODD.is_file(), f"docs/ODD.md is missing; {FIX}"
    return ODD.read_text(encoding="utf-8")


def table_block(text: str) -> str:
    """The generated part of the document, between the BEGIN and END markers."""
    assert text.count(make_odd.BEGIN) == 1 and text.count(make_odd.END) == 1, (
        f"docs/ODD.md has no single generated parameter table; {FIX}"
    )
    return text.split(make_odd.BEGIN, 1)[1].split(make_odd.END, 1)[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """Parameter name -> the cells of its row, for every row of the generated table."""
    rows: dict[str, list[str]] = {}
    for line in table_block(text).splitlines():
        m = re.match(r"^\| `([^`]+)` \|", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} appears twice in the table"
            rows[m.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    return rows


def test_every_registry_parameter_is_in_the_table(odd):
    rows = table_rows(odd)
    missing = sorted(set(REGISTRY) - set(rows))
    assert not missing, f"parameters missing from docs/ODD.md's table: {missing}; {FIX}"
    unknown = sorted(set(rows) - set(REGISTRY))
    assert not unknown, f"docs/ODD.md's table lists parameters the registry lacks: {unknown}; {FIX}"


def test_table_rows_carry_the_registry_fields(odd):
    rows = table_rows(odd)
    for name, p in REGISTRY.items():
        cells = rows[name]
        assert len(cells) == len(make_odd.COLUMNS), (name, cells)
        assert cells[2] == make_odd._cell(p.unit), (name, "unit")
        assert cells[5] == make_odd._cell(p.source), (name, "source")
        assert cells[6] == make_odd._cell(p.doc), (name, "description")
        assert (cells[4] == "fixed") == (p.dist is None), (name, "uncertainty")


def test_table_is_grouped_by_registry_section(odd):
    block = table_block(odd)
    heads = re.findall(r"^### A\.\d+ `([^`]+)`", block, re.M)
    assert heads == list(SECTIONS)
    # Each parameter sits under its own section's heading.
    current = None
    for line in block.splitlines():
        h = re.match(r"^### A\.\d+ `([^`]+)`", line)
        if h:
            current = h.group(1)
        m = re.match(r"^\| `([^`]+)` \|", line)
        if m:
            assert REGISTRY[m.group(1)].section == current, m.group(1)


def test_odd_md_is_what_make_odd_generates(odd):
    assert odd == make_odd.build(), f"docs/ODD.md is out of date; {FIX}"


def test_check_flags_a_stale_or_missing_file_in_one_line(tmp_path, capsys):
    good = tmp_path / "ODD.md"
    assert make_odd.main(["--output", str(good)]) == 0
    assert good.read_text(encoding="utf-8") == make_odd.build()
    assert [p.name for p in tmp_path.iterdir()] == ["ODD.md"]  # no temporary file left behind
    capsys.readouterr()
    assert make_odd.main(["--check", "--output", str(good)]) == 0
    good.write_text(good.read_text(encoding="utf-8").replace("| `era.rules` |", "| `era.x` |"))
    assert make_odd.main(["--check", "--output", str(good)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "out of date" in err
    assert make_odd.main(["--check", "--output", str(tmp_path / "none.md")]) == 1
    assert "missing" in capsys.readouterr().err


def test_template_needs_exactly_one_placeholder():
    with pytest.raises(make_odd.OddError, match="exactly once"):
        make_odd.build("# no table here\n")
    with pytest.raises(make_odd.OddError, match="found 2"):
        make_odd.build(f"{make_odd.PLACEHOLDER}\n{make_odd.PLACEHOLDER}\n")


def test_names_in_the_prose_exist():
    """Every `section.key` the prose names is a registry parameter, and every `module.name` a
    function or class of sim/<module>.py (e.g. `care.resolve`), so renamed parameters and
    functions show up here."""
    prose = TEMPLATE.read_text(encoding="utf-8")
    sections = set(SECTIONS)
    stale = []
    for name in sorted(set(re.findall(r"`([a-z_]+)\.([a-z0-9_]+)`", prose))):
        dotted = ".".join(name)
        module = ROOT / "sim" / f"{name[0]}.py"
        if dotted in REGISTRY or (name[0] not in sections and not module.is_file()):
            continue
        if name[0] == "model":  # `model.x`: an attribute or method of the running model
            continue
        defined = module.is_file() and re.search(
            rf"^(def|class) {re.escape(name[1])}\b", module.read_text(encoding="utf-8"), re.M
        )
        if not defined:
            stale.append(dotted)
    assert not stale, f"docs/odd_template.md names what does not exist: {stale}"


def test_every_mechanism_strength_is_described():
    prose = TEMPLATE.read_text(encoding="utf-8")
    absent = [n for n in REGISTRY if n.startswith("mechanisms.") and f"`{n}`" not in prose]
    assert not absent, f"mechanism strengths not described in docs/odd_template.md: {absent}"
