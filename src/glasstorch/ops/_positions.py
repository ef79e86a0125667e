"""Writing values at positions of an array: what the backward of every indexing op needs.

Reading ``x[key]`` (a view, ``gather``, ``index_select``, ``masked_select``...) has a backward
that *writes*: the gradient goes back to the positions that were read, zeros elsewhere.

- ``put_into_zeros(grad, shape, key)``: a basic key (ints, slices) reads each position at most
  once, so a plain assignment does it.
- ``accumulate_into_zeros(grad, shape, steps)``: an advanced key may read a position twice
  (``x[[0, 0]]``); both gradients must add up there (``add_at_positions``).

Both record ``_PutBackward`` (read the key again) so that a gradient of a gradient works. The
op files (``shape``, ``indexing``, ``join``, ``gather``, ``masking``) import from here; this file
imports none of them.
"""

from __future__ import annotations

import numpy as np

from .. import _array
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach


def is_array(k) -> bool:
    """Whether ``k`` (a part of a key) is an index array, on the host or on a GPU."""
    return isinstance(k, np.ndarray) or bool(
        _array.DEVICE_TYPES and isinstance(k, _array.DEVICE_TYPES))


def put_into_zeros(grad: Tensor, shape: tuple, key: tuple) -> Tensor:
    """Zeros of ``shape`` with ``grad`` written at the basic ``key`` (differentiable).

    ``grad`` of shape ``(3,)``, ``shape=(2, 3)``, ``key=(1,)``: ``[[0, 0, 0], grad]``.
    """
    g = grad._data
    out = _array.namespace(g).zeros(shape, g.dtype)
    out[key] = g
    return attach(_wrap(out), _PutBackward, grad, steps=[key])


def accumulate_into_zeros(grad: Tensor, shape: tuple, steps: list) -> Tensor:
    """Zeros of ``shape`` with ``grad`` *added* at the advanced key ``steps`` (repeats sum up).

    ``grad = [1., 2.]``, ``shape=(3,)``, ``steps=[(array([0, 0]),)]``: ``[3., 0., 0.]``.
    """
    g = grad._data
    res = _wrap(add_at_positions(_array.namespace(g).zeros(shape, g.dtype), steps, g))
    return attach(res, _PutBackward, grad, steps=steps)


class _PutBackward(Node):
    """Backward of the put-into-zeros step of a backward (for double backward): index again."""

    def __init__(self, grad, *, steps):
        super().__init__(grad)
        self.save(steps)  # the keys may hold index arrays

    def backward(self, grad):
        (steps,) = self.saved_tensors
        for k in steps:
            grad = grad[k]
        return grad


def add_at_positions(out: np.ndarray, steps: list, vals: np.ndarray) -> np.ndarray:
    """``out[steps] += vals`` where repeated positions add up (NumPy's fancy ``+=`` would keep
    only one). Sorting the positions and summing runs with ``np.add.reduceat`` does it without
    ``np.add.at``; unique positions (the usual case) take a single fancy ``+=``. ``out``, the index
    arrays of ``steps`` and ``vals`` are on one device."""
    if out.size == 0 or vals.size == 0:
        return out
    xp = _array.namespace(out)
    if not out.flags.c_contiguous:  # (reshaping it below would copy: work on a copy, write back)
        work = xp.ascontiguousarray(out)
        out[...] = add_at_positions(work, steps, vals)
        return out
    key = steps[0]
    if len(steps) == 1 and all(is_array(k) and k.dtype.kind in "iu" for k in key):
        lead = out.shape[:len(key)]  # x[i, j] picks whole rows of the remaining dimensions
        idx = [np.where(a < 0, a + n, a) if a.size and a.min() < 0 else a
               for a, n in zip(np.broadcast_arrays(*key), lead)]
        if not idx[0].size:  # no position at all (empty index tensors)
            return out
        for a, n in zip(idx, lead):
            if a.size and (a.min() < 0 or a.max() >= n):  # out of range: NumPy's own IndexError
                out[key]  # noqa: B018 - (indexing raises it, with the index and dimension)
        rows = xp.ravel_multi_index(idx, lead)
        table = out.reshape(int(np.prod(lead)), -1)
        vals = xp.broadcast_to(vals, rows.shape + out.shape[len(key):])
        add_rows(table, rows.ravel(), vals.reshape(rows.size, -1))
        return out
    pos = xp.arange(out.size).reshape(out.shape)
    for k in steps:
        pos = pos[k]
    add_rows(out.reshape(-1, 1), pos.ravel(), xp.broadcast_to(vals, pos.shape).reshape(-1, 1))
    return out


def add_rows(table: np.ndarray, rows: np.ndarray, vals: np.ndarray, ufunc=np.add) -> None:
    """``table[rows[i]] (ufunc)= vals[i]`` for every i, repeats included (see add_at_positions)."""
    if rows.size > 1:
        srt = np.sort(rows)
        if (srt[1:] == srt[:-1]).any():
            if ufunc is not np.add and not _array.on_host(table):
                # CuPy has ``reduceat`` for add only: multiply the repeats in on the host
                host = _array.to_host(table)
                add_rows(host, _array.to_host(rows), _array.to_host(vals), ufunc)
                table[...] = _array.like(table, host)
                return
            order = np.argsort(rows, kind="stable")
            r = rows[order]
            xp = _array.namespace(r)
            starts = xp.flatnonzero(xp.concatenate((xp.ones(1, bool), r[1:] != r[:-1])))
            r = r[starts]
            table[r] = ufunc(table[r], ufunc.reduceat(vals[order], starts, axis=0))
            return
    table[rows] = ufunc(table[rows], vals)
