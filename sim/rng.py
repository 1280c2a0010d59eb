"""Counter-based random numbers keyed by (run key, unit, week, purpose).

A child's draw for a given purpose in a given week depends only on the run's key, the child's
unique id, the week and the purpose, never on which other children are active. This gives common
random numbers across scenarios (the same child meets the same luck) and identical results on any
executor. The mixer is SplitMix64's finaliser (Steele et al. 2014), compiled with numba.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numba
import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_KW = np.uint64(0xD6E8FEB86659FD93)
_KP = np.uint64(0xA0761D6478BD642F)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / float(1 << 53)


class Purpose(IntEnum):
    """One stream per kind of draw, so adding a draw elsewhere never shifts another."""

    ONSET_TIME = 1
    ONSET_LEVEL = 2
    ESCALATE = 3
    REMIT = 4
    PRESENT = 5
    ROUTE = 6
    NOSHOW = 7
    DETECT = 8
    PERCEIVE = 9
    CHOICE = 10  # + option index (10..19)
    JGZ_CONTACT = 20
    OTHER_PROTECTION = 21
    OTHER_MEDICAL = 22
    REQUEST = 23
    WIJKTEAM_REFER = 24
    PROVIDER = 25
    WITHDRAW = 26
    RESOLVE = 27
    LENGTH = 28
    STEPDOWN = 29
    RESIDENTIAL = 30
    LIFE_THREAT = 31
    BIRTH_FAMILY = 32
    FAMILY_TRAITS = 33  # + trait index (33..39)
    STAFF_CHANGE = 40
    ROTATION = 41
    PW_AVAILABLE = 42
    INIT = 43  # + index (43..59)
    PARAMS = 60
    UNMET_TIME = 61
    UNMET_KIND = 62


SECOND_STREAM = 1 << 32  # the second uniform of a normal draw: far from every Purpose


@numba.njit(cache=True, nogil=True, inline="always")
def _mix(x: np.uint64) -> np.uint64:
    """SplitMix64's finaliser."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    return x ^ (x >> _S31)


@numba.njit(cache=True, nogil=True, inline="always")
def stream_base(key: np.uint64, week: int, purpose: int) -> np.uint64:
    """The mixed run key, week and purpose that every id's draw of that week and purpose starts
    from (for compiled kernels, with :func:`uniform_of`)."""
    return _mix(key ^ (np.uint64(week) * _KW) ^ (np.uint64(purpose) * _KP))


@numba.njit(cache=True, nogil=True, inline="always")
def uniform_of(uid: int, base: np.uint64) -> float:
    """The uniform in [0, 1) of unit ``uid`` from a :func:`stream_base`: SplitMix64's finaliser
    of ``uid * golden ^ base``."""
    return (_mix(np.uint64(uid) * _GOLD ^ base) >> _S11) * _TO_UNIT


@numba.njit(cache=True, nogil=True, inline="always")
def uniform_at(key: np.uint64, uid: int, week: int, purpose: int) -> float:
    """The uniform of unit ``uid`` for this week and purpose (in compiled kernels)."""
    return uniform_of(uid, stream_base(key, week, purpose))


@numba.njit(cache=True, nogil=True)
def _uniform_kernel(ids: np.ndarray, key: np.uint64, week: int, purpose: int) -> np.ndarray:
    """One uniform per id (:func:`uniform_of`) for this week and purpose.

    Compiled because the model draws about 90 times a week, mostly for a handful of children,
    where numpy's per-call overhead (a dozen array operations) cost more than the draws. uint64
    arithmetic wraps modulo 2**64 (for negative weeks by two's complement), so the numbers are
    those of SplitMix64 on Python ints, bit for bit (tests/test_rng.py)."""
    base = stream_base(key, week, purpose)
    out = np.empty(ids.size, np.float64)
    for k in range(ids.size):
        out[k] = uniform_of(ids[k], base)
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def normal_of(uid: int, base1: np.uint64, base2: np.uint64) -> float:
    """A standard normal draw of unit ``uid`` (Box-Muller on the uniforms of two streams)."""
    u1 = uniform_of(uid, base1)
    u2 = uniform_of(uid, base2)
    return math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)


@numba.njit(cache=True, nogil=True, inline="always")
def normal_at(key: np.uint64, uid: int, week: int, purpose: int) -> float:
    """The standard normal draw of unit ``uid`` for this week and purpose (in kernels)."""
    return normal_of(
        uid, stream_base(key, week, purpose), stream_base(key, week, purpose + SECOND_STREAM)
    )


@numba.njit(cache=True, nogil=True)
def _normal_kernel(ids: np.ndarray, key: np.uint64, week: int, purpose: int) -> np.ndarray:
    b1 = stream_base(key, week, purpose)
    b2 = stream_base(key, week, purpose + SECOND_STREAM)
    out = np.empty(ids.size, np.float64)
    for k in range(ids.size):
        out[k] = normal_of(ids[k], b1, b2)
    return out


@numba.njit(cache=True, nogil=True)
def gumbel_of(u: float) -> float:
    """A standard Gumbel draw from uniform ``u`` (the noise of a multinomial logit choice)."""
    return -math.log(-math.log(min(max(u, 1e-300), 1.0 - 1e-16)))


@numba.njit(cache=True, nogil=True)
def _gumbel_kernel(ids: np.ndarray, key: np.uint64, week: int, purpose: int) -> np.ndarray:
    base = stream_base(key, week, purpose)
    out = np.empty(ids.size, np.float64)
    for k in range(ids.size):
        out[k] = gumbel_of(uniform_of(ids[k], base))
    return out


def key_from_seed(seed: int | np.random.SeedSequence) -> int:
    """A 64-bit run key from an integer seed or a SeedSequence."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(int(seed))
    return int(seed.generate_state(1, dtype=np.uint64)[0])


class Streams:
    """Uniform draws in [0, 1) keyed by (key, unit id, week, purpose), vectorised over units."""

    def __init__(self, key: int):
        self.key = np.uint64(key)

    def uniform(self, purpose: int, ids: np.ndarray, week: int) -> np.ndarray:
        """One uniform per id for this week and purpose."""
        ids = np.asarray(ids)
        out = _uniform_kernel(ids.ravel(), self.key, int(week), int(purpose))
        return out if ids.ndim == 1 else out.reshape(ids.shape)

    def normal(self, purpose: int, ids: np.ndarray, week: int) -> np.ndarray:
        """Standard normal draws (Box-Muller on two streams, :func:`normal_of`)."""
        ids = np.asarray(ids)
        out = _normal_kernel(ids.ravel(), self.key, int(week), int(purpose))
        return out if ids.ndim == 1 else out.reshape(ids.shape)

    def gumbel(self, purpose: int, ids: np.ndarray, week: int) -> np.ndarray:
        """Standard Gumbel draws (:func:`gumbel_of`)."""
        return _gumbel_kernel(np.asarray(ids).ravel(), self.key, int(week), int(purpose))

    def exponential(self, purpose: int, ids: np.ndarray, week: int) -> np.ndarray:
        return -np.log1p(-self.uniform(purpose, ids, week))
