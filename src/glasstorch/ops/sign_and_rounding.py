"""Pointwise ops that keep integer dtypes: ``abs``, ``sign``, ``relu``, the rounding family
(``floor``, ``ceil``, ``trunc``, ``round``, ``frac``), ``square`` and ``nan_to_num``.

Each maps every element on its own: ``(*) -> (*)``, in the input's dtype (``abs`` of an int64
tensor is int64). Bool inputs are refused where torch's kernels refuse them.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _parallel
from .._errors import not_tensor
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, attach
from ._checks import bind_methods, data_of
from ._inplace import inplace_forms, write_out
from ._unary import SavesInput, ZeroGradient, checked, finish
from .arithmetic import pow as _pow
from .comparison import isfinite, where


class AbsBackward0(SavesInput):
    """d/dx |x| = sign(x) (0 at 0)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * sign(x)


def abs(input, *, out=None) -> Tensor:
    """``|x|``, keeping the dtype (integers stay integers; bool is refused). (*) -> (*)."""
    return finish(np.abs(checked(input, "abs", "abs_cpu")), input, AbsBackward0, out)


class SignBackward0(ZeroGradient):
    """Sign is flat: the gradient is 0."""


def sign(input, *, out=None) -> Tensor:
    """-1, 0 or 1 by the sign of each element (0 for NaN), in the input's dtype. (*) -> (*)."""
    x = data_of(input, "sign")
    res = x.copy() if x.dtype.kind == "b" else np.subtract(x > 0, x < 0, dtype=x.dtype)
    return finish(res, input, SignBackward0, out)


class SgnBackward0(ZeroGradient):
    """sgn (sign, also for complex numbers) of a real tensor is flat: the gradient is 0."""


def sgn(input, *, out=None) -> Tensor:
    """``x / |x|`` (0 at 0): for real tensors the same values as ``sign``. (*) -> (*)."""
    x = data_of(input, "sgn")
    res = x.copy() if x.dtype.kind == "b" else np.subtract(x > 0, x < 0, dtype=x.dtype)
    return finish(res, input, SgnBackward0, out)


def signbit(input, *, out=None) -> Tensor:
    """True where the sign bit is set: negatives, -0.0 and -NaN (bool, never differentiable).
    (*) -> (*)."""
    x = data_of(input, "signbit")
    res = _wrap(np.signbit(x) if x.dtype.kind in "fiu" else
                _array.namespace(x).zeros(x.shape, np.bool_))
    return res if out is None else write_out(res, out)


class ReluBackward0(Node):
    """The gradient passes except where the output is <= 0 (where the input was): it passes at a
    NaN too, as torch's ``threshold_backward`` of the output."""

    keeps_output = True

    def backward(self, grad):
        if not grad_mode.state.enabled:  # fast path: one bitwise AND with the mask (10x np.where)
            g = grad._data
            if g.dtype.kind != "f":
                return _wrap(np.multiply(g, ~(self.saved_output._data <= 0), dtype=g.dtype))
            # AND with all-ones or all-zeros bits: an exact 0 where the input was <= 0, even for an
            # inf or NaN gradient there (a multiply by the mask would give NaN); mask - 1 is 0
            # (all bits clear) where the output is <= 0 and -1 (all bits set) elsewhere, NaN
            # outputs included, as torch's threshold_backward; in parts for big tensors
            y = self.saved_output._data
            bits = np.dtype(f"i{g.itemsize}")
            if g.shape == y.shape and type(y) is np.ndarray and (
                    3 * y.size >= _parallel.MIN_COST or _parallel.forced_split):
                res = np.empty(y.shape, bits)
                _parallel.elementwise(_relu_grad_into, res, g.view(bits), y)
                return _wrap(res.view(g.dtype))
            keep = np.subtract((y <= 0).view(np.int8), 1, dtype=bits)
            return _wrap(np.bitwise_and(g.view(bits), keep).view(g.dtype))
        return threshold_backward(grad, self.saved_output)


def threshold_backward(grad: Tensor, output: Tensor) -> Tensor:
    """relu's gradient as an op of its own: ``grad`` where ``output`` is not <= 0, else 0. With
    ``create_graph`` it is recorded (``ThresholdBackwardBackward0``), so a gradient taken through
    relu requires grad as in torch, and differentiating it again works."""
    g = grad._data
    res = _wrap(np.where(output._data <= 0, g.dtype.type(0), g))
    return attach(res, ThresholdBackwardBackward0, grad, output)


class ThresholdBackwardBackward0(Node):
    """Backward of relu's backward: the same mask for the incoming gradient; the output that
    chose the mask gets 0 (the mask is flat in it)."""

    def __init__(self, grad, output):
        super().__init__(grad, output)
        self.save(output)

    def backward(self, gg):
        (output,) = self.saved_tensors
        need_grad, need_out = self.needs_input_grad
        return (threshold_backward(gg, output) if need_grad else None,
                _wrap(np.zeros_like(output._data)) if need_out else None)


def _relu_grad_into(g_bits, y, out):
    """``g`` where ``y`` is not <= 0, else 0, on ``g``'s bits viewed as integers (see above)."""
    np.subtract((y <= 0).view(np.int8), 1, dtype=out.dtype, out=out)
    np.bitwise_and(g_bits, out, out=out)


def _relu_into(x, out):
    np.maximum(x, 0, out=out)


def relu(input) -> Tensor:
    """``max(x, 0)``: negatives become 0, integer dtypes are kept. (*) -> (*)."""
    x = data_of(input, "relu")
    if x.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    if x.dtype.kind == "f" and type(x) is np.ndarray and (
            2 * x.size >= _parallel.MIN_COST or _parallel.forced_split):
        # big host tensors: in blocks, on the kernel pool (a GPU array takes one kernel)
        return finish(_parallel.elementwise(_relu_into, np.empty(x.shape, x.dtype), x), input,
                      ReluBackward0, None)
    return finish(np.maximum(x, 0), input, ReluBackward0, None)


def _rounding(name, ufunc, node):
    def op(input, *, out=None):
        x = checked(input, name, f"{name}_vml_cpu")
        return finish(ufunc(x) if x.dtype.kind in "fc" else x.copy(), input, node, out)

    op.__name__ = op.__qualname__ = name
    return op


class FloorBackward0(ZeroGradient):
    """floor is flat between the integers: the gradient is 0."""


class CeilBackward0(ZeroGradient):
    """ceil is flat between the integers: the gradient is 0."""


class TruncBackward0(ZeroGradient):
    """trunc is flat between the integers: the gradient is 0."""


floor = _rounding("floor", np.floor, FloorBackward0)
floor.__doc__ = "The largest integer <= x, in the input's dtype (integers unchanged). (*) -> (*)."
ceil = _rounding("ceil", np.ceil, CeilBackward0)
ceil.__doc__ = "The smallest integer >= x, in the input's dtype. (*) -> (*)."
trunc = _rounding("trunc", np.trunc, TruncBackward0)
trunc.__doc__ = "x rounded toward zero, in the input's dtype. (*) -> (*)."


class RoundBackward0(ZeroGradient):
    """round is flat between the half-integers: the gradient is 0."""


class RoundBackward1(ZeroGradient):
    """round with ``decimals``: flat between its steps, the gradient is 0."""


def round(input, *, decimals: int = 0, out=None) -> Tensor:
    """Round to the nearest integer, ties to even (``round(2.5) == 2``), or to ``decimals``
    decimal places (negative: tens, hundreds). (*) -> (*)."""
    if decimals == 0:
        x = checked(input, "round", "round_vml_cpu")
        res = np.rint(x) if x.dtype.kind in "fc" else x.copy()
        return finish(res, input, RoundBackward0, out)
    x = checked(input, "round", "round_cpu", floats_only=True)
    with np.errstate(all="ignore"):  # x * 10**decimals may overflow
        res = np.round(x, decimals)
    return finish(res, input, RoundBackward1, out)


class FracBackward0(Node):
    """d/dx (x - trunc(x)) = 1: the gradient passes unchanged."""

    def backward(self, grad):
        return grad


def frac(input, *, out=None) -> Tensor:
    """The fractional part ``x - trunc(x)`` (sign of x kept); floats only. (*) -> (*)."""
    x = checked(input, "frac", "frac_cpu", floats_only=True)
    with np.errstate(invalid="ignore"):  # inf - inf
        res = x - np.trunc(x)
    return finish(res, input, FracBackward0, out)


def square(input, *, out=None) -> Tensor:
    """``x * x`` (recorded as ``x ** 2``, PowBackward0); bool becomes int64. (*) -> (*)."""
    if not isinstance(input, Tensor):
        raise not_tensor("square", input)
    return _pow(input, 2, out=out)


class NanToNumBackward0(SavesInput):
    """The gradient passes where the input was finite; replaced NaN and inf get 0."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return where(isfinite(x), grad, 0.0)


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the dtype's largest and
    smallest finite values). Integer tensors are returned unchanged (copied)."""
    x = data_of(input, "nan_to_num")
    if x.dtype.kind in "fc":
        res = np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)
    else:
        res = x.copy()
    return finish(res, input, NanToNumBackward0, out)


relu.into = lambda x: np.maximum(x, 0, out=x) is x


# ---- in-place forms, aliases, Tensor methods, exports ----------------------------------------
abs_, sign_, square_, frac_, relu_, nan_to_num_ = inplace_forms(
    abs, sign, square, frac, relu, nan_to_num
)
floor_, ceil_, round_, trunc_ = inplace_forms(floor, ceil, round, trunc)
sgn_, = inplace_forms(sgn)
absolute, fix, absolute_, fix_ = abs, trunc, abs_, trunc_

_FUNCTIONS = {f.__name__: f for f in (
    abs, sign, square, frac, relu, nan_to_num, floor, ceil, round, trunc, sgn, signbit,
)}
_FUNCTIONS.update(absolute=absolute, fix=fix)
_INPLACE = {f.__name__: f for f in (
    abs_, square_, frac_, relu_, nan_to_num_, floor_, ceil_, round_, trunc_,
)}
_INPLACE.update(fix_=fix_)
_METHOD_ONLY = dict(absolute_=absolute_, sign_=sign_, sgn_=sgn_)  # torch has no torch.sign_
bind_methods(_FUNCTIONS, _INPLACE, _METHOD_ONLY)
Tensor.__abs__ = abs

__all__ = list(_FUNCTIONS) + list(_INPLACE)
