"""Matrix products: matmul (``@``), mm, bmm, mv, dot, vdot, outer, addmm (tensordot, einsum,
trace and the top-level ``torch.norm``/``inverse``/``det``/... are in ``linalg_contract``).

NumPy's ``np.matmul`` does the arithmetic (BLAS for float32/float64). The gradients of a product
are products too: for ``C = A @ B`` with ``G = dL/dC``,

    dL/dA = G @ B^T        dL/dB = A^T @ G

(for a batch, the same per matrix, then summed over the dimensions broadcasting added). Transposes
are views, so no data is copied before BLAS runs.

``matmul`` dispatches on the dimensions as torch does: 1-D·1-D is a dot product (0-d result);
2-D·2-D a matrix product; a 1-D left operand acts as a row ``(1, k)`` and a 1-D right operand as a
column ``(k, 1)``, the added dimension being dropped from the result; anything higher is a batch of
matrices whose leading dimensions broadcast: ``(2, 1, 3, 4) @ (5, 4, 2)`` is ``(2, 5, 3, 2)``.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._broadcast import broadcast_shape, unbroadcast
from ._inplace import write_out as _out

_WORD = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
         "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
         "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_CTYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
          "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
          "bool": "bool", "complex64": "c10::complex<float>",
          "complex128": "c10::complex<double>"}


def _word(x: np.ndarray) -> str:
    return _WORD.get(x.dtype.name, x.dtype.name)


def _dims(a: np.ndarray) -> str:
    return "x".join(str(n) for n in a.shape)


def _grad_on(*ts) -> bool:
    return grad_mode.state.enabled and (ts[0]._rg or ts[1]._rg or (len(ts) > 2 and ts[2]._rg))


def _no_bool(a: np.ndarray, kernel: str) -> None:
    if a.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _mT(t: Tensor) -> Tensor:
    """The last two dimensions swapped (a view)."""
    return t.transpose(-2, -1)


# ---- matmul -----------------------------------------------------------------------------------
def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with torch's dispatch on dimensions (see the module docstring).

    ``(n, k) @ (k, m)`` → ``(n, m)``; ``(k,) @ (k,)`` → 0-d; ``(b, n, k) @ (k, m)`` → ``(b, n, m)``.
    Both operands must have the same dtype (no promotion, as torch).
    """
    a, b = input._data, other._data
    na, nb = a.ndim, b.ndim
    if a.dtype is not b.dtype or na == 0 or nb == 0 or a.dtype == np.bool_:
        _matmul_check(a, b)
    try:
        arr = np.matmul(a, b)
    except ValueError:
        _matmul_shape_error(a, b)
    if na == 1 and nb == 1:
        arr = np.asarray(arr)
    res = _wrap(arr)
    if (input._rg or other._rg) and grad_mode.state.enabled:
        if na == 2 and nb == 2:
            node = MmBackward0(input, other)
        elif na == 1 and nb == 1:
            node = DotBackward0(input, other)
        elif na == 2 and nb == 1:
            node = MvBackward0(input, other)
        elif na == 1 and nb == 2:
            node = SqueezeBackward4(input, other)
        elif na == 2:
            node = CloneBackward0(input, other)
        else:
            node = UnsafeViewBackward0(input, other)
        res._rg = True
        res._grad_fn = node.save(input, other)
    return _out(res, out)


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
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {_CTYPE[a.dtype.name]} != "
                f"{_CTYPE[b.dtype.name]}"
            )
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            _matmul_shape_error(a, b)
        if a.shape[-1] != b.shape[-2]:
            _matmul_shape_error(a, b)
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    if a.dtype == np.bool_:
        if na == 1 and nb == 1:
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
    batch = broadcast_or_raise(a.shape[:-2], b.shape[:-2])
    n = int(np.prod(batch))
    raise RuntimeError(
        f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k}] but got: "
        f"[{n}, {b.shape[-2]}]."
    )


def broadcast_or_raise(sa: tuple, sb: tuple) -> tuple:
    """The broadcast of two shapes, or torch's RuntimeError naming the rightmost dimension whose
    sizes disagree."""
    return broadcast_shape(sa, sb)


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
    """``C = A @ B`` for matrices: dA = G @ B^T, dB = A^T @ G.

    Without ``create_graph`` (grad mode off during backward) the products go straight to NumPy
    on transposed views: no graph bookkeeping, no copies."""

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        if not grad_mode.state.enabled:
            g = grad._data
            return (
                _wrap(np.matmul(g, b._data.swapaxes(-1, -2))) if ga else None,
                _wrap(np.matmul(a._data.swapaxes(-1, -2), g)) if gb else None,
            )
        return (matmul(grad, _mT(b)) if ga else None, matmul(_mT(a), grad) if gb else None)


class DotBackward0(Node):
    """``c = a · b`` for vectors: da = c̄ b, db = c̄ a."""

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        return (grad * b if ga else None, grad * a if gb else None)


class VdotBackward0(DotBackward0):
    """``vdot`` of real vectors is ``dot``."""


class MvBackward0(Node):
    """``y = A @ x`` (matrix · vector): dA = outer(ȳ, x), dx = ȳ @ A (= A^T ȳ, no transpose)."""

    def backward(self, grad):
        a, x = self.saved_tensors
        ga, gx = self.needs_input_grad
        return (
            grad.reshape(-1, 1) * x if ga else None,
            matmul(grad, a) if gx else None,
        )


class SqueezeBackward4(Node):
    """``y = x @ B`` (vector · matrix; torch names it after the squeeze that drops the added
    row): dx = B @ ȳ, dB = outer(x, ȳ)."""

    def backward(self, grad):
        x, b = self.saved_tensors
        gx, gb = self.needs_input_grad
        return (matmul(b, grad) if gx else None, x.reshape(-1, 1) * grad if gb else None)


class UnsafeViewBackward0(Node):
    """A batched product: 1-D operands are lifted to matrices (a row on the left, a column on
    the right), each matrix gradient is taken as in ``MmBackward0``, and the sums over the batch
    dimensions broadcasting added come from ``unbroadcast``.

    When the right operand is a single matrix (``(b, n, k) @ (k, m)``, the Linear-layer case), its
    gradient folds the batch into the rows instead: ``A.reshape(-1, k)^T @ G.reshape(-1, m)``, one
    BLAS call and no batch of partial products.
    """

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        sa, sb = a._data.shape, b._data.shape
        lifted_a = sa if len(sa) > 1 else (1,) + sa
        lifted_b = sb if len(sb) > 1 else sb + (1,)
        g_shape = np.broadcast_shapes(lifted_a[:-2], lifted_b[:-2]) + (lifted_a[-2], lifted_b[-1])
        if not grad_mode.state.enabled:  # plain backward: NumPy on the arrays
            A, B = a._data.reshape(lifted_a), b._data.reshape(lifted_b)
            G = grad._data.reshape(g_shape)
            grad_a = grad_b = None
            if ga:
                grad_a = _wrap(_sum_to(np.matmul(G, B.swapaxes(-1, -2)), lifted_a).reshape(sa))
            if gb:
                if len(lifted_b) == 2:
                    k, m = lifted_b
                    gB = np.matmul(A.reshape(-1, k).T, G.reshape(-1, m))
                else:
                    gB = _sum_to(np.matmul(A.swapaxes(-1, -2), G), lifted_b)
                grad_b = _wrap(gB.reshape(sb))
            return grad_a, grad_b
        A, B, G = a.reshape(lifted_a), b.reshape(lifted_b), grad.reshape(g_shape)
        grad_a = grad_b = None
        if ga:
            grad_a = unbroadcast(matmul(G, _mT(B)), lifted_a).reshape(sa)
        if gb:
            if len(lifted_b) == 2:  # fold the batch into rows: one BLAS call
                k, m = lifted_b
                grad_b = matmul(_mT(A.reshape(-1, k)), G.reshape(-1, m)).reshape(sb)
            else:
                grad_b = unbroadcast(matmul(_mT(A), G), lifted_b).reshape(sb)
        return grad_a, grad_b


def _sum_to(arr: np.ndarray, shape: tuple) -> np.ndarray:
    """NumPy twin of ``unbroadcast`` for the no-graph path: sum ``arr`` down to ``shape``."""
    lead = arr.ndim - len(shape)
    if lead:
        arr = arr.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and arr.shape[i] != 1)
    return arr.sum(axis=axes, keepdims=True) if axes else arr


class CloneBackward0(UnsafeViewBackward0):
    """``(n, k) @ (..., k, m)``: torch names this form's node after the copy it makes."""


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
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    _no_bool(a, "bmm")
    res = _wrap(np.matmul(a, b))
    if _grad_on(input, mat2):
        res._rg = True
        res._grad_fn = BmmBackward0(input, mat2).save(input, mat2)
    return _out(res, out)


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
    res = _wrap(np.asarray(np.vdot(x, y)))
    if _grad_on(input, other):
        res._rg = True
        res._grad_fn = VdotBackward0(input, other).save(input, other)
    return _out(res, out)


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
    prod = np.matmul(m1, m2)
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
    res = _wrap(arr)
    if _grad_on(input, mat1, mat2):
        node = AddmmBackward0(input, mat1, mat2).save(mat1, mat2)
        node.alpha, node.beta, node.shape = alpha, beta, input._data.shape
        res._rg = True
        res._grad_fn = node
    return _out(res, out)


class AddmmBackward0(Node):
    """d input = beta * G summed to input's shape; d mat1 = alpha G B^T; d mat2 = alpha A^T G."""

    def backward(self, grad):
        a, b = self.saved_tensors
        gi, ga, gb = self.needs_input_grad
        if not grad_mode.state.enabled:  # plain backward: NumPy on the arrays
            g = grad._data if self.alpha == 1 else grad._data * self.alpha
            return (
                _wrap(_sum_to(grad._data if self.beta == 1 else grad._data * self.beta,
                              self.shape)) if gi else None,
                _wrap(np.matmul(g, b._data.T)) if ga else None,
                _wrap(np.matmul(a._data.T, g)) if gb else None,
            )
        g = grad if self.alpha == 1 else grad * self.alpha
        return (
            unbroadcast(grad if self.beta == 1 else grad * self.beta, self.shape) if gi else None,
            matmul(g, _mT(b)) if ga else None,
            matmul(_mT(a), g) if gb else None,
        )


Tensor.matmul, Tensor.mm, Tensor.bmm, Tensor.mv = matmul, mm, bmm, mv
Tensor.__matmul__ = matmul  # direct binding: no per-call import through arithmetic's shim
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
Tensor.dot, Tensor.vdot, Tensor.outer, Tensor.ger = dot, vdot, outer, ger
Tensor.addmm = addmm

__all__ = [
    "matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm",
]

from .linalg_contract import *  # noqa: E402,F401,F403  (tensordot, einsum, norm, det, ...)
from .linalg_contract import __all__ as _contract_all  # noqa: E402

__all__ += _contract_all
