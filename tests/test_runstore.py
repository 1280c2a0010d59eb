"""The run store: resume with the same key, one-line refusal with another, --replace keeps the old."""

from __future__ import annotations

import pytest

from sim.runstore import KeyMismatch, RunStore


def test_same_key_resumes_and_other_key_is_refused(tmp_path):
    a = RunStore(tmp_path / "o", {"n": 1})
    a.open()
    a.write({"x": 1}, "run-1.json")
    (a.runs / ".run-2.json.abc.tmp").write_text("partial")
    b = RunStore(tmp_path / "o", {"n": 1})
    b.open()
    assert b.read("run-1.json") == {"x": 1}
    assert not list(b.runs.glob(".*.tmp"))  # a killed writer's temp file is cleaned up
    with pytest.raises(KeyMismatch, match="differs in: n"):
        RunStore(tmp_path / "o", {"n": 2}).open()


def test_replace_keeps_the_earlier_folder_aside(tmp_path):
    a = RunStore(tmp_path / "o", {"n": 1})
    a.open()
    a.write({"x": 1}, "run-1.json")
    for expected in ("o.previous", "o.previous-2"):
        c = RunStore(tmp_path / "o", {"n": 2 if expected == "o.previous" else 3}, replace=True)
        c.open()
        assert c.moved_to == tmp_path / expected
        assert not c.has("run-1.json")
        c.write({"x": 2}, "run-1.json")
    assert RunStore(tmp_path / "o.previous", {"n": 1}).read("run-1.json") == {"x": 1}
