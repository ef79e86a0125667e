"""Matrix products: matmul (``@``), mm, bmm, mv, dot, vdot, outer, addmm (tensordot, einsum and
trace are in ``linalg_contract``; ``torch.linalg`` and ``torch.norm``/``det``/... in the
``glasstorch.linalg`` package, which builds on these).

NumPy's ``np.matmul`` does the arithmetic (BLAS for float32/float64). The gradients of a product
are products too: for ``C = A @ B`` with ``G = dL/dC``,

    dL/dA = G @ B^T        dL/dB = A^T @ G

(for a batch, the same per matrix, then summed over the dimensions broadcasting added). Transposes
are views, so no data is copied before BLAS runs.

``matmul`` dispatches on the dimensions as torch does: 1-D·1-D is a dot product (0-d result);
2-D·2-D a matrix product; a 1-D left operand acts as a row ``(1, k)`` and a 1-D right operand as a
column ``(k, 1)``, the added dimension being dropped from the result; anything higher is a batch of
matrices whose leading dimensions broadcast: ``(2, 1, 3, 4) @ (5, 4, 2)`` is ``(2, 5, 3, 2)``.

Only the 2-D, matrix-vector and dot products are single nodes. The other forms are composed of
those and of shape ops, as torch composes them, and its graph shows the same steps:
``(b, n, k) @ (k, m)`` folds the batch into the rows (``reshape`` to ``(b*n, k)``, one ``mm``,
then ``_unsafe_view`` back to ``(b, n, m)``); ``(k,) @ (k, m)`` is ``unsqueeze(0)``, ``mm``, then
an in-place ``squeeze_(0)``; a batch against a batch is ``expand``, ``reshape`` and ``bmm``.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype, _parallel
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, attach
from ._broadcast import broadcast_shape, unbroadcast
from ._inplace import inplace_of
from ._inplace import write_out as _out
from ._promote import same_device
from .shape import SqueezeBackward4, UnsafeViewBackward0


def _word(x: np.ndarray) -> str:
    """torch's word for an array's dtype in messages: "Float"."""
    return _dtype.scalar_name(x.dtype)


def _dims(a: np.ndarray) -> str:
    return "x".join(str(n) for n in a.shape)


def _no_bool(a: np.ndarray, kernel: str) -> None:
    if a.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _mT(t: Tensor) -> Tensor:
    """The last two dimensions swapped (a view)."""
    return t.transpose(-2, -1)


def _grad_like(grad: Tensor, t: Tensor) -> Tensor:
    """The incoming gradient in the dtype of the product ``t`` took part in. A float64 consumer
    downstream (``(A @ x) * y64``) hands a float32 product a float64 gradient; torch's engine
    casts it back to the product's dtype before the product's backward runs, and so do we here,
    so that the gradient's products see operands of one dtype."""
    return grad if grad._data.dtype == t._data.dtype else grad.to(t.dtype)


# ---- matmul -----------------------------------------------------------------------------------
def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with torch's dispatch on dimensions (see the module docstring).

    ``(n, k) @ (k, m)`` → ``(n, m)``; ``(k,) @ (k,)`` → 0-d; ``(b, n, k) @ (k, m)`` → ``(b, n, m)``.
    Both operands must have the same dtype (no promotion, as torch).
    """
    a, b = input._data, other._data
    if type(a) is not type(b):  # a CPU and a GPU operand: torch's error (or two NumPy kinds)
        a, b = same_device(a, b)
    na, nb = a.ndim, b.ndim
    if a.dtype is not b.dtype or na == 0 or nb == 0 or a.dtype == np.bool_:
        _matmul_check(a, b)
    if na == 2 and nb == 2:
        try:
            # the size test inline: this is the hot path of every small product
            arr = (np.matmul(a, b) if a.size * b.shape[1] < _parallel.BIG_PRODUCT
                   else _parallel.matmul(a, b))
        except ValueError:
            _matmul_shape_error(a, b)
        res = _wrap(arr)
        if (input._rg or other._rg) and grad_mode.state.enabled:  # hot path: attach inlined
            res._grad_fn = MmBackward0(input, other)  # hot path (matmul with grad 2.8 → 2.4 µs)
            res._rg = True
        return _out(res, out)
    if a.shape[-1] != b.shape[-2 if nb > 1 else 0]:
        _matmul_shape_error(a, b)
    if na == 1 and nb == 1:
        res = attach(_wrap(np.matmul(a, b)), DotBackward0, input, other)
    elif na == 2 and nb == 1:
        res = _mv(input, other)
    elif na == 1 and nb == 2:  # a row: (1, k) @ (k, m), then the row dimension dropped again
        res = _squeeze_row(_mm(input.unsqueeze(0), other))
    elif nb <= 2:  # (..., n, k) @ (k, m) or (k,): the batch folded into the rows
        rows = input.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])
        res = _unsafe_view(_mm(rows, other) if nb == 2 else _mv(rows, other),
                           a.shape[:-1] + b.shape[1:])
    elif a.dtype is not b.dtype:  # an empty (n, k) @ (..., k, m): nothing to add up
        res = _batched(input, other)
    elif other._rg and not input._rg and grad_mode.state.enabled:
        # torch does not fold when only the batch requires grad: it expands the matrix (or the
        # vector as a row) to the batch and runs one bmm
        if na == 1:
            res = _batched(input.unsqueeze(0), other, b.shape[:-2] + b.shape[-1:])
        else:
            res = _batched(input, other)
    elif na <= 2:  # (n, k) or (k,) @ (..., k, m): the same, on the transposed batch
        k, m = b.shape[-2:]
        rows = other.mT.reshape(int(np.prod(b.shape[:-2])) * m, k)
        if na == 1:
            res = _unsafe_view(_mv(rows, input), b.shape[:-2] + (m,))
        else:
            res = _unsafe_view(_mm(rows, input.t()), b.shape[:-2] + (m, a.shape[0]))
            res = res.mT.contiguous()
    else:
        res = _batched(input, other)
    return _out(res, out)


def _mm(a: Tensor, b: Tensor) -> Tensor:
    return attach(_wrap(_parallel.matmul(a._data, b._data)), MmBackward0, a, b)


def _mv(a: Tensor, v: Tensor) -> Tensor:
    return attach(_wrap(np.matmul(a._data, v._data)), MvBackward0, a, v)


def _squeeze_row(t: Tensor) -> Tensor:
    """``t.squeeze_(0)`` as torch's matmul applies it to its ``(1, m)`` product."""
    return attach(_wrap(t._data.reshape(t._data.shape[1:])), SqueezeBackward4, t)


def _unsafe_view(t: Tensor, shape: tuple) -> Tensor:
    """``t`` (a fresh product nothing else sees) in a new ``shape``, recorded as torch's
    ``_unsafe_view``: a reshape that needs no view bookkeeping."""
    return attach(_wrap(t._data.reshape(shape)), UnsafeViewBackward0, t)


def _batched(input: Tensor, other: Tensor, shape: tuple | None = None) -> Tensor:
    """A batch of matrices times a batch, ``(..., n, k) @ (..., k, m)``: both expanded to the
    broadcast batch, flattened to ``(B, n, k)`` and ``(B, k, m)``, one ``bmm``, then the batch
    dimensions restored (or the result viewed as ``shape``, when given)."""
    a, b = input._data, other._data
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        _matmul_shape_error(a, b)
    (n, k), m, size = a.shape[-2:], b.shape[-1], int(np.prod(batch))
    x = input.expand(batch + (n, k)).reshape(size, n, k)
    y = other.expand(batch + (k, m)).reshape(size, k, m)
    if a.dtype is not b.dtype:  # allowed only when there is nothing to add up
        prod = _nothing_to_add(x, y)
    else:
        prod = attach(_wrap(_parallel.matmul(x._data, y._data)), BmmBackward0, x, y)
    return _unsafe_view(prod, batch + (n, m) if shape is None else shape)


def _matmul_check(a: np.ndarray, b: np.ndarray) -> None:
    """The rare cases, checked in torch's order: 0-d operands, mismatched dtypes (after the batch
    dimensions, for batched products), and bool (no kernel, unless there is nothing to add up)."""
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if a.dtype != b.dtype:
        if na == 1 and nb == 1:
            raise RuntimeError(
                f"dot : expected both vectors to have same dtype, but found {_word(a)} and "
                f"{_word(b)}"
            )
        if nb == 1 or _folds_transposed(a, b):
            mat, vec = (a, b) if nb == 1 else (b, a)
            if a.shape[-1] != b.shape[0 if nb == 1 else -2]:
                _matmul_shape_error(a, b)
            raise RuntimeError(
                f"addmv input tensors must have the same dtype, but got {_word(vec)}, "
                f"{_word(mat)}, and {_word(vec)}"
            )
        if nb == 2:
            if a.shape[-1] != b.shape[0]:
                _matmul_shape_error(a, b)
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {_dtype.c_name(a.dtype)} "
                f"!= {_dtype.c_name(b.dtype)}"
            )
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            _matmul_shape_error(a, b)
        if a.shape[-1] != b.shape[-2]:
            _matmul_shape_error(a, b)
        if 0 in a.shape or 0 in b.shape:  # an empty bmm: torch checks no dtype
            return
        _no_bool(a, "bmm")  # the first operand's kernel, then the second's dtype
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    if a.dtype == np.bool_:
        if na == 1 and nb == 1:
            if a.shape[0] != b.shape[0]:
                _size_mismatch_1d(a, b)  # the size first, then the kernel
            _no_bool(a, "dot")
        try:
            empty = np.matmul(a, b).size == 0 or a.shape[-1] == 0
        except ValueError:
            return  # the shape error comes next, from matmul itself
        if not empty:
            _no_bool(a, "addmv_impl_cpu" if nb == 1 else "addmm_impl_cpu_" if nb == 2 else "bmm")


def _matmul_shape_error(a: np.ndarray, b: np.ndarray):
    """Raise torch's message for operands whose inner sizes (or batch sizes) do not agree."""
    na, nb = a.ndim, b.ndim
    k = a.shape[-1]
    if na == 1 and nb == 1:
        _size_mismatch_1d(a, b)
    if _folds_transposed(a, b):  # torch computes (b^T folded) @ a as one matrix-vector product
        rows = int(np.prod(b.shape[:-2])) * b.shape[-1]
        raise RuntimeError(
            f"size mismatch, got input ({rows}), mat ({rows}x{b.shape[-2]}), vec ({k})"
        )
    if nb == 1:
        rows = int(np.prod(a.shape[:-1]))
        raise RuntimeError(
            f"size mismatch, got input ({rows}), mat ({rows}x{k}), vec ({b.shape[0]})"
        )
    if nb == 2:
        rows = int(np.prod(a.shape[:-1]))
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {_dims(b)})"
        )
    batch = broadcast_shape(a.shape[:-2], b.shape[:-2])  # torch's message if they disagree
    n = int(np.prod(batch))
    raise RuntimeError(
        f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k}] but got: "
        f"[{n}, {b.shape[-2]}]."
    )


def _folds_transposed(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether torch takes its "fold the transpose" route for vector @ batch of matrices: when
    the batch's transpose is laid out contiguously (a size-0 or size-1 matrix dimension), it
    computes one matrix-vector product, and its messages speak of that product."""
    return a.ndim == 1 and b.ndim >= 3 and (b.size == 0 or 1 in b.shape[-2:])


def _size_mismatch_1d(a: np.ndarray, b: np.ndarray):
    raise RuntimeError(
        f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
        f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
    )


class MmBackward0(Node):
    """``C = A @ B`` for matrices: dA = G @ B^T, dB = A^T @ G (also per matrix of a batch)."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        grad = _grad_like(grad, b)
        if not grad_mode.state.enabled:
            # fast path: a plain backward (every Linear layer's step) multiplies the arrays on
            # transposed NumPy views, without recording two matmuls and two transposes
            g = grad._data
            return (
                _wrap(_parallel.matmul(g, b._data.swapaxes(-1, -2))) if ga else None,
                _wrap(_parallel.matmul(a._data.swapaxes(-1, -2), g)) if gb else None,
            )
        return (matmul(grad, _mT(b)) if ga else None, matmul(_mT(a), grad) if gb else None)


class DotBackward0(Node):
    """``c = a · b`` for vectors: da = c̄ b, db = c̄ a."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        grad = _grad_like(grad, b)
        return (grad * b if ga else None, grad * a if gb else None)


class VdotBackward0(DotBackward0):
    """``vdot`` of real vectors is ``dot``."""


class MvBackward0(Node):
    """``y = A @ x`` (matrix · vector): dA = outer(ȳ, x), dx = ȳ @ A (= A^T ȳ, no transpose)."""

    def __init__(self, a, x):
        super().__init__(a, x)
        self.save(a, x)

    def backward(self, grad):
        a, x = self.saved_tensors
        ga, gx = self.needs_input_grad
        grad = _grad_like(grad, a)
        return (
            grad.reshape(-1, 1) * x if ga else None,
            matmul(grad, a) if gx else None,
        )


def _sum_to(arr: np.ndarray, shape: tuple) -> np.ndarray:
    """NumPy twin of ``unbroadcast`` for the fast path: sum ``arr`` down to ``shape``."""
    lead = arr.ndim - len(shape)
    if lead:
        arr = arr.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and arr.shape[i] != 1)
    return arr.sum(axis=axes, keepdims=True) if axes else arr


# ---- the fixed-shape products -----------------------------------------------------------------
def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Matrix product of two 2-D tensors: ``(n, k) @ (k, m)`` → ``(n, m)``. No broadcasting."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched matrix product: ``(b, n, k) @ (b, k, m)`` → ``(b, n, m)``; no broadcasting."""
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    if _empty_product(a, b):
        return _out(_nothing_to_add(input, mat2), out)
    _no_bool(a, "bmm")  # the first operand's kernel, then the second's dtype
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    return _out(attach(_wrap(_parallel.matmul(a, b)), BmmBackward0, input, mat2), out)


def _empty_product(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a batched product ``(B, n, k) @ (B, k, m)`` has nothing to add up: an empty
    result, or ``k == 0`` (zeros). torch's ``bmm`` then checks neither dtype nor kernel."""
    return a.shape[0] * a.shape[1] * b.shape[2] == 0 or a.shape[2] == 0


def _nothing_to_add(x: Tensor, y: Tensor) -> Tensor:
    """``bmm`` of ``(B, n, 0)`` by ``(B, 0, m)``, or with an empty result: zeros ``(B, n, m)``
    in the dtype of the second operand (even when the operands' dtypes differ, as torch)."""
    a, b = x._data, y._data
    if a.dtype == b.dtype:
        arr = np.matmul(a, b)
    else:
        arr = _array.namespace(a).zeros((a.shape[0], a.shape[1], b.shape[2]), dtype=b.dtype)
        if arr.dtype.kind not in "fc" and grad_mode.state.enabled and (x._rg or y._rg):
            raise RuntimeError(f"Autograd not support dtype: {_word(arr)}")
    return attach(_wrap(arr), BmmBackward0, x, y)


class BmmBackward0(MmBackward0):
    """Per matrix of the batch, as ``MmBackward0``."""


def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    """Matrix · vector: ``(n, k) @ (k,)`` → ``(n,)``."""
    a, v = input._data, vec._data
    if a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({_dims(a)}), vec ({v.shape[0]})"
        )
    return matmul(input, vec, out=out)


def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors of the same length and dtype → 0-d."""
    _check_vectors(input._data, tensor._data)
    return matmul(input, tensor, out=out)


def vdot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Dot product conjugating the first vector (the same as ``dot`` for real tensors)."""
    x, y = input._data, other._data
    _check_vectors(x, y)
    return _out(attach(_wrap(np.vdot(x, y)), VdotBackward0, input, other), out)


def _check_vectors(x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors"
        )
    if x.shape[0] != y.shape[0]:
        _size_mismatch_1d(x, y)
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_word(x)} and {_word(y)}"
        )
    _no_bool(x, "dot")


def outer(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    """Outer product of two vectors: ``(n,) ⊗ (m,)`` → ``(n, m)``, ``out[i, j] = x[i] * y[j]``.
    Promotes dtypes like ``*`` (it is ``x.reshape(-1, 1) * y``, so its grad_fn is MulBackward0)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    res = input.reshape(-1, 1) * vec2
    return _out(res, out)


ger = outer


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, ``input`` broadcast to ``(n, m)``: the affine
    map of a Linear layer in one op."""
    m1, m2, c = mat1._data, mat2._data, input._data
    if c.dtype != m2.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_word(c)} and {_word(m2)}"
        )
    if m1.dtype != m2.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_word(m1)} and {_word(m2)}"
        )
    if m1.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {m1.ndim}-D tensor")
    if m2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {m2.ndim}-D tensor")
    if m1.shape[1] != m2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_dims(m1)} and {_dims(m2)})"
        )
    if m1.shape[1] and m1.shape[0] * m2.shape[1]:
        _no_bool(m1, "addmm_impl_cpu_")
    prod = _parallel.matmul(m1, m2)
    if alpha != 1:
        prod *= alpha
    bias = input._data if beta == 1 else (input._data * beta if beta != 0 else 0)
    try:
        arr = np.add(prod, bias, out=prod) if np.broadcast_shapes(np.shape(bias), prod.shape) \
            == prod.shape else None
    except ValueError:
        arr = None
    if arr is None:
        raise RuntimeError(
            f"The expanded size of the tensor ({prod.shape[-1]}) must match the existing size "
            f"({input._data.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
            f"{list(prod.shape)}.  Tensor sizes: {list(input._data.shape)}"
        )
    res = attach(_wrap(arr), AddmmBackward0, input, mat1, mat2, alpha=alpha, beta=beta)
    return _out(res, out)


class AddmmBackward0(Node):
    """``out = beta * input + alpha * (A @ B)``, ``A`` = mat1, ``B`` = mat2::

        d input = beta * G, summed back to input's shape
        dA = alpha * G @ B^T        dB = alpha * A^T @ G

    ``F.linear`` records this node too, with ``mat2`` given as its weight ``W`` (out, in), which
    is ``B^T`` (``transposed=True``): then dA = G @ W and dW = G^T @ A, and no transpose node
    sits between the weight and the product. Only the gradients some input needs are computed.
    """

    def __init__(self, input, mat1, mat2, *, alpha=1, beta=1, transposed=False):
        super().__init__(input, mat1, mat2)
        self.save(mat1, mat2)
        self.alpha, self.beta, self.transposed = alpha, beta, transposed
        self.shape = input._data.shape

    def backward(self, grad):
        a, b = self.saved_tensors
        gi, ga, gb = self.needs_input_grad
        grad = _grad_like(grad, b)
        if not grad_mode.state.enabled:
            # fast path: a plain backward (every Linear layer's step) works on the arrays,
            # without recording the products and transposes of the graph version below
            g = grad._data if self.alpha == 1 else grad._data * self.alpha
            gin = grad._data if self.beta == 1 else grad._data * self.beta
            a, b = a._data, b._data
            return (
                _wrap(_sum_to(gin, self.shape)) if gi else None,
                _wrap(_parallel.matmul(g, b if self.transposed else b.T)) if ga else None,
                _wrap(_parallel.matmul(g.T, a) if self.transposed else _parallel.matmul(a.T, g))
                if gb else None,
            )
        g = grad if self.alpha == 1 else grad * self.alpha
        return (
            unbroadcast(grad if self.beta == 1 else grad * self.beta, self.shape) if gi else None,
            matmul(g, b if self.transposed else _mT(b)) if ga else None,
            (matmul(_mT(g), a) if self.transposed else matmul(_mT(a), g)) if gb else None,
        )


# ---- baddbmm ----------------------------------------------------------------------------------
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)`` for a batch of matrices: ``batch1``
    ``(b, n, k)``, ``batch2`` ``(b, k, m)``, ``input`` broadcast to ``(b, n, m)``. With
    ``beta=0`` the input is ignored (a NaN in it does not reach the result); all three tensors
    must have one dtype. ``addmm`` is the same for one matrix."""
    c, a, b = input._data, batch1._data, batch2._data
    if c.dtype != a.dtype or c.dtype != b.dtype and a.dtype == b.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_dtype.c_name(c.dtype)}, batch1: "
            f"{_dtype.c_name(a.dtype)}, batch2: {_dtype.c_name(b.dtype)}"
        )
    # torch reads the result's size (batch1's first two, batch2's third) before any other check
    for t, d in ((a, 0), (a, 1), (b, 2)):
        if d >= t.ndim:
            n = t.ndim or 1
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
            )
    shape = (a.shape[0], a.shape[1], b.shape[2])
    try:
        bias = np.broadcast_to(c, shape)
    except ValueError:
        input.expand(shape)  # raises torch's message, naming the dimension that disagrees
        raise
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    if a.shape[2] and a.size and b.size:
        _no_bool(a, "baddbmm")
    prod = np.matmul(a, b)
    with np.errstate(invalid="ignore", over="ignore"):
        arr = prod * alpha if alpha != 1 else prod
        if beta != 0:
            arr = arr + (bias * beta if beta != 1 else bias)
    res = _wrap(arr.astype(a.dtype, copy=False))
    return _out(attach(res, BaddbmmBackward0, input, batch1, batch2, alpha=alpha, beta=beta), out)


class BaddbmmBackward0(Node):
    """``out = beta * input + alpha * (A @ B)`` per matrix of the batch::

        d input = beta * G, summed back to input's shape
        dA = alpha * G @ B^T        dB = alpha * A^T @ G
    """

    def __init__(self, input, a, b, *, alpha, beta):
        super().__init__(input, a, b)
        self.save(a, b)
        self.alpha, self.beta, self.shape = alpha, beta, input._data.shape

    def backward(self, grad):
        a, b = self.saved_tensors
        gi, ga, gb = self.needs_input_grad
        grad = _grad_like(grad, b)
        g = grad if self.alpha == 1 else grad * self.alpha
        return (
            unbroadcast(grad if self.beta == 1 else grad * self.beta, self.shape) if gi else None,
            bmm(g, _mT(b)) if ga else None,
            bmm(_mT(a), g) if gb else None,
        )


baddbmm_ = inplace_of(baddbmm, "baddbmm_")

Tensor.matmul, Tensor.mm, Tensor.bmm, Tensor.mv = matmul, mm, bmm, mv
Tensor.__matmul__ = matmul  # direct binding: no per-call import through arithmetic's shim
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
Tensor.dot, Tensor.vdot, Tensor.outer, Tensor.ger = dot, vdot, outer, ger
Tensor.addmm = addmm
Tensor.baddbmm, Tensor.baddbmm_ = baddbmm, baddbmm_

__all__ = [
    "matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "baddbmm",
]
