"""Two-input pointwise ops: ``atan2``, ``xlogy``, ``lerp``, and ``maximum``, ``minimum``, ``fmax``,
``fmin``.

They broadcast: ``(3, 1)`` with ``(4,)`` gives ``(3, 4)``; each backward sums its gradients back
to the operands' shapes with ``unbroadcast``.
"""

from __future__ import annotations

import numpy as np

from .._dtype import c_name
from .._errors import not_implemented_for, not_tensor
from .._tensor import Tensor
from ..autograd.graph import Node, attach
from ._broadcast import broadcast_error, unbroadcast
from ._checks import as_input, as_tensor, binary, bind_methods, shape_of
from ._inplace import inplace_forms
from ._inplace import write_out as _out
from ._promote import float_operands, operands
from .comparison import eq, ge, gt, isinf, isnan, le, lt, where
from .logical import logical_and, logical_or
from .transcendental import reciprocal


# ---- two-input ops: atan2, xlogy, lerp --------------------------------------------------------
def _tensors(op: str, a, b):
    if not isinstance(a, Tensor):
        raise not_tensor(op, a)
    if not isinstance(b, Tensor):
        raise not_tensor(op, b, "other", 2)


def atan2(input, other, *, out=None) -> Tensor:
    """The angle of the point ``(x=other, y=input)`` in (-pi, pi], broadcasting. Both tensors."""
    _tensors("atan2", input, other)
    x, y = float_operands(input, other)
    res = as_tensor(binary(np.arctan2, x, y, input, other))
    return _out(attach(res, Atan2Backward0, input, other), out)


class _SavesBoth(Node):
    """A backward of two tensor inputs that keeps both (``self.saved_tensors`` is ``(a, b)``)."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(a, b)


class Atan2Backward0(_SavesBoth):
    """d atan2(a, b) = (b da - a db) / (a^2 + b^2), taken as 0 where a = b = 0."""

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        r = reciprocal(a * a + b * b)
        r = where(isinf(r), 0.0, r)
        return (
            unbroadcast(grad * b * r, a._data.shape) if ga else None,
            unbroadcast(grad * -a * r, b._data.shape) if gb else None,
        )


def xlogy(input, other, *, out=None) -> Tensor:
    """``x * log(y)``, but 0 where ``x == 0`` (unless y is NaN): the entropy-style term that stays
    finite at 0 * log(0). Either operand may be a number; the result is floating point."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise not_tensor("xlogy", input)
    x, y = float_operands(input, other)
    with np.errstate(all="ignore"):
        prod = binary(np.multiply, x, np.log(y), input, other)
    res = np.where((x == 0) & ~np.isnan(y), 0, prod).astype(np.result_type(x, y), copy=False)
    res = as_tensor(res)
    if not isinstance(input, Tensor):
        res = attach(res, XlogyBackward1, other, a=input)
    elif not isinstance(other, Tensor):
        res = attach(res, XlogyBackward2, input, b=other)
    else:
        res = attach(res, XlogyBackward0, input, other)
    return _out(res, out)


def _xlogy_grads(grad, a, b, ga, gb):
    """d/da = log(b) (0 where a == 0 and b <= 0); d/db = a / b."""
    g_a = g_b = None
    if ga:
        g_a = xlogy(grad, b)
        g_a = unbroadcast(where(logical_and(eq(a, 0), le(b, 0)), 0.0, g_a), shape_of(a))
    if gb:
        g_b = unbroadcast(grad * a / b, shape_of(b))
    return g_a, g_b


class XlogyBackward0(_SavesBoth):
    def backward(self, grad):
        a, b = self.saved_tensors
        return _xlogy_grads(grad, a, b, *self.needs_input_grad)


class XlogyBackward1(Node):
    """``xlogy(number, tensor)``: only the tensor ``other`` gets a gradient."""

    def __init__(self, b, *, a):
        super().__init__(b)
        self.save(b)
        self.a = a

    def backward(self, grad):
        return _xlogy_grads(grad, as_input(self.a), self.saved_tensors[0], False, True)[1]


class XlogyBackward2(Node):
    """``xlogy(tensor, number)``: only the tensor ``input`` gets a gradient."""

    def __init__(self, a, *, b):
        super().__init__(a)
        self.save(a)
        self.b = b

    def backward(self, grad):
        return _xlogy_grads(grad, self.saved_tensors[0], as_input(self.b), True, False)[0]


def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``: linear interpolation, broadcasting. ``weight`` is a
    number or a tensor; all tensors must share ``input``'s floating dtype."""
    _tensors("lerp", input, end)
    x, e = input._data, end._data
    for what, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != x.dtype:
            raise RuntimeError(
                f"expected dtype {c_name(x.dtype)} for `{what}` but got dtype "
                f"{c_name(t._data.dtype)}"
            )
    if x.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise not_implemented_for(kernel, x.dtype)
    w = weight._data if isinstance(weight, Tensor) else weight
    try:
        diff = e - x
        # the two forms agree mathematically; each is exact at its own end (w = 0 or w = 1)
        res = np.where(np.abs(w) < 0.5, x + w * diff, e - diff * (1 - w)).astype(x.dtype)
    except ValueError:
        raise broadcast_error(x.shape, e.shape, np.shape(w)) from None
    if isinstance(weight, Tensor):
        return _out(attach(as_tensor(res), LerpBackward1, input, end, weight), out)
    return _out(attach(as_tensor(res), LerpBackward0, input, end, w=weight), out)


class LerpBackward0(Node):
    """Number weight w: ``input`` gets grad * (1 - w), ``end`` gets grad * w."""

    def __init__(self, a, b, *, w):
        super().__init__(a, b)
        self.shapes, self.w = (a._data.shape, b._data.shape), w

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        w = self.w
        return (
            unbroadcast(grad * (1 - w), self.shapes[0]) if ga else None,
            unbroadcast(grad * w, self.shapes[1]) if gb else None,
        )


class LerpBackward1(Node):
    """Tensor weight: also ``weight`` gets grad * (end - input)."""

    def __init__(self, a, b, w):
        super().__init__(a, b, w)
        self.save(a, b, w)

    def backward(self, grad):
        a, b, w = self.saved_tensors
        ga, gb, gw = self.needs_input_grad
        return (
            unbroadcast(grad * (1 - w), a._data.shape) if ga else None,
            unbroadcast(grad * w, b._data.shape) if gb else None,
            unbroadcast(grad * (b - a), w._data.shape) if gw else None,
        )


# ---- maximum / minimum / fmax / fmin ---------------------------------------------------------
def _binary_select(name, ufunc, node_cls):
    def op(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise not_tensor(name, other, "other", 2)
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        x, y = operands(input, other)
        res = as_tensor(binary(ufunc, x, y, input, other))
        return _out(attach(res, node_cls, input, other), out)

    op.__name__ = name
    return op


class _SelectBackward(_SavesBoth):
    """Each element's gradient goes to ``input`` where ``to_a(a, b)``, else to ``other``."""

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        to_a = self.to_a(a, b)
        return (
            unbroadcast(where(to_a, grad, 0.0), a._data.shape) if ga else None,
            unbroadcast(where(to_a, 0.0, grad), b._data.shape) if gb else None,
        )


class MaximumBackward0(_SelectBackward):
    """Each element's gradient goes to the larger operand; a tie splits it in halves."""

    loses = staticmethod(lt)  # ``a`` gets nothing where ``loses(a, b)``

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        shared = where(eq(a, b), grad * 0.5, grad)
        return (
            unbroadcast(where(self.loses(a, b), 0.0, shared), a._data.shape) if ga else None,
            unbroadcast(where(self.loses(b, a), 0.0, shared), b._data.shape) if gb else None,
        )


class MinimumBackward0(MaximumBackward0):
    """Each element's gradient goes to the smaller operand; a tie splits it in halves."""

    loses = staticmethod(gt)


class FmaxBackward0(_SelectBackward):
    """All of each gradient goes to the operand fmax picked (``input`` on ties and NaN other)."""

    @staticmethod
    def to_a(a, b):
        return logical_or(ge(a, b), isnan(b))


class FminBackward0(FmaxBackward0):
    """All of each gradient goes to the operand fmin picked (``input`` on ties and NaN other)."""

    @staticmethod
    def to_a(a, b):
        return logical_or(le(a, b), isnan(b))


maximum = _binary_select("maximum", np.maximum, MaximumBackward0)
maximum.__doc__ = "The larger of each pair of elements, broadcasting; NaN if either is NaN."
minimum = _binary_select("minimum", np.minimum, MinimumBackward0)
minimum.__doc__ = "The smaller of each pair of elements, broadcasting; NaN if either is NaN."
fmax = _binary_select("fmax", np.fmax, FmaxBackward0)
fmax.__doc__ = "Like ``maximum`` but a NaN loses: fmax(nan, 1) is 1 (NaN only if both are)."
fmin = _binary_select("fmin", np.fmin, FminBackward0)
fmin.__doc__ = "Like ``minimum`` but a NaN loses: fmin(nan, 1) is 1 (NaN only if both are)."


# ---- in-place forms, aliases, Tensor methods, exports ----------------------------------------
atan2_, xlogy_, lerp_ = inplace_forms(atan2, xlogy, lerp)
arctan2, arctan2_ = atan2, atan2_

_FUNCTIONS = {f.__name__: f for f in (atan2, xlogy, lerp, maximum, minimum, fmax, fmin)}
_FUNCTIONS.update(arctan2=arctan2)
bind_methods(_FUNCTIONS, {"xlogy_": xlogy_})
bind_methods(dict(atan2_=atan2_, lerp_=lerp_, arctan2_=arctan2_))  # methods only, as in torch

__all__ = list(_FUNCTIONS) + ["xlogy_"]
