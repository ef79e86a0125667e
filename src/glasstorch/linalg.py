"""``torch.linalg``: norms and singular values here; inverse, determinants, solvers, Cholesky,
matrix powers and products in ``_linalg_solve`` (all exported from this module).

- ``vector_norm(x, ord=2, dim=None)`` treats the elements over ``dim`` as one vector:
  ``(sum |x_i|^ord)^(1/ord)``; ``ord=inf``/``-inf`` is the largest/smallest ``|x_i|``, ``ord=0``
  counts the non-zeros.
- ``matrix_norm(A, ord='fro', dim=(-2, -1))`` treats the two dims as a matrix: 'fro' is the vector
  2-norm of its entries, 'nuc' the sum of singular values, 2/-2 the largest/smallest singular
  value, 1/-1 the largest/smallest column sum of ``|A|``, inf/-inf the same over rows.
- ``norm`` picks one of the two: a vector norm for 1-D input (or one ``dim``), a matrix norm for
  2-D input (or two dims); with neither ``ord`` nor ``dim``, the 2-norm of all elements.

Matrix functions (``inv``, ``det``, ``slogdet``, ``solve``, ``cholesky``, ``matrix_power``,
``svdvals``) work on the last two dimensions and batch over the rest: ``inv`` of ``(5, 3, 3)``
inverts five 3×3 matrices. A singular (or, for ``cholesky``, non-positive-definite) matrix raises
``LinAlgError``, a ``RuntimeError``.
"""

from __future__ import annotations

import math

import numpy as np

from ._dtype import _from_np
from ._tensor import Tensor, _wrap
from .autograd import grad_mode
from .autograd.graph import Node
from .ops._inplace import write_out as _out
from .ops.linalg import matmul
from .ops.reduction import _dtype_word, _expand_back, dims_arg, keep_shape


class LinAlgError(RuntimeError):
    """A matrix the operation cannot handle (singular for ``inv``/``solve``), as torch's."""


def _float_check(A: Tensor, op: str) -> np.ndarray:
    x = A._data
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.{op}: Expected a floating point or complex tensor as input. Got "
            f"{_dtype_word(x.dtype)}"
        )
    return x


def _record(res: Tensor, node: Node) -> Tensor:
    res._rg = True
    res._grad_fn = node
    return res


# ---- vector_norm --------------------------------------------------------------------------------
def vector_norm(
    x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None
) -> Tensor:
    """The ``ord``-norm of the elements over ``dim`` (int or tuple; default all of them).

    ``x`` of shape ``(2, 3)``: ``vector_norm(x)`` is 0-d, ``vector_norm(x, dim=1)`` is ``(2,)``.
    ``dtype=`` computes (and returns) in a wider floating dtype.
    """
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    data = _float_check(x, "vector_norm")
    if dtype is not None:
        from ._dtype import to_dtype

        dt = to_dtype(dtype)
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError(
                f"linalg.vector_norm: dtype should be floating point or complex, but got "
                f"{_dtype_word(dt.np)}"
            )
        if np.promote_types(data.dtype, dt.np) != dt.np:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({_dtype_word(data.dtype)}) should "
                f"be convertible without narrowing to the specified dtype ({_dtype_word(dt.np)})"
            )
        data = data.astype(dt.np)
    dims = dims_arg(dim, data.ndim)
    ord = float(ord)
    if ord < 0 or math.isinf(ord):
        _identity_check(data, dims, ord)
    a = np.abs(data)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if ord == 2:
            r = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
        elif ord == 1:
            r = np.sum(a, axis=dims, keepdims=keepdim)
        elif ord == math.inf:
            r = np.amax(a, axis=dims, keepdims=keepdim)
        elif ord == -math.inf:
            r = np.amin(a, axis=dims, keepdims=keepdim)
        elif ord == 0:
            r = np.sum(a != 0, axis=dims, keepdims=keepdim)
        else:
            r = np.sum(a**ord, axis=dims, keepdims=keepdim) ** (1.0 / ord)
    res = _wrap(np.asarray(r, dtype=data.real.dtype))  # a norm is real, even of complex
    if x._rg and grad_mode.state.enabled:
        node = LinalgVectorNormBackward0(x).save(x).save_output(res)
        node.ord, node.dims, node.keepdim, node.dtype = ord, dims, keepdim, data.dtype
        _record(res, node)
    return _out(res, out)


def _identity_check(data, dims, ord):
    """max/min (and negative powers) have no value for an empty reduction: torch refuses."""
    name = "inf" if ord == math.inf else "-inf" if ord == -math.inf else f"{ord:g}"
    if dims is None:
        if data.size == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        return
    for d in dims:
        if data.shape[d] == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}because "
                "this dimension is empty and the operation does not have an identity"
            )


class LinalgVectorNormBackward0(Node):
    """d||x||_p / dx_i = sign(x_i) |x_i|^(p-1) / ||x||^(p-1). For p = 2 that is ``x / norm``;
    p = 1 gives ``sign(x)``; p = ±inf sends ``sign(x)`` to the elements at the extreme (shared
    between ties). Zero elements and zero norms get zero gradient, as in torch."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        if self.ord == 0:  # piecewise constant: torch leaves the gradient undefined (None)
            return None
        in_dtype = x._data.dtype
        if in_dtype != self.dtype:  # computed in a wider dtype= : differentiate there
            x = x.to(_from_np[self.dtype])
        shape = x._data.shape
        g = _expand_back(grad, shape, self.dims, self.keepdim)
        norm = _expand_back(self.saved_output, shape, self.dims, self.keepdim)
        out = norm_grad(x, g, norm, self.ord, self.dims)
        return out if out._data.dtype == in_dtype else out.to(_from_np[in_dtype])


def norm_grad(x: Tensor, g: Tensor, norm: Tensor, p: float, dims) -> Tensor:
    """The gradient of ``||x||_p`` (reduced over ``dims``) given the output gradient ``g`` and
    the norm, both already broadcast to ``x``'s shape. Written with tensor ops (differentiable)
    except for the piecewise-constant factors (signs, masks), which are constants."""
    data = x._data
    sign = np.sign(data)
    if p == 1:
        return g * _wrap(sign)
    if math.isinf(p):
        hit = (np.abs(data) == norm._data).astype(data.dtype)
        hit /= np.sum(hit, axis=dims, keepdims=True)
        return g * _wrap(sign * hit)
    zero_norm = norm._data == 0
    safe_norm = norm + _wrap(zero_norm.astype(data.dtype))
    keep = _wrap((~zero_norm).astype(data.dtype))
    if p == 2:
        return g * x / safe_norm * keep
    nonzero = data != 0
    safe_abs = x * _wrap(np.where(nonzero, sign, 0)) + _wrap((~nonzero).astype(data.dtype))
    term = x * safe_abs ** (p - 2) * _wrap(nonzero.astype(data.dtype))
    return g * term / safe_norm ** (p - 1) * keep


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
    _float_check(A, "matrix_norm")
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
    data = _float_check(A, "svd")
    u, s, vh = np.linalg.svd(data, full_matrices=False)
    res = _wrap(s.astype(data.dtype, copy=False))
    if A._rg and grad_mode.state.enabled:
        node = LinalgSvdBackward0(A)
        node.u, node.vh = u.astype(data.dtype, copy=False), vh.astype(data.dtype, copy=False)
        _record(res, node)
    return _out(res, out)


class LinalgSvdBackward0(Node):
    """d sigma_i / dA = u_i v_i^T, so dA = U diag(g) V^T (first order: U and V are constants)."""

    def backward(self, grad):
        k = grad._data.shape[-1]
        scaled_u = _wrap(self.u) * grad.reshape(grad._data.shape[:-1] + (1, k))
        return matmul(scaled_u, _wrap(self.vh))


from ._linalg_solve import (  # noqa: E402  (matrix functions: inverse, determinants, solvers)
    cholesky,
    cross,
    det,
    inv,
    matrix_power,
    multi_dot,
    slogdet,
    solve,
    vecdot,
)

__all__ = [
    "LinAlgError", "vector_norm", "matrix_norm", "norm", "svdvals", "inv", "det", "slogdet",
    "solve", "cholesky", "matrix_power", "multi_dot", "cross", "vecdot", "matmul",
]
