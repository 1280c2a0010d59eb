"""The kernels' context: the model's own arrays, rebuilt when one is replaced."""

from __future__ import annotations

import numpy as np

from sim import care
from sim import states as S
from sim.context import kernel_context
from sim.model import YouthCareModel


def _model() -> YouthCareModel:
    m = YouthCareModel(families=1500, years=1, warmup_years=0, seed=5)
    for _ in range(3):
        m.step()
    return m


def test_the_context_is_kept_until_an_array_is_replaced():
    """A normal week changes arrays in place, so the context lasts from week to week; new
    arrays (the tallies reset at the end of the warm-up) give a new context."""
    m = _model()
    k = kernel_context(m, 10)
    assert kernel_context(m, 10) is k
    m.step()
    assert kernel_context(m, 10) is k
    m.tally.reset()
    k2 = kernel_context(m, 10)
    assert k2 is not k
    assert kernel_context(m, 10) is k2


def test_kernels_see_what_python_changes_in_place():
    """Places edited in place (no new array) change where referrals go at once."""
    m = _model()
    kernel_context(m, 10)  # built before the edit
    m.specialist.places[0] = 0.0
    kids = np.flatnonzero(m.children.state == S.UNMET)[:300]
    m.children.need[kids] = 4  # urgent: always accepted onto the list
    care.refer_specialist(m, kids, S.REF_OTHER, m.week)
    listed = kids[m.children.state[kids] == S.WAIT_SPECIALIST]
    assert len(listed) == len(kids)
    assert not np.any(m.children.provider[listed] == 0)


def test_a_kernel_writes_into_the_model_arrays():
    m = _model()
    kids = np.flatnonzero(m.children.state == S.NONE)[:5]
    care.enter_state(m, kids, S.UNMET, m.week)
    assert np.all(m.children.state[kids] == S.UNMET)
    assert set(kids.tolist()) <= set(m.pending_unmet.view().tolist())
