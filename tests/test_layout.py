"""The picture's geometry (sim.layout): where organisations, homes and children are drawn."""

from __future__ import annotations

import numpy as np
import pytest

from sim import states as S
from sim.layout import (
    HEIGHT,
    WIDTH,
    DotMotion,
    child_targets,
    layout_for_model,
    make_layout,
    referrer_points,
)


def _inside(pts: np.ndarray, rect: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = rect.T if rect.ndim == 2 else rect
    return (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)


def _families(n_fam: int, n_gp: int, n_hood: int):
    ids = np.arange(n_fam)
    gp = ids * n_gp // n_fam
    hood = gp * n_hood // n_gp
    return hood, gp


@pytest.mark.parametrize("n_hood,n_gp,n_spec,n_res", [(1, 3, 6, 2), (2, 14, 6, 2), (8, 56, 6, 2)])
def test_everything_on_the_canvas_and_in_its_neighbourhood(n_hood, n_gp, n_spec, n_res):
    hood, gp = _families(400 * n_hood, n_gp, n_hood)
    lay = make_layout(hood, gp, n_hood, n_gp, n_spec, n_res)
    pts = np.vstack(
        [
            lay.wijkteam,
            lay.gp,
            lay.specialist,
            lay.specialist_queue,
            lay.residential,
            lay.residential_queue,
            lay.home,
            [lay.jgz, lay.municipality, lay.other, lay.bjz],
        ]
    )
    assert np.all((pts[:, 0] >= 0) & (pts[:, 0] <= WIDTH))
    assert np.all((pts[:, 1] >= 0) & (pts[:, 1] <= HEIGHT))
    # Homes and practices lie in their own neighbourhood; wijkteams in theirs.
    assert np.all(_inside(lay.home, lay.hood_rect[hood]))
    assert np.all(_inside(lay.gp, lay.hood_rect[lay.gp_hood]))
    assert np.all(_inside(lay.wijkteam, lay.hood_rect))
    # Neighbourhoods do not overlap; providers sit right of the neighbourhoods.
    r = lay.hood_rect
    for i in range(n_hood):
        for j in range(i + 1, n_hood):
            apart = (
                r[i, 2] <= r[j, 0] or r[j, 2] <= r[i, 0] or r[i, 3] <= r[j, 1] or r[j, 3] <= r[i, 1]
            )
            assert apart
    assert lay.specialist_queue[:, 0].min() > r[:, 2].max()
    assert np.all(lay.specialist[:, 0] > lay.specialist_queue[:, 0])


def test_layout_is_deterministic():
    hood, gp = _families(1000, 3, 1)
    a = make_layout(hood, gp, 1, 3, 6, 2, seed=3)
    b = make_layout(hood, gp, 1, 3, 6, 2, seed=3)
    assert np.array_equal(a.home, b.home) and np.array_equal(a.gp, b.gp)
    with pytest.raises(ValueError):
        make_layout(hood, gp, 0, 3, 6, 2)


def test_children_are_drawn_at_the_organisation_of_their_state():
    hood, gp = _families(200, 4, 2)
    lay = make_layout(hood, gp, 2, 4, 3, 1)
    states = np.array(
        [
            S.UNMET,
            S.JGZ_SUPPORT,
            S.PRACTICE_WORKER,
            S.WIJKTEAM,
            S.WAIT_SPECIALIST,
            S.SPECIALIST,
            S.WAIT_RESIDENTIAL,
            S.RESIDENTIAL,
            S.WAIT_INDICATION,
        ]
    )
    n = len(states)
    family = np.full(n, 150)  # a family of practice 3 in neighbourhood 1
    provider = np.array([-1, -1, -1, -1, 2, 1, 0, 0, -1])
    pos = child_targets(lay, states, family, hood, gp, provider, np.arange(n))
    near = {
        0: lay.home[150],
        1: lay.jgz,
        2: lay.gp[gp[150]],
        3: lay.wijkteam[hood[150]],
        4: lay.specialist_queue[2],
        5: lay.specialist[1],
        6: lay.residential_queue[0],
        7: lay.residential[0],
        8: lay.bjz,
    }
    for i, centre in near.items():
        assert np.hypot(*(pos[i] - centre)) < 0.6, (S.STATE_NAMES[states[i]], pos[i], centre)


def test_crowds_grow_with_their_size():
    hood, gp = _families(2000, 4, 1)
    lay = make_layout(hood, gp, 1, 4, 2, 1)

    def spread(k):
        st = np.full(k, S.SPECIALIST)
        pos = child_targets(lay, st, np.zeros(k, int), hood, gp, np.zeros(k, int), np.arange(k))
        return np.hypot(*(pos - lay.specialist[0]).T).max()

    assert spread(5) < spread(60) <= lay.slot + 1e-9


def test_referrer_points():
    hood, gp = _families(100, 2, 1)
    lay = make_layout(hood, gp, 1, 2, 2, 1)
    ref = np.array([S.REF_GP, S.REF_WIJKTEAM, S.REF_JGZ, S.REF_NONE, S.REF_OTHER])
    pts, ok = referrer_points(lay, ref, np.full(5, 70), hood, gp)
    assert ok.tolist() == [True, True, True, False, True]
    assert np.allclose(pts[0], lay.gp[gp[70]]) and np.allclose(pts[2], lay.jgz)


def test_dots_travel_via_the_referrer_and_newborns_start_at_home():
    hood, gp = _families(100, 2, 1)
    lay = make_layout(hood, gp, 1, 2, 2, 1)
    motion = DotMotion(lay, alpha=0.5)
    fam = np.array([10, 90])
    uid = np.array([1, 2])
    prov = np.array([-1, -1])
    ref = np.array([S.REF_GP, S.REF_GP])
    motion.update(np.array([S.UNMET, S.UNMET]), fam, hood, gp, prov, uid, ref)
    # Child 0 is referred by its GP to specialist provider 1: it heads for the GP first.
    state = np.array([S.WAIT_SPECIALIST, S.UNMET], dtype=np.int8)
    prov = np.array([1, -1])
    start = motion.pos.copy()
    pos = motion.update(state, fam, hood, gp, prov, uid, ref).copy()
    gp_pt = lay.gp[gp[10]]
    assert np.hypot(*(pos[0] - gp_pt)) < np.hypot(*(start[0] - gp_pt))
    for _ in range(30):
        pos = motion.update(state, fam, hood, gp, prov, uid, ref)
    target = child_targets(lay, state, fam, hood, gp, prov, uid)
    assert np.hypot(*(pos[0] - target[0])) < 1e-3
    # Row 1 is taken by a newborn (new uid): its dot starts at its home.
    uid2 = np.array([1, 99])
    state2 = np.array([S.WAIT_SPECIALIST, S.UNMET], dtype=np.int8)
    pos = motion.update(state2, np.array([10, 40]), hood, gp, prov, uid2, ref)
    assert np.hypot(*(pos[1] - lay.home[40])) < 0.2


def test_layout_for_a_model():
    from sim.model import YouthCareModel

    m = YouthCareModel(families=1500, years=0.1, warmup_years=0, seed=2)
    lay = layout_for_model(m)
    assert lay.n_gp == m.n_gp and lay.n_hood == m.n_hood
    assert len(lay.specialist) == m.specialist.n and len(lay.residential) == m.residential.n
    assert len(lay.home) == m.families.n
    ch = m.children
    pos = child_targets(
        lay, ch.state, ch.family, m.families.hood, m.families.gp, ch.provider, ch.uid
    )
    assert pos.shape == (ch.n, 2) and np.isfinite(pos).all()
