"""Growable buffers that compiled kernels append to."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.buffers import Rows, push, push_row


@numba.njit
def _push_all(data, n, values):
    for v in values:
        push(data, n, v)


@given(st.lists(st.lists(st.integers(0, 10**6), max_size=50), max_size=20))
def test_rows_keep_every_value_in_order_as_they_grow(batches):
    buf = Rows(size=8)
    for batch in batches:
        values = np.array(batch, dtype=np.int64)
        _push_all(buf.reserve(len(values)), buf.n, values)
    want = [v for b in batches for v in b]
    assert buf.view().tolist() == want
    assert buf.take().tolist() == want
    assert len(buf) == 0 and buf.view().size == 0


def test_rows_of_width_three_from_python_and_kernels():
    buf = Rows(width=3, size=2)
    buf.add(np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
    push_row(buf.reserve(1), buf.n, 10, 11, 12)
    np.testing.assert_array_equal(buf.view()[:, 0], [1, 4, 7, 10])
    assert buf.view().shape == (4, 3)


def test_a_full_buffer_stops_the_kernel_instead_of_writing_past_it():
    buf = Rows(size=2)
    with pytest.raises(IndexError, match="buffer is full"):
        _push_all(buf.data, buf.n, np.arange(3, dtype=np.int64))
    assert buf.view().tolist() == [0, 1]
