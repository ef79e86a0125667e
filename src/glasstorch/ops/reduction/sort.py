"""Sorting along a dimension: sort, argsort, msort, topk and kthvalue; and searching a sorted
sequence: searchsorted and bucketize.

``x.sort(dim)`` returns the named tuple ``(values, indices)``: ``values`` is ``x`` ordered along
``dim`` and ``indices`` says where each value came from, so ``x.gather(dim, indices)`` is
``values``. Equal values keep their original order (a stable sort, as torch's CPU sort); NaN sorts
after every number (before them when ``descending``).

``topk(k)`` keeps the first ``k`` of the descending order (``largest=False``: of the ascending
one), ``kthvalue(k)`` the k-th smallest (k counts from 1).

The gradient of each of these flows back to the positions the values came from:
``zeros_like(x).scatter(dim, indices, grad)``.
"""

from __future__ import annotations

import numpy as np

from ... import _array, _dtype
from ..._tensor import Tensor, _dim, _wrap
from ...autograd.graph import Node, attach
from .._inplace import write_out as _write_out
from .return_types import _return_type

_types = {
    "sort": _return_type("sort", ("values", "indices")),
    "topk": _return_type("topk", ("values", "indices")),
    "kthvalue": _return_type("kthvalue", ("values", "indices")),
}


def _order(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``axis``; descending keeps equal values in their original order."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    # sort the reversed array ascending (stable), then read it backwards: ties stay in order
    flipped = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return n - 1 - np.flip(flipped, axis)


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable=None, **kwargs):
    """``(values, indices)`` of ``input`` sorted along ``dim`` (see the module docstring).

    ``x`` of shape ``(2, 4)``: ``x.sort()`` sorts each row; both results are ``(2, 4)``.
    """
    if "axis" in kwargs:
        dim = kwargs.pop("axis")
    if kwargs:
        raise TypeError(f"sort() got an unexpected keyword argument '{next(iter(kwargs))}'")
    x = input._data
    d = _dim(int(dim), x.ndim)
    if x.ndim == 0:
        values, idx = x.copy(), _array.like(x, np.zeros((), np.int64))
    else:
        idx = _order(x, d, descending).astype(np.int64, copy=False)
        values = np.take_along_axis(x, idx, axis=d)
    res = _wrap(values)
    attach(res, SortBackward0 if stable is None else SortBackward1, input, idx, dim=d)
    return _types["sort"](res, _wrap(idx))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """The indices that sort ``input`` along ``dim`` (the ``indices`` of ``sort``), as int64."""
    x = input._data
    d = _dim(int(dim), x.ndim)
    if x.ndim == 0:
        return _wrap(_array.like(x, np.zeros((), np.int64)))
    return _wrap(_order(x, d, descending).astype(np.int64, copy=False))


def msort(input: Tensor) -> Tensor:
    """``input`` sorted along its first dimension (the values of ``sort(input, dim=0)``)."""
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (``largest=False``: smallest) values along ``dim`` and their indices,
    in order. ``x`` of shape ``(2, 5)``: ``x.topk(3)`` gives two ``(2, 3)`` tensors. Among equal
    values the earlier index comes first (torch's own choice among ties is unspecified)."""
    x = input._data
    d = _dim(int(dim), x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.ndim == 0:
        values, idx = x.copy(), _array.like(x, np.zeros((), np.int64))
    else:
        first = _array.like(x, np.arange(k))
        idx = np.take(_order(x, d, largest), first, axis=d).astype(np.int64, copy=False)
        values = np.take_along_axis(x, idx, axis=d)
    res = _wrap(values)
    attach(res, TopkBackward0, input, idx, dim=d)
    return _types["topk"](res, _wrap(idx))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest value along ``dim`` (``k`` from 1) and its index, as the named
    tuple ``(values, indices)``; ``keepdim`` keeps ``dim`` as size 1. Among equal values the
    index is the first in order (torch's own choice among ties is unspecified)."""
    x = input._data
    d = _dim(int(dim), x.ndim)
    n = x.shape[d] if x.ndim else 1
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(
            f"kthvalue(): selected number k out of range for dimension {d}"
        )
    if x.ndim == 0:
        values, idx = x.copy(), _array.like(x, np.zeros((), np.int64))
    else:
        kth = [k - 1] if _array.on_host(x) else _array.like(x, np.array([k - 1]))
        idx = np.take(_order(x, d, False), kth, axis=d).astype(np.int64, copy=False)
        values = np.take_along_axis(x, idx, axis=d)
        if not keepdim:
            idx, values = idx.squeeze(d), values.squeeze(d)
    res = _wrap(values)
    squeezed = not keepdim and x.ndim > 0
    kept = np.expand_dims(idx, d) if squeezed else idx
    attach(res, KthvalueBackward0, input, kept, dim=d, squeezed=squeezed)
    return _types["kthvalue"](res, _wrap(idx))


class _ScatterBackward(Node):
    """The gradient of a selection: each output's gradient goes back to where it came from,
    ``zeros.scatter(dim, indices, grad)`` (``indices`` along ``dim``, an array, not a tensor;
    ``squeezed``: the output dropped ``dim``, which the gradient gets back first)."""

    def __init__(self, x, indices, *, dim, squeezed=False):
        super().__init__(x)
        self.save(indices)
        self.shape, self.dim, self.squeezed = x._data.shape, dim, squeezed

    def backward(self, grad):
        if not self.shape:
            return grad
        (indices,) = self.saved_tensors
        if self.squeezed:
            grad = grad.reshape(indices.shape)
        zeros = _wrap(_array.namespace(indices).zeros(self.shape, dtype=grad._data.dtype))
        return zeros.scatter(self.dim, _wrap(indices), grad)


class SortBackward0(_ScatterBackward):
    pass


class SortBackward1(_ScatterBackward):
    """``sort`` called with ``stable=``: torch records the other overload's node."""


class TopkBackward0(_ScatterBackward):
    pass


class KthvalueBackward0(_ScatterBackward):
    pass


# ---- searchsorted / bucketize -----------------------------------------------------------------
def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False,
                 side=None, sorter=None, out=None) -> Tensor:
    """Where each value of ``input`` would go in ``sorted_sequence`` to keep it sorted: the
    index of the first element ``>=`` the value (``right=True`` or ``side="right"``: ``>``).
    ``[1, 3, 5, 7]`` and ``[3, 6]`` → ``[1, 3]``. A sequence of several dimensions is a batch of
    sorted rows, its leading dimensions matching ``input``'s; ``sorter`` gives the order that
    sorts an unsorted sequence (as ``argsort``). ``input`` may be a number (a 0-d result).
    int64 indices, or int32 with ``out_int32``. Not differentiable."""
    seq = sorted_sequence._data
    vals = input._data if isinstance(input, Tensor) else _array.like(seq, np.asarray(input))
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of "
                "left while right was True")
        right = side == "right"
    if seq.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
            "dimension")
    if seq.ndim > 1 and seq.shape[:-1] != vals.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
    order = None
    if sorter is not None:
        order = sorter._data
        if order.dtype != np.int64:
            raise RuntimeError(
                "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                f"{_dtype.scalar_name(order.dtype)}")
        if order.shape != seq.shape:
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(seq.shape)}and got sorter tensor {list(order.shape)}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
    if seq.dtype == np.bool_:
        raise NotImplementedError('"searchsorted_out_cpu" not implemented for \'Bool\'')
    pos = _binary_search(seq, vals, right, order)
    res = _wrap(pos.astype(np.int32 if out_int32 else np.int64))
    return _write_out(res, out)


def _binary_search(seq: np.ndarray, vals: np.ndarray, right: bool, order) -> np.ndarray:
    """For each value, the bisection torch runs: halve ``[lo, hi)`` until empty, moving right
    while ``seq[mid] < v`` (``<=`` for ``right``), as a negated ``>=`` / ``>`` so that NaN
    (which compares false) moves right too. All values step together, one step per halving."""
    n = seq.shape[-1]
    xp = _array.namespace(seq)
    if n == 0 or vals.size == 0:  # nothing to search (every value goes at 0), or no values
        return xp.zeros(vals.shape, np.int64)
    rows = seq.reshape(-1, n)
    row = (xp.zeros(vals.shape, np.int64) if seq.ndim == 1 else
           xp.broadcast_to(xp.arange(rows.shape[0]).reshape(seq.shape[:-1] + (1,)), vals.shape))
    ranks = None if order is None else order.reshape(-1, n)
    lo = xp.zeros(vals.shape, np.int64)
    hi = xp.full(vals.shape, n, np.int64)
    with np.errstate(invalid="ignore"):
        while True:
            active = lo < hi
            if not active.any():
                return lo
            mid = lo + (hi - lo) // 2
            at = np.minimum(mid, n - 1)
            b = rows[row, at] if ranks is None else rows[row, ranks[row, at]]
            go_right = ~(b > vals) if right else ~(b >= vals)
            lo = np.where(active & go_right, mid + 1, lo)
            hi = np.where(active & ~go_right, mid, hi)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False,
              out=None) -> Tensor:
    """The bucket of each value of ``input`` between 1-D sorted ``boundaries``: the index ``i``
    with ``boundaries[i-1] < v <= boundaries[i]`` (``right=True``: ``<= v <``), that is
    ``searchsorted(boundaries, input)``. ``[3, 6, 9, 0]`` in ``[1, 3, 5, 7]`` → ``[1, 3, 4, 0]``."""
    b = boundaries._data
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


Tensor.sort, Tensor.argsort, Tensor.msort, Tensor.topk = sort, argsort, msort, topk
Tensor.kthvalue = kthvalue

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "searchsorted", "bucketize"]
