"""Norms and singular values of ``torch.linalg``.

- ``vector_norm(x, ord=2, dim=None)`` treats the elements over ``dim`` as one vector:
  ``(sum |x_i|^ord)^(1/ord)``. It is a reduction, so it lives with them
  (``ops/reduction/norms.py``); the matrix norms here build on it.
- ``matrix_norm(A, ord='fro', dim=(-2, -1))`` treats the two dims as a matrix: 'fro' is the vector
  2-norm of its entries, 'nuc' the sum of singular values, 2/-2 the largest/smallest singular
  value, 1/-1 the largest/smallest column sum of ``|A|``, inf/-inf the same over rows.
- ``norm`` picks one of the two: a vector norm for 1-D input (or one ``dim``), a matrix norm for
  2-D input (or two dims); with neither ``ord`` nor ``dim``, the 2-norm of all elements.
- ``svdvals(A)``: the singular values of each matrix of a batch ``(..., m, n)`` → ``(..., k)``.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from ..ops._inplace import write_out as _out
from ..ops.linalg import matmul
from ..ops.reduction._dims import dims_arg, keep_shape
from ..ops.reduction.norms import float_check, vector_norm


# ---- matrix_norm --------------------------------------------------------------------------------
def matrix_norm(
    A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None, out=None
) -> Tensor:
    """The ``ord``-norm of the matrices in the two dimensions ``dim`` (see the module docstring).

    ``A`` of shape ``(b, m, n)`` gives ``(b,)`` (``(b, 1, 1)`` with ``keepdim``).
    """
    if A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        n = 1 if isinstance(dim, int) else len(dim)
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {n}")
    float_check(A, "matrix_norm")
    d0, d1 = dims_arg(dim[0], A._data.ndim)[0], dims_arg(dim[1], A._data.ndim)[0]
    if ord == "fro":
        return _out(vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype), out)
    if dtype is not None:
        A = A.to(dtype)
    if ord == "nuc" or ord in (2, -2):
        perm = [i for i in range(A._data.ndim) if i not in (d0, d1)] + [d0, d1]
        s = svdvals(A.permute(*perm) if perm != list(range(A._data.ndim)) else A)
        if ord == "nuc":
            r = s.sum(-1)
        else:
            r = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            r = r.reshape(keep_shape(A._data.shape, (d0, d1)))
        return _out(r, out)
    if ord in (1, -1, math.inf, -math.inf):
        sums_over, pick_over = (d0, d1) if ord in (1, -1) else (d1, d0)
        absA = A * _wrap(np.sign(A._data))
        sums = absA.sum(sums_over, keepdim=keepdim)
        if not keepdim and sums_over < pick_over:
            pick_over -= 1
        r = sums.amax(pick_over, keepdim) if ord > 0 else sums.amin(pick_over, keepdim)
        return _out(r, out)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """A vector or matrix norm, chosen from ``ord`` and ``dim`` (see the module docstring)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    nd = A._data.ndim
    if nd == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    if nd == 2 or (nd == 1 and isinstance(ord, str)):
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    raise RuntimeError(
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
        f"{nd}D."
    )


# ---- svdvals ------------------------------------------------------------------------------------
def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """The singular values of each matrix, in descending order: ``(..., m, n)`` → ``(..., k)``
    with ``k = min(m, n)``."""
    data = float_check(A, "svd")
    u, s, vh = np.linalg.svd(data, full_matrices=False)
    res = _wrap(s.astype(data.dtype, copy=False))
    u, vh = u.astype(data.dtype, copy=False), vh.astype(data.dtype, copy=False)
    return _out(attach(res, LinalgSvdBackward0, A, u, vh), out)


class LinalgSvdBackward0(Node):
    """d sigma_i / dA = u_i v_i^T, so dA = U diag(g) V^T (first order: the singular vectors
    ``U``, ``V^T``, kept as arrays, are constants)."""

    def __init__(self, A, u, vh):
        super().__init__(A)
        self.save(u, vh)

    def backward(self, grad):
        u, vh = self.saved_tensors
        k = grad._data.shape[-1]
        scaled_u = _wrap(u) * grad.reshape(grad._data.shape[:-1] + (1, k))
        return matmul(scaled_u, _wrap(vh))


__all__ = ["vector_norm", "matrix_norm", "norm", "svdvals"]
