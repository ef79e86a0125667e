"""Vector norms, the p-norm reduction: ``vector_norm(x, ord=2, dim=None)`` treats the elements
over ``dim`` as one vector: ``(sum |x_i|^ord)^(1/ord)``; ``ord=inf``/``-inf`` is the
largest/smallest ``|x_i|``, ``ord=0`` counts the non-zeros. ``torch.linalg.vector_norm`` (and the
matrix norms built on it in ``glasstorch.linalg``) and ``dist`` use it.
"""

from __future__ import annotations

import math

import numpy as np

from ..._dtype import _from_np, scalar_name, to_dtype
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach
from .._inplace import write_out as _out
from ._dims import cast, dims_arg, expand_back


def float_check(A: Tensor, op: str) -> np.ndarray:
    """``A``'s array, or torch's error for ``linalg.<op>`` of an integer or bool tensor."""
    x = A._data
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.{op}: Expected a floating point or complex tensor as input. Got "
            f"{scalar_name(x.dtype)}"
        )
    return x


def vector_norm(
    x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None
) -> Tensor:
    """The ``ord``-norm of the elements over ``dim`` (int or tuple; default all of them).

    ``x`` of shape ``(2, 3)``: ``vector_norm(x)`` is 0-d, ``vector_norm(x, dim=1)`` is ``(2,)``.
    ``dtype=`` computes (and returns) in a wider floating dtype.
    """
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    data = float_check(x, "vector_norm")
    if dtype is not None:
        dt = to_dtype(dtype)
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError(
                f"linalg.vector_norm: dtype should be floating point or complex, but got "
                f"{scalar_name(dt.np)}"
            )
        if np.promote_types(data.dtype, dt.np) != dt.np:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({scalar_name(data.dtype)}) should "
                f"be convertible without narrowing to the specified dtype ({scalar_name(dt.np)})"
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
    res = _wrap(cast(r, data.real.dtype))  # a norm is real, even of complex
    res = attach(res, LinalgVectorNormBackward0, x, ord=ord, dims=dims, keepdim=keepdim,
                 dtype=data.dtype)
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
    between ties). Zero elements and zero norms get zero gradient, as in torch. ``dtype``: the
    NumPy dtype the norm was computed in (``dtype=`` may widen the input)."""

    keeps_output = True

    def __init__(self, x, *, ord, dims, keepdim, dtype):
        super().__init__(x)
        self.save(x)
        self.ord, self.dims, self.keepdim, self.dtype = ord, dims, keepdim, dtype

    def backward(self, grad):
        (x,) = self.saved_tensors
        if self.ord == 0:  # piecewise constant: torch leaves the gradient undefined (None)
            return None
        in_dtype = x._data.dtype
        if in_dtype != self.dtype:  # computed in a wider dtype= : differentiate there
            x = x.to(_from_np[self.dtype])
        shape = x._data.shape
        g = expand_back(grad, shape, self.dims, self.keepdim)
        norm = expand_back(self.saved_output, shape, self.dims, self.keepdim)
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
