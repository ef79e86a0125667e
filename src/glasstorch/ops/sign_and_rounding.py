"""Pointwise ops that keep integer dtypes: ``abs``, ``sign``, ``relu``, the rounding family
(``floor``, ``ceil``, ``trunc``, ``round``, ``frac``), ``square`` and ``nan_to_num``.

Each maps every element on its own: ``(*) -> (*)``, in the input's dtype (``abs`` of an int64
tensor is int64). Bool inputs are refused where torch's kernels refuse them.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._unary import _checked, _finish, _node, _zeros_like
from .arithmetic import pow as _pow
from .comparison import gt, isfinite, not_tensor, where

AbsBackward0 = _node("AbsBackward0", "input", lambda g, x: g * sign(x))
SignBackward0 = _node("SignBackward0", None, _zeros_like, "Sign is flat: the gradient is 0.")
ReluBackward0 = _node("ReluBackward0", "output", lambda g, y: where(gt(y, 0), g, 0.0))
FloorBackward0 = _node("FloorBackward0", None, _zeros_like)
CeilBackward0 = _node("CeilBackward0", None, _zeros_like)
TruncBackward0 = _node("TruncBackward0", None, _zeros_like)
RoundBackward0 = _node("RoundBackward0", None, _zeros_like)
RoundBackward1 = _node("RoundBackward1", None, _zeros_like, "round with ``decimals``.")
FracBackward0 = _node("FracBackward0", None, lambda g, _: g)
NanToNumBackward0 = _node("NanToNumBackward0", "input", lambda g, x: where(isfinite(x), g, 0.0))


def abs(input, *, out=None) -> Tensor:
    """``|x|``, keeping the dtype (integers stay integers; bool is refused). (*) -> (*)."""
    return _finish(np.abs(_checked(input, "abs", "abs_cpu")), input, AbsBackward0, out)


def sign(input, *, out=None) -> Tensor:
    """-1, 0 or 1 by the sign of each element (0 for NaN), in the input's dtype. (*) -> (*)."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("sign", input) from None
    res = x.copy() if x.dtype.kind == "b" else np.subtract(x > 0, x < 0, dtype=x.dtype)
    return _finish(res, input, SignBackward0, out)


def relu(input) -> Tensor:
    """``max(x, 0)``: negatives become 0, integer dtypes are kept. (*) -> (*)."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("relu", input) from None
    if x.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _finish(np.maximum(x, 0), input, ReluBackward0, None)


def _rounding(name, ufunc, node):
    def op(input, *, out=None):
        x = _checked(input, name, f"{name}_vml_cpu")
        return _finish(ufunc(x) if x.dtype.kind in "fc" else x.copy(), input, node, out)

    op.__name__ = op.__qualname__ = name
    return op


floor = _rounding("floor", np.floor, FloorBackward0)
floor.__doc__ = "The largest integer <= x, in the input's dtype (integers unchanged). (*) -> (*)."
ceil = _rounding("ceil", np.ceil, CeilBackward0)
ceil.__doc__ = "The smallest integer >= x, in the input's dtype. (*) -> (*)."
trunc = _rounding("trunc", np.trunc, TruncBackward0)
trunc.__doc__ = "x rounded toward zero, in the input's dtype. (*) -> (*)."


def round(input, *, decimals: int = 0, out=None) -> Tensor:
    """Round to the nearest integer, ties to even (``round(2.5) == 2``), or to ``decimals``
    decimal places (negative: tens, hundreds). (*) -> (*)."""
    if decimals == 0:
        x = _checked(input, "round", "round_vml_cpu")
        res = np.rint(x) if x.dtype.kind in "fc" else x.copy()
        return _finish(res, input, RoundBackward0, out)
    x = _checked(input, "round", "round_cpu", floats_only=True)
    with np.errstate(all="ignore"):  # x * 10**decimals may overflow
        res = np.round(x, decimals)
    return _finish(res, input, RoundBackward1, out)


def frac(input, *, out=None) -> Tensor:
    """The fractional part ``x - trunc(x)`` (sign of x kept); floats only. (*) -> (*)."""
    x = _checked(input, "frac", "frac_cpu", floats_only=True)
    with np.errstate(invalid="ignore"):  # inf - inf
        res = x - np.trunc(x)
    return _finish(res, input, FracBackward0, out)


def square(input, *, out=None) -> Tensor:
    """``x * x`` (recorded as ``x ** 2``, PowBackward0); bool becomes int64. (*) -> (*)."""
    if not isinstance(input, Tensor):
        raise not_tensor("square", input)
    return _pow(input, 2, out=out)


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the dtype's largest and
    smallest finite values). Integer tensors are returned unchanged (copied)."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("nan_to_num", input) from None
    if x.dtype.kind in "fc":
        res = np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)
    else:
        res = x.copy()
    return _finish(res, input, NanToNumBackward0, out)


relu.into = lambda x: np.maximum(x, 0, out=x) is x
