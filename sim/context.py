"""The compiled kernels' view of a running model.

Kernels (``numba.njit`` functions in ``care``, ``routing``, ...) read and write the child table
and this week's buffers and counters through one reference object, a numba ``StructRef``: it
holds the very arrays the numpy code uses (nothing is copied, so what one side writes in
place the other reads), and passing it from kernel to
kernel costs a pointer, where a tuple of some seventy arrays would be copied, with a reference
count for each array, at every call.

``kernel_context(m, rows)`` returns the model's context with room for ``rows`` more rows in
every buffer. It is rebuilt only when one of its arrays was replaced (a buffer that grew, the
tallies reset at the end of the warm-up, new funding or places set between weeks); the weekly
updates change arrays in place so that one context lasts from week to week.
"""

from __future__ import annotations

import operator

import numba
from numba.core import types
from numba.experimental import structref

from sim import states as S
from sim.population import ChildColumns

# What a kernel finds besides the child columns (ChildColumns' names).
_OWN = (
    "hood",  # neighbourhood (wijkteam), GP practice and informal network of each family
    "gp",
    "network",
    "waiting",  # states.WAITING: which states are waiting lists
    "log",  # the queue log's rows (list, week joined, week left) and their count
    "log_n",
    "unmet",  # children whose unmet-need events are drawn at the week's end
    "unmet_n",
    "onsets",  # children whose need onset is drawn at the week's end
    "onsets_n",
    "ep_rows",  # ended specialist trajectories (need at admission, weeks, professionals)
    "ep_n",
    "count",  # metrics.Tally.count
    "appointments",  # Tally.appointments (GP, practice worker, wijkteam) and their no-shows
    "appointment_noshows",
    "trajectories",  # new trajectories by referrer, by referrer and tier, and this week's
    "routes",
    "new_traj_week",
    "bad",  # this week's bad experiences and good outcomes per (GP, partner) (Collaboration)
    "good",
    "feedback",  # ... feedback the GP hears, per GP, and contacts per (GP, partner)
    "digital",
    "in_person",
    "trust",  # trust per (GP, partner) and knowledge of the social map per GP
    "knowledge",
    "worker_present",  # whether each practice's worker is in this week
    "fte",  # wijkteam FTE per neighbourhood
    "occ",  # wijkteam occupancy of this week, once computed (occ_ready[0])
    "occ_ready",
    "threshold",  # specialist admission threshold per provider (funding)
    "stepdown_rate",  # step-down rate per specialist provider (funding)
    "length_mult",  # treatment length multiplier per specialist provider (funding)
    "lengths",  # specialist treatment weeks by need level
    "spec_places",  # places per specialist and residential provider
    "res_places",
    "relapse_weeks",  # need.relapse_window_weeks
)
FIELDS = (*ChildColumns._fields, *_OWN)


def unliteral_fields(self, fields):
    """StructRef field types without literal values (one type whatever the numbers)."""
    return tuple((name, types.unliteral(typ)) for name, typ in fields)


def define_struct(proxy: type, type_class: type, fields: tuple) -> numba.core.dispatcher.Dispatcher:
    """Make ``proxy`` a StructRef proxy of ``type_class`` with ``fields``; returns a compiled
    constructor taking the fields in order, cached on disk like the kernels (the proxy's own
    constructor would be compiled anew in every process)."""
    structref.define_proxy(proxy, type_class, list(fields))
    args = ", ".join(fields)
    name = f"_new_{proxy.__name__}"
    source = f"def {name}({args}):\n    return proxy({args})\n"
    namespace = {"proxy": proxy, "__name__": __name__}
    exec(compile(source, __file__, "exec"), namespace)  # noqa: S102 (a generated signature)
    return numba.njit(cache=True)(namespace[name])


@structref.register
class _CtxType(types.StructRef):
    preprocess_fields = unliteral_fields


class Ctx(structref.StructRefProxy):
    """A running model's arrays as seen by the kernels (see the module docstring)."""


_new_ctx = define_struct(Ctx, _CtxType, FIELDS)


def _sources(m) -> tuple:
    """The arrays of the context besides the child columns, in ``_OWN`` order (the last,
    the relapse window, a number)."""
    t, c = m.tally, m.collab
    return (
        m.families.hood,
        m.families.gp,
        m.families.network,
        S.WAITING,
        t.queue_log.data,
        t.queue_log.n,
        m.pending_unmet.data,
        m.pending_unmet.n,
        m.needs.pending.data,
        m.needs.pending.n,
        t.specialist_episodes.data,
        t.specialist_episodes.n,
        t.count,
        t.appointments,
        t.noshows,
        t.trajectories,
        t.routes,
        t.new_traj_week,
        c.bad,
        c.good,
        c.feedback,
        c.digital,
        c.in_person,
        c.trust,
        c.knowledge,
        m.worker_present_this_week,
        m.wijkteam_fte,
        m._occ,
        m._occ_ready,
        m.funding.threshold,
        m.funding.stepdown_rate,
        m.funding.length_mult,
        m._spec_len,
        m.specialist.places,
        m.residential.places,
        int(m.p["need.relapse_window_weeks"]),
    )


def kernel_context(m, rows: int) -> Ctx:
    """The kernels' context of model ``m``, with room for ``rows`` more rows in every buffer
    (a kernel moves each of its children at most a few times: callers reserve for that)."""
    for buf in (m.tally.queue_log, m.pending_unmet, m.needs.pending, m.tally.specialist_episodes):
        buf.reserve(rows)
    src = _sources(m)
    cached = m._ctx_sources
    # The child columns are never replaced (rows are reused at birth); the rest is rebuilt when
    # an array was replaced.
    if cached is None or src[-1] != cached[-1] or not all(map(operator.is_, src, cached)):
        m._ctx_sources = src
        m._ctx = _build(m, src)
    return m._ctx


def _build(m, src: tuple) -> Ctx:
    own = dict(zip(_OWN, src, strict=True))
    return _new_ctx(*m.children.cols, *(own[f] for f in _OWN))
