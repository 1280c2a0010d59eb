"""Providers with places and waiting lists, and the queueing theory to check them against.

A provider pool holds the places of all providers of one tier (specialist ambulant, residential)
in arrays across providers. Waiting children live in the child table (state, provider, entry week,
priority); each week :func:`admit` fills free places in order of urgency, then arrival, then id.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# Fractional places that are a whole number but for rounding count as that number.
PLACE_ROUNDING = 1e-9


@numba.njit(cache=True, nogil=True)
def usable_places(places: float) -> int:
    """The places a provider with ``places`` fractional places can use (their floor)."""
    return np.int64(np.floor(places + PLACE_ROUNDING))


def smoothing_alpha(smoothing_weeks: float) -> float:
    """The weight of this week's mean wait in the expected wait (exponential smoothing)."""
    return 1.0 / max(smoothing_weeks, 1.0)


@numba.njit(cache=True, nogil=True)
def smooth_waits(
    expected_wait: np.ndarray, provider: np.ndarray, waits: np.ndarray, alpha: float
) -> None:
    """Move each provider's ``expected_wait`` by ``alpha`` towards the mean of this week's
    ``waits`` (weeks) of the children it admitted (``provider``), summed in their order."""
    n = expected_wait.size
    cnt = np.zeros(n, np.int64)
    tot = np.zeros(n, np.float64)
    for j in range(provider.size):
        cnt[provider[j]] += 1
        tot[provider[j]] += waits[j]
    for k in range(n):
        if cnt[k] > 0:
            expected_wait[k] += alpha * (tot[k] / cnt[k] - expected_wait[k])


@numba.njit(cache=True, nogil=True, inline="always")
def _bits(x: int) -> int:
    """Bits needed for the integers 0..x."""
    b = 0
    while x > 0:
        b += 1
        x >>= 1
    return b


@numba.njit(cache=True, nogil=True)
def admit_order(
    provider: np.ndarray, priority: np.ndarray, entry: np.ndarray, uid: np.ndarray
) -> np.ndarray:
    """The order of ``np.lexsort((uid, entry, -priority, provider))``: by provider, urgency
    (highest first), entry week, id, and position for ties. One sort of a packed key where the
    ranges fit 63 bits (always in the model: a few providers, weeks and ids), four stable sorts
    otherwise; both give the same order, because the packed key ends in the position."""
    n = provider.size
    if n == 0:
        return np.empty(0, np.int64)
    lo = np.empty(4, np.int64)
    hi = np.empty(4, np.int64)
    cols = (provider, -priority, entry, uid)
    for c in range(4):
        lo[c], hi[c] = cols[c].min(), cols[c].max()
    bits = np.empty(5, np.int64)
    for c in range(4):
        bits[c] = _bits(hi[c] - lo[c]) if hi[c] - lo[c] >= 0 else 64  # overflow: no packing
    bits[4] = _bits(n - 1)
    if bits.sum() <= 63:
        key = np.empty(n, np.int64)
        for j in range(n):
            v = provider[j] - lo[0]
            v = (v << bits[1]) | (-priority[j] - lo[1])
            v = (v << bits[2]) | (entry[j] - lo[2])
            v = (v << bits[3]) | (uid[j] - lo[3])
            v = (v << bits[4]) | j
            key[j] = v
        return np.argsort(key)  # keys are unique, so any sort gives the one order
    order = np.argsort(uid, kind="mergesort")
    order = order[np.argsort(entry[order], kind="mergesort")]
    order = order[np.argsort(-priority[order], kind="mergesort")]
    return order[np.argsort(provider[order], kind="mergesort")]


@numba.njit(cache=True, nogil=True)
def admit_mask(
    provider: np.ndarray, priority: np.ndarray, entry: np.ndarray, uid: np.ndarray, free: np.ndarray
) -> np.ndarray:
    """:func:`admit` on int64 arrays (compiled, for kernels), in the order of
    :func:`admit_order`."""
    n = provider.size
    taken = np.zeros(free.size, np.int64)
    mask = np.zeros(n, np.bool_)
    for j in admit_order(provider, priority, entry, uid):
        k = provider[j]
        if taken[k] < free[k]:
            taken[k] += 1
            mask[j] = True
    return mask


def admit(
    provider: np.ndarray,
    priority: np.ndarray,
    entry: np.ndarray,
    uid: np.ndarray,
    free: np.ndarray,
) -> np.ndarray:
    """Which waiting children get a place this week.

    ``provider``, ``priority`` (higher first), ``entry`` (week joined, earlier first) and ``uid``
    describe the waiting children; ``free`` is the number of free places per provider. Returns a
    boolean mask over the waiting children: the first ``free[k]`` of provider k's list.
    """

    def i64(a):
        return np.asarray(a).astype(np.int64)

    provider, free = i64(provider), i64(free)
    if len(provider) and (provider.min() < 0 or provider.max() >= len(free)):
        raise IndexError("admit: a provider index outside the providers of 'free'")
    return admit_mask(provider, i64(priority), i64(entry), i64(uid), free)


class ProviderPool:
    """Places, expected waits and capacity response of all providers of one tier.

    ``places`` are fractional (capacity adjusts smoothly); a provider can use ``floor(places)``.
    Capacity answers a lasting wait with a lag and a workforce cap (DESIGN §3), and never drops
    below the number of children in care (nobody is put out).
    """

    def __init__(self, name: str, places: np.ndarray, expected_wait: float):
        self.name = name
        self.places = places.astype(np.float64)
        self.places0 = self.places.copy()
        self.expected_wait = np.full(len(places), float(expected_wait))
        self.n = len(places)

    @property
    def capacity(self) -> np.ndarray:
        """The places each provider can use: the floor of its fractional places."""
        return np.floor(self.places + PLACE_ROUNDING).astype(np.int64)

    def observe_waits(
        self, provider: np.ndarray, waits: np.ndarray, smoothing_weeks: float
    ) -> None:
        """Update each provider's expected wait with the waits of this week's admissions."""
        smooth_waits(
            self.expected_wait,
            np.asarray(provider, np.int64),
            np.asarray(waits, np.float64),
            smoothing_alpha(smoothing_weeks),
        )

    def queue_wait_estimate(
        self, queue_len: np.ndarray, occupied: np.ndarray, mean_stay: float
    ) -> np.ndarray:
        """Little's-law estimate of the wait a newcomer faces: queue / (places freed per week)."""
        throughput = np.maximum(occupied, 1) / max(mean_stay, 1.0)
        return queue_len / throughput

    def adjust_capacity(
        self,
        wait_signal: np.ndarray,
        occupied: np.ndarray,
        target_wait: float,
        lag_weeks: float,
        cap_ratio: float,
        strength: float,
        floor_ratio: float = 0.5,
    ) -> None:
        """Partial adjustment of places towards a wait of ``target_wait`` weeks."""
        if strength <= 0:
            return
        _adjust_places(
            self.places,
            self.places0,
            np.asarray(wait_signal, np.float64),
            np.asarray(occupied, np.float64),
            target_wait,
            lag_weeks,
            cap_ratio,
            strength,
            floor_ratio,
        )


@numba.njit(cache=True, nogil=True)
def _adjust_places(
    places, places0, wait_signal, occupied, target_wait, lag_weeks, cap_ratio, strength, floor_ratio
):
    """:meth:`ProviderPool.adjust_capacity` per provider, in place (the kernels hold the array):
    the wait gap clipped to +-1, a partial step of ``strength / lag_weeks``, then the floor and
    the workforce cap around the starting places, and never below the places in use."""
    tw, lag = max(target_wait, 1.0), max(lag_weeks, 1.0)
    for j in range(places.size):
        gap = min(max((wait_signal[j] - target_wait) / tw, -1.0), 1.0)
        x = places[j] + strength * places[j] * gap / lag
        x = min(max(x, floor_ratio * places0[j]), cap_ratio * places0[j])
        places[j] = max(x, occupied[j])


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> tuple[float, float]:
    """M/M/c: the chance an arrival waits (Erlang C) and the mean queue length Lq.

    Rates per unit time; requires ``arrival_rate < servers * service_rate``.
    """
    if arrival_rate <= 0:
        return 0.0, 0.0
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1:
        raise ValueError("unstable queue: utilisation >= 1")
    # Sum in log space for large c.
    terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(servers)]
    last = servers * math.log(a) - math.lgamma(servers + 1) - math.log(1 - rho)
    mx = max(max(terms), last)
    s = sum(math.exp(t - mx) for t in terms)
    pw = math.exp(last - mx) / (s + math.exp(last - mx))
    lq = pw * rho / (1 - rho)
    return pw, lq


def simulate_mmc_weekly(
    lam: float, mean_service: float, c: int, n_providers: int, burn: int, weeks: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Independent copies of one provider's M/M/c list, run week by week through ``admit``.

    Each provider of one ProviderPool is its own queue (``admit`` keeps providers apart), so one
    vectorised loop gives ``n_providers`` independent replications. Each week: every child in
    care leaves with chance 1/mean_service (geometric stays), Poisson(lam) children join each
    list, ``admit`` fills free places first come first served (no priority). Returns per
    provider the time-average list length (snapshot after admission) and the share of arrivals
    not admitted in the week they arrived.
    """
    rng = np.random.default_rng(seed)
    pool = ProviderPool("mmc", np.full(n_providers, float(c)), expected_wait=0.0)
    p_leave = 1.0 / mean_service
    prov = np.zeros(0, np.int64)
    entry = np.zeros(0, np.int64)
    uid = np.zeros(0, np.int64)
    busy = np.zeros(n_providers, np.int64)
    next_uid = 0
    q_sum = np.zeros(n_providers)
    arrived = np.zeros(n_providers)
    waited = np.zeros(n_providers)
    for w in range(burn + weeks):
        busy -= rng.binomial(busy, p_leave)
        a = rng.poisson(lam, n_providers)
        na = int(a.sum())
        if na:
            prov = np.concatenate([prov, np.repeat(np.arange(n_providers), a)])
            entry = np.concatenate([entry, np.full(na, w)])
            uid = np.concatenate([uid, np.arange(next_uid, next_uid + na)])
            next_uid += na
        free = np.maximum(pool.capacity - busy, 0)
        take = admit(prov, np.zeros(len(prov), np.int8), entry, uid, free)
        admitted = np.bincount(prov[take], minlength=n_providers)
        pool.observe_waits(prov[take], (w - entry[take]).astype(float), 8.0)
        busy += admitted
        if np.any(busy > pool.capacity):  # pragma: no cover - an invariant of admit()
            raise AssertionError("capacity exceeded")
        prov, entry, uid = prov[~take], entry[~take], uid[~take]
        if w >= burn:
            q_sum += np.bincount(prov, minlength=n_providers)
            arrived += a
            waited += np.bincount(prov[entry == w], minlength=n_providers)
    return q_sum / weeks, waited / arrived
