"""Growable buffers that compiled kernels append to.

A kernel cannot grow an array, so each buffer hands out its storage with room reserved for the
rows a call may add (``reserve``), and keeps its fill count in a one-element array that the
kernel advances (``n[0]``). Python code reads what was written with ``view`` or ``take``.
"""

from __future__ import annotations

import numba
import numpy as np


class Rows:
    """Rows of ``width`` int64 values (``width=0``: a flat array of int64)."""

    def __init__(self, width: int = 0, size: int = 4096) -> None:
        self.data = np.zeros((size, width) if width else size, dtype=np.int64)
        self.n = np.zeros(1, dtype=np.int64)

    def __len__(self) -> int:
        return int(self.n[0])

    def reserve(self, k: int) -> np.ndarray:
        """The storage, with room for ``k`` more rows."""
        n = int(self.n[0])
        if n + k > len(self.data):
            grown = np.zeros((max(2 * len(self.data), n + k), *self.data.shape[1:]), np.int64)
            grown[:n] = self.data[:n]
            self.data = grown
        return self.data

    def add(self, values: np.ndarray) -> None:
        """Append rows from Python."""
        k = len(values)
        n = int(self.n[0])
        self.reserve(k)[n : n + k] = values
        self.n[0] = n + k

    def view(self) -> np.ndarray:
        return self.data[: int(self.n[0])]

    def take(self) -> np.ndarray:
        """The rows written so far (a copy), emptying the buffer."""
        out = self.view().copy()
        self.n[0] = 0
        return out


@numba.njit(cache=True, nogil=True)
def push(data: np.ndarray, n: np.ndarray, value: int) -> None:
    """Append ``value`` to a flat buffer from a kernel (room reserved by the caller: compiled
    code does not check bounds, so a full buffer stops the run here instead)."""
    if n[0] >= data.shape[0]:
        raise IndexError("a kernel buffer is full: reserve more rows before the call")
    data[n[0]] = value
    n[0] += 1


@numba.njit(cache=True, nogil=True)
def push_row(data: np.ndarray, n: np.ndarray, a: int, b: int, c: int) -> None:
    """Append the row (``a``, ``b``, ``c``) to a buffer of rows from a kernel (see :func:`push`)."""
    if n[0] >= data.shape[0]:
        raise IndexError("a kernel buffer is full: reserve more rows before the call")
    data[n[0], 0] = a
    data[n[0], 1] = b
    data[n[0], 2] = c
    n[0] += 1
