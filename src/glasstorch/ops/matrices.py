"""Matrices made from other tensors: triangles (``tril``, ``triu``, their index lists) and
diagonals (``diag``, ``diagonal``, ``diag_embed``, ``fill_diagonal_``).

``tril(x, k)`` keeps the elements on and below the ``k``-th diagonal of the last two dimensions
(``k > 0`` above the main one, ``k < 0`` below) and zeroes the rest; ``triu`` keeps those on and
above. ``diag`` goes both ways: a vector ``(n,)`` becomes a square matrix with it on diagonal ``k``,
a matrix ``(m, n)`` gives its ``k``-th diagonal as a new vector.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._errors import not_implemented_for
from .._factory import _into_out, _result
from .._tensor import Tensor, _dim, _wrap
from ..autograd.graph import Node, attach
from ..autograd.views import inplace_update, view_of
from . import _inplace


def _triangle(input: Tensor, diagonal: int, lower: bool, op: str, node) -> Tensor:
    """``tril`` (``lower``) or ``triu`` of ``input``, recording ``node`` (it keeps ``diagonal``):
    ``(..., m, n)`` → ``(..., m, n)``."""
    arr = input._data
    if arr.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    rows, cols = arr.shape[-2:]
    xp = _array.namespace(arr)
    keep = xp.tri(rows, cols, diagonal, dtype=bool)  # on and below diagonal `diagonal`
    if not lower:
        keep = ~xp.tri(rows, cols, diagonal - 1, dtype=bool)
    res = _wrap(np.where(keep, arr, xp.zeros((), arr.dtype)))
    return attach(res, node, input, diagonal=diagonal)


def tril(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The lower triangle of the last two dims (shape kept), zeros elsewhere.

    >>> torch.tril(torch.ones(3, 3))
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    return _out(_triangle(input, diagonal, True, "tril", TrilBackward0), out)


class TrilBackward0(Node):
    """Only the kept elements reached the output, so the gradient is the same triangle."""

    def __init__(self, x, *, diagonal):
        super().__init__(x)
        self.diagonal = diagonal

    def backward(self, grad):
        return tril(grad, self.diagonal)


def triu(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The upper triangle of the last two dims (shape kept), zeros elsewhere."""
    return _out(_triangle(input, diagonal, False, "triu", TriuBackward0), out)


class TriuBackward0(TrilBackward0):
    """The upper triangle's gradient: the same upper triangle of the output's."""

    def backward(self, grad):
        return triu(grad, self.diagonal)


def _out(res: Tensor, out):
    """Honour ``out=`` as torch's factories do (the dtypes must match)."""
    return res if out is None else _into_out(res._data, out, "out")


def _inplace_triangle(fn, name):
    def method(self, diagonal: int = 0) -> Tensor:
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
def _diagonal_view(arr: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """A writable view of diagonal ``offset`` of dims ``d1``, ``d2`` of ``arr`` (the other
    dims first, in order, then the diagonal as the last dim), as ``torch.diagonal`` lays it out."""
    rest = [i for i in range(arr.ndim) if i not in (d1, d2)]
    moved = arr.transpose(rest + [d1, d2])
    moved = moved[..., :, offset:] if offset >= 0 else moved[..., -offset:, :]
    n = min(moved.shape[-2], moved.shape[-1])
    st = moved.strides
    shape, strides = moved.shape[:-2] + (n,), st[:-2] + (st[-2] + st[-1],)
    if not _array.on_host(arr):  # CuPy's views are always writable (no flags.writeable)
        return _array.namespace(arr).lib.stride_tricks.as_strided(moved, shape, strides)
    return np.lib.stride_tricks.as_strided(moved, shape, strides, writeable=arr.flags.writeable)


def _diag_dims(ndim: int, dim1: int, dim2: int) -> tuple:
    d1, d2 = _dim(dim1, ndim), _dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A view of the diagonal ``offset`` of the 2-D slices spanned by ``dim1`` and ``dim2``: those
    two dims are removed and the diagonal is appended as the last dim. Writes go to ``input``.

    >>> torch.diagonal(torch.arange(9.).reshape(3, 3), 1)     # tensor([1., 5.])
    """
    d1, d2 = _diag_dims(input._data.ndim, dim1, dim2)
    res = view_of(input, _diagonal_view(input._data, offset, d1, d2))
    return attach(res, DiagonalBackward0, input, offset=offset, d1=d1, d2=d2)


def _embed(values: Tensor, shape: tuple, offset: int, d1: int, d2: int, node) -> Tensor:
    """Zeros of ``shape`` with ``values`` on the diagonal (``offset``, ``d1``, ``d2``)."""
    arr = _array.namespace(values._data).zeros(shape, values._data.dtype)
    _diagonal_view(arr, offset, d1, d2)[...] = values._data
    return attach(_wrap(arr), node, values, offset=offset, d1=d1, d2=d2)


class DiagonalBackward0(Node):
    """The gradient of a diagonal goes back onto that diagonal of a zero tensor."""

    def __init__(self, input, *, offset, d1, d2):
        super().__init__(input)
        self.shape, self.args = input._data.shape, (offset, d1, d2)

    def backward(self, grad):
        return _embed(grad, self.shape, *self.args, DiagonalBackwardBackward0)


class DiagonalBackward0_copy(DiagonalBackward0):  # noqa: N801 (torch's name)
    """``diag(matrix)``: like ``diagonal`` but the result is a copy."""


class DiagonalBackwardBackward0(Node):
    """Backward of placing values on a diagonal: read that diagonal back (a copy)."""

    def __init__(self, values, *, offset, d1, d2):
        super().__init__(values)
        self.args = (offset, d1, d2)

    def backward(self, grad):
        return _take(grad, *self.args, DiagonalBackward0_copy)


class DiagEmbedBackward0(DiagonalBackwardBackward0):
    """``diag_embed``/``diag(vector)``: each value's gradient is read from its diagonal place."""


def _take(input: Tensor, offset: int, d1: int, d2: int, node) -> Tensor:
    """The diagonal as a new tensor (a copy), differentiable through ``node``."""
    res = _wrap(_diagonal_view(input._data, offset, d1, d2).copy())
    return attach(res, node, input, offset=offset, d1=d1, d2=d2)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Put the last dim of ``input`` (size ``n``) on diagonal ``offset`` of new square dims
    ``dim1``, ``dim2`` of size ``n + |offset|``: ``(*, n)`` → ``(*, n + |k|, n + |k|)`` by default.
    """
    nd = input._data.ndim + 1
    d1, d2 = _diag_dims(nd, dim1, dim2)
    *batch, n = input._data.shape
    size = n + abs(offset)
    shape, it = [], iter(batch)
    for i in range(nd):
        shape.append(size if i in (d1, d2) else next(it))
    return _embed(input, tuple(shape), offset, d1, d2, DiagEmbedBackward0)


def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """Vector ``(n,)`` → square matrix ``(n + |k|, n + |k|)`` with the vector on diagonal ``k``;
    matrix ``(m, n)`` → its ``k``-th diagonal as a vector (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        res = diag_embed(input, diagonal, 0, 1)
    elif nd == 2:
        res = _take(input, diagonal, 0, 1, DiagonalBackward0_copy)
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    return _out(res, out)


def fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` on the main diagonal, in place: a 2-D tensor of any shape (``wrap``
    restarts the diagonal below a tall matrix's square part), or one whose dims are all equal."""
    arr = self._data
    if arr.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if arr.ndim > 2 and len(set(arr.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")

    def write():
        np.fill_diagonal(arr, fill_value, wrap=wrap)

    if _inplace.recording(self):  # torch records the write as CopySlices over this node
        return inplace_update(self, write, lambda old: FillDiagonalBackward(old, wrap=wrap),
                              wrap=True)
    write()
    self._vc[0] += 1
    return self


class FillDiagonalBackward(Node):
    """``fill_diagonal_`` inside a graph: the overwritten diagonal gets no gradient, the rest
    passes through. (torch shows it as ``CopySlices``, which wraps this step.)"""

    def __init__(self, old, *, wrap):
        super().__init__(old)
        self.wrap = wrap

    def backward(self, grad):
        mask = _array.namespace(grad._data).ones(grad._data.shape, grad._data.dtype)
        np.fill_diagonal(mask, 0, wrap=self.wrap)
        return grad * _wrap(mask)


def _index_pairs(row: int, col: int, offset: int, lower: bool, op: str, dtype, device) -> Tensor:
    for name, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got{v}")
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    if d.np.kind not in "iu":
        raise not_implemented_for(op, d)
    keep = np.tri(row, col, offset, dtype=bool) if lower else ~np.tri(row, col, offset - 1,
                                                                      dtype=bool)
    # made on the host, then moved to ``device`` (default: the default device), as factories are
    return _result(np.stack(np.nonzero(keep)).astype(d.np).reshape(2, -1), False, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The ``(2, N)`` row and column indices of the lower triangle of a ``row × col`` matrix, in
    row-major order: ``x[tuple(tril_indices(3, 3))]`` lists the lower triangle of ``x``."""
    return _index_pairs(row, col, offset, True, "tril_indices", dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The ``(2, N)`` indices of the upper triangle (on and above diagonal ``offset``)."""
    return _index_pairs(row, col, offset, False, "triu_indices", dtype, device)


Tensor.tril, Tensor.triu, Tensor.tril_, Tensor.triu_, Tensor.diag = tril, triu, tril_, triu_, diag
Tensor.diagonal, Tensor.diag_embed, Tensor.fill_diagonal_ = diagonal, diag_embed, fill_diagonal_

__all__ = ["tril", "triu", "diag", "diagonal", "diag_embed", "tril_indices", "triu_indices"]
