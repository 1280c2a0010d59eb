"""Where things are in the picture of the municipality (workshop app and animations).

Pure geometry, no drawing: positions of the neighbourhoods (wijken), GP practices, wijkteams, JGZ,
the municipality, the 'other' referrers (child protection, medical specialists), Bureau Jeugdzorg,
and the specialist and residential providers with their waiting rooms; each family's home; and, for
each child, the point it is drawn at given its care state. ``DotMotion`` moves the dots towards
those points frame by frame, via the referrer (GP, wijkteam, JGZ) when a child is referred, so the
dots travel along the referral routes.

Coordinates are in an abstract canvas of ``WIDTH`` x ``HEIGHT`` units (aspect 1:1): the
neighbourhoods fill the left part, the region-wide organisations sit in a band along the top, the
providers in a column on the right. Everything is deterministic (a fixed seed for the homes and
for each child's place in a crowd), so the same model gives the same picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim import states as S

WIDTH = 16.0
HEIGHT = 10.0
REGION = (0.0, 0.0, 10.2, 8.6)  # x0, y0, x1, y1 of the neighbourhoods
TOP_Y = 9.35  # the band of region-wide organisations
PROVIDER_X = 14.4  # providers
QUEUE_X = 12.0  # their waiting rooms
HOOD_MARGIN = 0.12
CROWD_R0 = 0.06  # radius of a crowd of one child; a crowd of k children has radius r0 * sqrt(k)
HOME_JITTER = 0.06


@dataclass(frozen=True)
class Layout:
    """Positions (x, y) of every organisation, neighbourhood and home (arrays of shape (k, 2))."""

    hood_rect: np.ndarray  # (n_hood, 4): x0, y0, x1, y1
    wijkteam: np.ndarray  # (n_hood, 2), one wijkteam per neighbourhood
    gp: np.ndarray  # (n_gp, 2)
    gp_hood: np.ndarray  # (n_gp,) the neighbourhood each practice sits in
    specialist: np.ndarray  # (n_spec, 2)
    specialist_queue: np.ndarray  # (n_spec, 2) the provider's waiting room
    residential: np.ndarray  # (n_res, 2)
    residential_queue: np.ndarray  # (n_res, 2)
    jgz: np.ndarray  # (2,)
    municipality: np.ndarray  # (2,)
    other: np.ndarray  # (2,) child protection and medical specialists (referrer 'other')
    bjz: np.ndarray  # (2,) Bureau Jeugdzorg (pre-2015 indication)
    home: np.ndarray  # (n_families, 2)
    slot: float  # half the height of a provider row: the largest crowd radius there
    hood_slot: float  # the largest crowd radius inside a neighbourhood

    @property
    def n_hood(self) -> int:
        return len(self.hood_rect)

    @property
    def n_gp(self) -> int:
        return len(self.gp)

    def centre(self, hood: int) -> np.ndarray:
        x0, y0, x1, y1 = self.hood_rect[hood]
        return np.array([(x0 + x1) / 2, (y0 + y1) / 2])


def _grid(n: int, width: float, height: float) -> tuple[int, int]:
    """Columns and rows of a grid of ``n`` cells that are as square as possible."""
    cols = max(1, math.ceil(math.sqrt(n * width / height)))
    rows = max(1, math.ceil(n / cols))
    cols = max(1, math.ceil(n / rows))
    return cols, rows


def _column(n: int, y0: float, y1: float) -> np.ndarray:
    """``n`` evenly spaced y values in the open interval (y0, y1), top first."""
    step = (y1 - y0) / max(n, 1)
    return y1 - step * (np.arange(n) + 0.5)


def make_layout(
    family_hood: np.ndarray,
    family_gp: np.ndarray,
    n_hood: int,
    n_gp: int,
    n_specialist: int,
    n_residential: int,
    seed: int = 0,
) -> Layout:
    """The picture's geometry for a region with these families, practices and providers."""
    family_hood = np.asarray(family_hood, dtype=np.int64)
    family_gp = np.asarray(family_gp, dtype=np.int64)
    if n_hood < 1 or n_gp < 1 or n_specialist < 1 or n_residential < 0:
        raise ValueError("a layout needs at least one neighbourhood, practice and provider")
    # Neighbourhoods: a grid of rectangles over the region.
    rx0, ry0, rx1, ry1 = REGION
    cols, rows = _grid(n_hood, rx1 - rx0, ry1 - ry0)
    cw, chh = (rx1 - rx0) / cols, (ry1 - ry0) / rows
    k = np.arange(n_hood)
    cx, cy = k % cols, rows - 1 - k // cols
    hood_rect = np.stack(
        [
            rx0 + cx * cw + HOOD_MARGIN,
            ry0 + cy * chh + HOOD_MARGIN,
            rx0 + (cx + 1) * cw - HOOD_MARGIN,
            ry0 + (cy + 1) * chh - HOOD_MARGIN,
        ],
        axis=1,
    )
    centres = np.stack(
        [(hood_rect[:, 0] + hood_rect[:, 2]) / 2, (hood_rect[:, 1] + hood_rect[:, 3]) / 2], axis=1
    )
    half = np.minimum(hood_rect[:, 2] - hood_rect[:, 0], hood_rect[:, 3] - hood_rect[:, 1]) / 2
    # Wijkteam in the middle of its neighbourhood; practices on a ring around it.
    wijkteam = centres.copy()
    if len(family_gp):
        counts = np.zeros((n_gp, n_hood), dtype=np.int64)
        np.add.at(counts, (family_gp, family_hood), 1)
        gp_hood = counts.argmax(axis=1)
    else:
        gp_hood = np.arange(n_gp) * n_hood // n_gp
    gp = np.zeros((n_gp, 2))
    for h in range(n_hood):
        mine = np.flatnonzero(gp_hood == h)
        if not len(mine):
            continue
        ang = 2 * np.pi * (np.arange(len(mine)) + 0.25) / len(mine) + np.pi / 2
        rad = 0.62 * half[h]
        sx = (hood_rect[h, 2] - hood_rect[h, 0]) / 2 / half[h]
        gp[mine, 0] = centres[h, 0] + rad * np.cos(ang) * min(sx, 1.4)
        gp[mine, 1] = centres[h, 1] + rad * np.sin(ang)
    # Region-wide organisations along the top.
    top = np.array([1.4, 4.0, 6.7, 9.3]) * (rx1 - rx0) / 10.2
    municipality = np.array([rx0 + top[0], TOP_Y])
    jgz = np.array([rx0 + top[1], TOP_Y])
    other = np.array([rx0 + top[2], TOP_Y])
    bjz = np.array([rx0 + top[3], TOP_Y])
    # Providers in a column on the right: specialist ambulant first, then residential.
    n_rows = n_specialist + n_residential
    ys = _column(n_rows, 0.0, HEIGHT)
    slot = 0.5 * HEIGHT / n_rows
    specialist = np.stack([np.full(n_specialist, PROVIDER_X), ys[:n_specialist]], axis=1)
    specialist_queue = np.stack([np.full(n_specialist, QUEUE_X), ys[:n_specialist]], axis=1)
    residential = np.stack([np.full(n_residential, PROVIDER_X), ys[n_specialist:]], axis=1)
    residential_queue = np.stack([np.full(n_residential, QUEUE_X), ys[n_specialist:]], axis=1)
    # Homes: uniform in the family's neighbourhood, a fixed draw per family.
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7961]))
    u = rng.random((len(family_hood), 2))
    r = hood_rect[family_hood]
    pad = 0.1
    home = np.stack(
        [
            r[:, 0] + pad + u[:, 0] * (r[:, 2] - r[:, 0] - 2 * pad),
            r[:, 1] + pad + u[:, 1] * (r[:, 3] - r[:, 1] - 2 * pad),
        ],
        axis=1,
    )
    return Layout(
        hood_rect=hood_rect,
        wijkteam=wijkteam,
        gp=gp,
        gp_hood=gp_hood,
        specialist=specialist,
        specialist_queue=specialist_queue,
        residential=residential,
        residential_queue=residential_queue,
        jgz=jgz,
        municipality=municipality,
        other=other,
        bjz=bjz,
        home=home,
        slot=float(slot),
        hood_slot=float(0.3 * half.min()),
    )


def layout_for_model(m, seed: int = 0) -> Layout:
    """The layout of a ``YouthCareModel`` (its families, practices, wijkteams and providers)."""
    return make_layout(
        m.families.hood,
        m.families.gp,
        m.n_hood,
        m.n_gp,
        m.specialist.n,
        m.residential.n,
        seed=seed,
    )


def _unit_disc(uid: np.ndarray) -> np.ndarray:
    """A fixed point in the unit disc for each child (its place in any crowd), from its uid."""
    x = np.asarray(uid, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(31)
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(29)
    a = (x & np.uint64(0xFFFFFFFF)).astype(np.float64) / 2.0**32
    b = (x >> np.uint64(32)).astype(np.float64) / 2.0**32
    r = np.sqrt(b)
    return np.stack([r * np.cos(2 * np.pi * a), r * np.sin(2 * np.pi * a)], axis=1)


def _crowd(centres: np.ndarray, group: np.ndarray, disc: np.ndarray, rmax: float) -> np.ndarray:
    """Positions in crowds around ``centres[group]``; a crowd's radius grows with its size."""
    n_groups = len(centres)
    size = np.bincount(group, minlength=n_groups).astype(np.float64)
    radius = np.minimum(CROWD_R0 * np.sqrt(size), rmax)
    return centres[group] + disc * radius[group, None]


def child_targets(
    lay: Layout,
    state: np.ndarray,
    family: np.ndarray,
    family_hood: np.ndarray,
    family_gp: np.ndarray,
    provider: np.ndarray,
    uid: np.ndarray,
) -> np.ndarray:
    """Where each child is drawn given its state (shape (n, 2)); children without need at home.

    unmet need: at home; JGZ support: at JGZ; practice worker: at the family's GP practice;
    wijkteam: at the neighbourhood's wijkteam; waiting for specialist or residential care: in the
    provider's waiting room; in care: at the provider; waiting for an indication: at Bureau
    Jeugdzorg. Each place holds a crowd whose radius grows with the number of children in it.
    """
    state = np.asarray(state)
    n = len(state)
    out = lay.home[family].copy()
    disc = _unit_disc(uid)
    out += disc * HOME_JITTER
    hood = family_hood[family]
    gp = family_gp[family]
    prov = np.asarray(provider)

    def place(st: int, centres: np.ndarray, group: np.ndarray, rmax: float) -> None:
        sel = np.flatnonzero(state == st)
        if len(sel) and len(centres):
            g = np.clip(group[sel], 0, len(centres) - 1)
            out[sel] = _crowd(centres, g, disc[sel], rmax)

    single = np.zeros(n, dtype=np.int64)
    place(S.JGZ_SUPPORT, lay.jgz[None, :], single, 0.55)
    place(S.PRACTICE_WORKER, lay.gp, gp, 0.3 * lay.hood_slot + 0.05)
    place(S.WIJKTEAM, lay.wijkteam, hood, lay.hood_slot)
    place(S.WAIT_SPECIALIST, lay.specialist_queue, prov, 0.92 * lay.slot)
    place(S.SPECIALIST, lay.specialist, prov, 0.92 * lay.slot)
    place(S.WAIT_RESIDENTIAL, lay.residential_queue, prov, 0.92 * lay.slot)
    place(S.RESIDENTIAL, lay.residential, prov, 0.92 * lay.slot)
    place(S.WAIT_INDICATION, lay.bjz[None, :], single, 0.55)
    return out


def referrer_points(
    lay: Layout,
    referrer: np.ndarray,
    family: np.ndarray,
    family_hood: np.ndarray,
    family_gp: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The referrer's position for each child and whether it has one (no referrer: none)."""
    referrer = np.asarray(referrer)
    pts = np.zeros((len(referrer), 2))
    ok = np.zeros(len(referrer), dtype=bool)
    for code, where in (
        (S.REF_GP, lambda sel: lay.gp[family_gp[family[sel]]]),
        (S.REF_WIJKTEAM, lambda sel: lay.wijkteam[family_hood[family[sel]]]),
        (S.REF_JGZ, lambda sel: np.broadcast_to(lay.jgz, (len(sel), 2))),
        (S.REF_OTHER, lambda sel: np.broadcast_to(lay.other, (len(sel), 2))),
    ):
        sel = np.flatnonzero(referrer == code)
        if len(sel):
            pts[sel] = where(sel)
            ok[sel] = True
    return pts, ok


# States a child is referred into (it travels via its referrer's position to get there).
_REFERRED = np.zeros(S.N_STATES, dtype=bool)
_REFERRED[[S.WAIT_SPECIALIST, S.SPECIALIST, S.WAIT_RESIDENTIAL, S.RESIDENTIAL]] = True
_REFERRED[S.WAIT_INDICATION] = True
# States a referral starts from (need outside specialist care).
_FROM = np.zeros(S.N_STATES, dtype=bool)
_FROM[[S.NONE, S.UNMET, S.JGZ_SUPPORT, S.PRACTICE_WORKER, S.WIJKTEAM]] = True


class DotMotion:
    """Displayed dot positions that follow the children from frame to frame.

    Each frame a dot moves a share ``alpha`` of the way to its goal: the point of its current
    state, or first its referrer's position when it has just been referred to specialist or
    residential care. A row taken by a newborn (new uid) starts at home.
    """

    def __init__(self, lay: Layout, alpha: float = 0.55):
        self.lay = lay
        self.alpha = float(alpha)
        self.pos: np.ndarray | None = None
        self.via = np.zeros((0, 2))
        self.has_via = np.zeros(0, dtype=bool)
        self.state = np.zeros(0, dtype=np.int8)
        self.uid = np.zeros(0, dtype=np.int64)

    def update(
        self,
        state: np.ndarray,
        family: np.ndarray,
        family_hood: np.ndarray,
        family_gp: np.ndarray,
        provider: np.ndarray,
        uid: np.ndarray,
        referrer: np.ndarray,
    ) -> np.ndarray:
        """Advance one frame; returns the positions of all children (shape (n, 2))."""
        lay = self.lay
        target = child_targets(lay, state, family, family_hood, family_gp, provider, uid)
        n = len(state)
        if self.pos is None or len(self.pos) != n:
            self.pos = target.copy()
            self.via = np.zeros((n, 2))
            self.has_via = np.zeros(n, dtype=bool)
            self.state = np.asarray(state).copy()
            self.uid = np.asarray(uid).copy()
            return self.pos
        new = uid != self.uid
        home = lay.home[family[new]]
        self.pos[new] = home
        self.has_via[new] = False
        referred = (~new) & _REFERRED[state] & _FROM[self.state]
        if referred.any():
            idx = np.flatnonzero(referred)
            pts, ok = referrer_points(lay, referrer[idx], family[idx], family_hood, family_gp)
            self.via[idx[ok]] = pts[ok]
            self.has_via[idx[ok]] = True
        # Children whose need ended go home (they are not drawn, so they wait there).
        gone = state == S.NONE
        self.pos[gone] = target[gone]
        self.has_via[gone] = False
        goal = np.where(self.has_via[:, None], self.via, target)
        self.pos += self.alpha * (goal - self.pos)
        arrived = self.has_via & (np.hypot(*(self.pos - self.via).T) < 0.4)
        self.has_via[arrived] = False
        self.state = np.asarray(state).copy()
        self.uid = np.asarray(uid).copy()
        return self.pos
