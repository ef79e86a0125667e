"""``torch.linalg`` matrix functions: inv, det, slogdet, solve, cholesky, matrix_power,
multi_dot, cross and vecdot (the norms are in ``norms``).

All work on the last two dimensions and batch over the rest. Their gradients are matrix
expressions built from ``matmul``, ``inv`` and ``solve`` themselves, so they can be differentiated
again (``create_graph=True``). A singular (or, for ``cholesky``, non-positive-definite) matrix
raises ``LinAlgError``, a ``RuntimeError``.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from ..ops._broadcast import broadcast_shape, unbroadcast
from ..ops._inplace import write_out as _out
from ..ops._promote import operands
from ..ops.linalg import matmul, vdot
from ..ops.reduction._dims import cast
from ..ops.reduction.norms import float_check
from ..ops.reduction.return_types import _return_type


class LinAlgError(RuntimeError):
    """A matrix the operation cannot handle (singular for ``inv``/``solve``), as torch's."""


_slogdet_types = {n: _return_type(n, ("sign", "logabsdet")) for n in ("linalg_slogdet", "slogdet")}


# ---- inv / det / solve --------------------------------------------------------------------------
def _square_check(A: Tensor, op: str) -> np.ndarray:
    x = A._data
    if x.ndim < 2:
        raise RuntimeError(f"linalg.{op}: The input tensor A must have at least 2 dimensions.")
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(
            f"linalg.{op}: A must be batches of square matrices, but they are {x.shape[-2]} by "
            f"{x.shape[-1]} matrices"
        )
    return float_check(A, op)


def _zero_pivot(m: np.ndarray) -> int:
    """1-based index of the first zero pivot of an LU factorisation with partial pivoting (the
    position torch's message reports for a singular matrix), or 0 if there is none."""
    m = m.astype(np.float64, copy=True)
    n = m.shape[0]
    for j in range(n):
        p = j + int(np.argmax(np.abs(m[j:, j])))
        if m[p, j] == 0:
            return j + 1
        m[[j, p]] = m[[p, j]]
        m[j + 1:, j:] -= np.outer(m[j + 1:, j] / m[j, j], m[j, j:])
    return 0


def _checked(fn, data, *more):
    """``fn(data, *more)`` (a ``np.linalg`` solver), raising NumPy's ``LinAlgError`` when the
    factorisation fails (a singular or not positive-definite matrix) on either library.

    NumPy always raises. CuPy checks its solver's status only inside
    ``cupyx.errstate(linalg="raise")`` (one device sync); by default it leaves NaN or garbage
    in the result, where torch raises. (The test double of CuPy computes with NumPy, which
    raises, and has no ``errstate``.)"""
    if _array.on_host(data):
        return fn(data, *more)
    errstate = getattr(_array.cuda().xpx, "errstate", None)
    if errstate is None:
        return fn(data, *more)
    with errstate(linalg="raise"):
        return fn(data, *more)


def inv(A: Tensor, *, out=None) -> Tensor:
    """The inverse of each square matrix: ``inv(A) @ A`` is the identity. Singular matrices raise
    ``LinAlgError``; for solving ``A x = b`` prefer ``solve`` (faster and more accurate)."""
    data = _square_check(A, "inv")
    try:
        r = _checked(np.linalg.inv, data)
    except np.linalg.LinAlgError:  # the message's pivot is found on the host (an error path)
        flat = _array.to_host(data).reshape((-1,) + data.shape[-2:])
        for b, m in enumerate(flat):
            k = _zero_pivot(m)
            if k:
                where = f"(Batch element {b}): " if data.ndim > 2 else ""
                raise LinAlgError(
                    f"linalg.inv: {where}The diagonal element {k} is zero, the inversion could not "
                    "be completed because the input matrix is singular."
                ) from None
        raise
    res = _wrap(r.astype(data.dtype, copy=False))
    return _out(attach(res, LinalgInvExBackward0, A), out)


class LinalgInvExBackward0(Node):
    """d(A^-1) = -A^-1 dA A^-1, so dL/dA = -(A^-1)^T G (A^-1)^T."""

    keeps_output = True

    def backward(self, grad):
        inv_t = self.saved_output.transpose(-2, -1)
        return -matmul(matmul(inv_t, grad), inv_t)


def det(A: Tensor, *, out=None) -> Tensor:
    """The determinant of each square matrix: ``(..., n, n)`` → ``(...)``."""
    data = _square_check(A, "det")
    res = _wrap(cast(np.linalg.det(data), data.dtype))
    return _out(attach(res, LinalgDetBackward0, A), out)


class LinalgDetBackward0(Node):
    """d det(A) / dA = det(A) A^-T (Jacobi's formula). For an exactly singular matrix torch
    returns a zero gradient (although the cofactors need not vanish); so does this."""

    keeps_output = True

    def __init__(self, A):
        super().__init__(A)
        self.save(A)

    def backward(self, grad):
        (A,) = self.saved_tensors
        d = self.saved_output
        g = grad.reshape(grad._data.shape + (1, 1))
        if np.all(d._data != 0):
            return g * d.reshape(d._data.shape + (1, 1)) * inv(A).transpose(-2, -1)
        singular = (d._data == 0).reshape(d._data.shape + (1, 1))
        regular = _wrap((~singular).astype(A._data.dtype))
        eye = _array.namespace(A._data).eye(A._data.shape[-1], dtype=A._data.dtype)
        safe = A * regular + _wrap(np.where(singular, eye, 0))  # singular ones → identity
        scale = d.reshape(d._data.shape + (1, 1)) * regular
        return g * scale * inv(safe).transpose(-2, -1)


def solve(A: Tensor, B: Tensor, *, left=True, out=None) -> Tensor:
    """The ``X`` with ``A @ X = B`` (``A`` square, ``(..., n, n)``; ``B`` a vector ``(n,)`` or
    matrices ``(..., n, k)``), without forming ``inv(A)``."""
    if not left:
        raise NotImplementedError("linalg.solve: left=False is not supported; solve A^T instead")
    a = _square_check(A, "solve")
    b = B._data
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b[..., None] if vector else b
    if bm.shape[-2] != a.shape[-1]:
        raise RuntimeError(
            "linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({a.shape[-2]}x{a.shape[-1]} and {bm.shape[-2]}x{bm.shape[-1]})"
        )
    if a.shape[:-2] != bm.shape[:-2] and not _array.on_host(a):
        # CuPy's solve wants equal batch dimensions: NumPy's broadcasts them
        batch = broadcast_shape(a.shape[:-2], bm.shape[:-2])
        a, bm = np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(bm, batch + bm.shape[-2:])
    try:
        x = _checked(np.linalg.solve, a, bm)
    except np.linalg.LinAlgError:
        raise LinAlgError(
            "torch.linalg.solve: The solver failed because the input matrix is singular."
        ) from None
    if vector:
        x = x[..., 0]
    res = _wrap(x.astype(np.result_type(a, b), copy=False))
    return _out(attach(res, LinalgSolveExBackward0, A, B, vector=vector), out)


class LinalgSolveExBackward0(Node):
    """X = A^-1 B: dL/dB = A^-T G (another solve), dL/dA = -dL/dB X^T. ``vector``: B was a
    vector (or a batch of them), not matrices."""

    keeps_output = True

    def __init__(self, A, B, *, vector):
        super().__init__(A, B)
        self.save(A)
        self.vector, self.b_shape = vector, B._data.shape

    def backward(self, grad):
        (A,) = self.saved_tensors
        X = self.saved_output
        ga, gb = self.needs_input_grad
        grad_b = solve(A.transpose(-2, -1), grad)
        grad_a = None
        if ga:
            gbm = grad_b.reshape(grad_b._data.shape + (1,)) if self.vector else grad_b
            xm = X.reshape(X._data.shape + (1,)) if self.vector else X
            grad_a = -matmul(gbm, xm.transpose(-2, -1))
        if gb and grad_b._data.shape != self.b_shape:
            grad_b = unbroadcast(grad_b, self.b_shape)
        return grad_a, grad_b if gb else None


def slogdet(A: Tensor, *, out=None, _name="linalg_slogdet"):
    """``(sign, log|det|)`` of each square matrix: the determinant as ``sign * exp(logabsdet)``
    without overflow for large matrices. Only ``logabsdet`` is differentiable:
    d log|det A| / dA = A^-T."""
    data = _square_check(A, "slogdet")
    sign, logabs = np.linalg.slogdet(data)
    sign_t = _wrap(cast(sign, data.dtype))
    res = attach(_wrap(cast(logabs, data.dtype)), LinalgSlogdetBackward0, A)
    return _slogdet_types[_name](sign_t, res)


class LinalgSlogdetBackward0(Node):
    """d log|det A| / dA = (A^-1)^T."""

    def __init__(self, A):
        super().__init__(A)
        self.save(A)

    def backward(self, grad):
        (A,) = self.saved_tensors
        return grad.reshape(grad._data.shape + (1, 1)) * inv(A).transpose(-2, -1)


def cholesky(A: Tensor, *, upper=False, out=None) -> Tensor:
    """The lower-triangular ``L`` with ``L @ L^T = A`` for a symmetric positive-definite ``A``
    (``upper=True``: the upper ``U = L^T``). Raises ``LinAlgError`` if ``A`` is not
    positive-definite."""
    data = _square_check(A, "cholesky")
    try:
        low = _checked(np.linalg.cholesky, data)
    except np.linalg.LinAlgError:  # the failing minor is found on the host (an error path)
        order = _first_non_pd_order(_array.to_host(data))
        raise LinAlgError(
            f"linalg.cholesky: The factorization could not be completed because the input is not "
            f"positive-definite (the leading minor of order {order} is not positive-definite)."
        ) from None
    res = _wrap(_array.namespace(low).ascontiguousarray(low.swapaxes(-1, -2)) if upper else low)
    return _out(attach(res, LinalgCholeskyExBackward0, A, upper=upper), out)


def _first_non_pd_order(data: np.ndarray) -> int:
    flat = data.reshape((-1,) + data.shape[-2:])
    for m in flat:
        for k in range(1, m.shape[-1] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return k
    return data.shape[-1]


class LinalgCholeskyExBackward0(Node):
    """For ``A = L L^T``: with ``P = Φ(L^T Ḡ)`` (lower triangle, diagonal halved),
    ``dL/dA = sym(L^-T P L^-1)`` where ``sym(X) = (X + X^T) / 2``. ``upper``: the factor
    returned was ``U = L^T``."""

    keeps_output = True

    def __init__(self, A, *, upper):
        super().__init__(A)
        self.upper = upper

    def backward(self, grad):
        L = self.saved_output
        if self.upper:
            L, grad = L.transpose(-2, -1), grad.transpose(-2, -1)
        n = L._data.shape[-1]
        xp = _array.namespace(L._data)
        phi = xp.tril(xp.ones((n, n), dtype=L._data.dtype)) - 0.5 * xp.eye(n, dtype=L._data.dtype)
        P = matmul(L.transpose(-2, -1), grad) * _wrap(phi)
        L_inv = inv(L)
        S = matmul(matmul(L_inv.transpose(-2, -1), P), L_inv)
        return (S + S.transpose(-2, -1)) * 0.5


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """``A @ A @ ... @ A`` (``n`` factors) by repeated squaring; ``n = 0`` gives the identity,
    ``n < 0`` powers of ``inv(A)``."""
    data = A._data
    if data.ndim < 2 or data.shape[-1] != data.shape[-2]:
        raise RuntimeError(
            "linalg.matrix_power: A must be batches of square matrices, but they are "
            f"{data.shape[-2] if data.ndim > 1 else 1} by {data.shape[-1]} matrices"
        )
    if n == 0:
        xp = _array.namespace(data)
        eye = xp.broadcast_to(xp.eye(data.shape[-1], dtype=data.dtype), data.shape).copy()
        return _out(_wrap(eye), out)
    base = inv(A) if n < 0 else A
    n = abs(n)
    if n == 1:
        return _out(base.clone(), out)
    result = None
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return _out(result, out)


def multi_dot(tensors, *, out=None) -> Tensor:
    """``tensors[0] @ tensors[1] @ ...``: the first may be a vector (a row), the last a vector (a
    column), the others matrices."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if (nd != 2 and 0 < i < len(tensors) - 1) or nd not in (1, 2):
            where = "first" if i == 0 else "last" if i == len(tensors) - 1 else f"{i}th"
            raise RuntimeError(
                f"multi_dot(): the {where} tensor must be 1D or 2D but got {nd}D"
                if i in (0, len(tensors) - 1) else
                f"multi_dot(): tensor {i} must be 2D but got {nd}D"
            )
    result = tensors[0]
    for t in tensors[1:]:
        result = matmul(result, t)
    return _out(result.reshape(result._data.shape), out)


def cross(input: Tensor, other: Tensor, *, dim=-1, out=None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (broadcasting the other dimensions):
    ``a × b`` is perpendicular to both, of length ``|a||b| sin θ``."""
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    ad, bd = a.shape[dim] if a.ndim else 0, b.shape[dim] if b.ndim else 0
    if ad != 3 or bd != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {ad} and {bd}"
        )
    x, y = operands(input, other)
    res = _wrap(np.cross(x, y, axis=dim))
    return _out(attach(res, LinalgCrossBackward0, input, other, dim=dim), out)


class LinalgCrossBackward0(Node):
    """``c = a × b``: dL/da = b × ḡ, dL/db = ḡ × a (each summed back to its shape)."""

    def __init__(self, a, b, *, dim):
        super().__init__(a, b)
        self.save(a, b)
        self.dim = dim

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        return (
            unbroadcast(cross(b, grad, dim=self.dim), a._data.shape) if ga else None,
            unbroadcast(cross(grad, a, dim=self.dim), b._data.shape) if gb else None,
        )


def vecdot(x: Tensor, y: Tensor, *, dim=-1, out=None) -> Tensor:
    """Dot products along ``dim``, broadcasting the rest: ``(5, 3)`` with ``(3,)`` → ``(5,)``."""
    a, b = x._data, y._data
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        bad = a if a.dtype.kind not in "fc" else b
        raise RuntimeError(
            "linalg.vecdot: Expected a floating point or complex tensor as input. Got "
            f"{_dtype.scalar_name(bad.dtype)}"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            "linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
            f"{_dtype.scalar_name(a.dtype)} and y of type {_dtype.scalar_name(b.dtype)} instead"
        )
    if a.ndim == 1 and b.ndim == 1 and a.shape == b.shape:
        return vdot(x, y, out=out)
    broadcast_shape(a.shape, b.shape)  # torch's message if they do not broadcast
    return _out((x * y).sum(dim), out)


__all__ = [
    "LinAlgError", "inv", "det", "slogdet", "solve", "cholesky", "matrix_power", "multi_dot",
    "cross", "vecdot",
]
