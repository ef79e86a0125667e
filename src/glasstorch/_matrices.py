"""Matrices made from other tensors: triangles (``tril``, ``triu``) and diagonals (``diag``).

``tril(x, k)`` keeps the elements on and below the ``k``-th diagonal of the last two dimensions
(``k > 0`` above the main one, ``k < 0`` below) and zeroes the rest; ``triu`` keeps those on and
above. ``diag`` goes both ways: a vector ``(n,)`` becomes a square matrix with it on diagonal ``k``,
a matrix ``(m, n)`` gives its ``k``-th diagonal as a new vector.
"""

from __future__ import annotations

import numpy as np

from ._tensor import Tensor, _wrap
from .autograd import grad_mode
from .autograd.graph import Node


def _triangle(input: Tensor, diagonal: int, lower: bool, op: str) -> np.ndarray:
    arr = input._data
    if arr.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    rows, cols = arr.shape[-2:]
    keep = np.tri(rows, cols, diagonal, dtype=bool)  # on and below diagonal `diagonal`
    if not lower:
        keep = ~np.tri(rows, cols, diagonal - 1, dtype=bool)
    return np.where(keep, arr, np.zeros((), arr.dtype))


def tril(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The lower triangle of the last two dims (shape kept), zeros elsewhere.

    >>> torch.tril(torch.ones(3, 3))
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    res = _wrap(_triangle(input, diagonal, True, "tril"))
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = TrilBackward0(input)
        res._grad_fn.diagonal = diagonal
    return _out(res, out)


class TrilBackward0(Node):
    """Only the kept elements reached the output, so the gradient is the same triangle."""

    diagonal = 0

    def backward(self, grad):
        return tril(grad, self.diagonal)


def triu(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The upper triangle of the last two dims (shape kept), zeros elsewhere."""
    res = _wrap(_triangle(input, diagonal, False, "triu"))
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = TriuBackward0(input)
        res._grad_fn.diagonal = diagonal
    return _out(res, out)


class TriuBackward0(Node):
    diagonal = 0

    def backward(self, grad):
        return triu(grad, self.diagonal)


def _out(res: Tensor, out):
    if out is None:
        return res
    from ._creation import _into_out

    return _into_out(res._data, out, "out")


def _inplace_triangle(fn, name):
    def method(self, diagonal: int = 0) -> Tensor:
        from .ops import _inplace

        if _inplace.recording(self):
            return _inplace.commit(self, fn(_inplace.old_value(self), diagonal), name)
        _inplace.write(self, fn(self, diagonal)._data, name)
        return self

    method.__name__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: zero the other triangle of this tensor."
    return method


tril_ = _inplace_triangle(tril, "tril_")
triu_ = _inplace_triangle(triu, "triu_")


# ---- diagonals --------------------------------------------------------------------------------
def _diag_index(shape: tuple, k: int):
    """Row and column indices of diagonal ``k`` of a matrix of ``shape``."""
    rows, cols = shape
    n = max(0, min(rows, cols - k) if k >= 0 else min(rows + k, cols))
    i = np.arange(n)
    return (i, i + k) if k >= 0 else (i - k, i)


def _take_diagonal(m: Tensor, k: int) -> Tensor:
    """The ``k``-th diagonal of matrix ``m`` as a new vector (differentiable)."""
    res = _wrap(m._data[_diag_index(m._data.shape, k)])
    if m._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = DiagonalBackward0_copy(m, k)
    return res


def _place_diagonal(v: Tensor, shape: tuple, k: int, node) -> Tensor:
    """A zero matrix of ``shape`` with vector ``v`` on diagonal ``k`` (differentiable)."""
    arr = np.zeros(shape, v._data.dtype)
    arr[_diag_index(shape, k)] = v._data
    res = _wrap(arr)
    if v._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = node(v, k)
    return res


class DiagonalBackward0_copy(Node):  # noqa: N801 (torch's name)
    """``diag(matrix)``: the gradient goes back onto the diagonal it was read from."""

    def __init__(self, m, k):
        super().__init__(m)
        self.shape, self.k = m._data.shape, k

    def backward(self, grad):
        return _place_diagonal(grad, self.shape, self.k, DiagonalBackwardBackward0)


class DiagonalBackwardBackward0(Node):
    """Backward of ``DiagonalBackward0_copy`` (for higher-order gradients): read the diagonal."""

    def __init__(self, v, k):
        super().__init__(v)
        self.k = k

    def backward(self, grad):
        return _take_diagonal(grad, self.k)


class DiagEmbedBackward0(DiagonalBackwardBackward0):
    """``diag(vector)``: each element's gradient is read back from its place on the diagonal."""


def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """Vector ``(n,)`` → square matrix ``(n + |k|, n + |k|)`` with the vector on diagonal ``k``;
    matrix ``(m, n)`` → its ``k``-th diagonal as a vector (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        size = input._data.shape[0] + abs(diagonal)
        res = _place_diagonal(input, (size, size), diagonal, DiagEmbedBackward0)
    elif nd == 2:
        res = _take_diagonal(input, diagonal)
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    return _out(res, out)


Tensor.tril, Tensor.triu, Tensor.tril_, Tensor.triu_, Tensor.diag = tril, triu, tril_, triu_, diag

__all__ = ["tril", "triu", "diag"]
