"""Two-input pointwise ops: ``atan2``, ``xlogy``, ``lerp``, ``maximum``, ``minimum``, ``fmax``,
``fmin``, ``hypot``, ``logaddexp``, ``logaddexp2``, ``copysign``, ``heaviside`` and ``nextafter``.

They broadcast: ``(3, 1)`` with ``(4,)`` gives ``(3, 4)``; each backward sums its gradients back
to the operands' shapes with ``unbroadcast``.
"""

from __future__ import annotations

import math

import numpy as np

from .._dtype import c_name
from .._errors import not_implemented_for, not_tensor
from .._tensor import Tensor
from ..autograd.graph import Node, NotImplemented, attach
from ._broadcast import broadcast_error, unbroadcast
from ._checks import as_input, as_tensor, binary, bind_methods, shape_of
from ._inplace import inplace_forms
from ._inplace import write_out as _out
from ._promote import float_operands, one_device, operands
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
    if type(x) is not type(e) or isinstance(weight, Tensor) and type(w) is not type(x):
        x, e, w = one_device(x, e, w)
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


# ---- hypot, logaddexp, copysign, heaviside, nextafter ------------------------------------------
def _float_pair(op: str, input, other, kernel: str):
    """The promoted operands of a two-tensor op that torch computes for floating dtypes only
    (``hypot(int, int)`` is NotImplementedError naming the kernel and the dtype)."""
    _tensors(op, input, other)
    x, y = operands(input, other)
    dt = getattr(x, "dtype", None)
    if dt is None:  # a Python number, with a tensor of its dtype (``_promote.operands``)
        dt = y.dtype
    if dt.kind not in "f":
        try:  # shapes that do not broadcast are reported first, as torch does
            np.broadcast_shapes(np.shape(x), np.shape(y))
        except ValueError:
            raise broadcast_error(shape_of(input), shape_of(other)) from None
        raise not_implemented_for(kernel, dt)
    return x, y


def _two_float(name, ufunc, node_cls, doc):
    def op(input, other, *, out=None) -> Tensor:
        x, y = _float_pair(name, input, other, f"{name}_cpu")
        with np.errstate(all="ignore"):
            res = as_tensor(binary(ufunc, x, y, input, other))
        return _out(attach(res, node_cls, input, other), out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


class HypotBackward0(_SavesBoth):
    """d sqrt(a² + b²) = (a da + b db) / result (NaN at a = b = 0, as in torch)."""

    keeps_output = True

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        r = self.saved_output
        return (unbroadcast(grad * a / r, a._data.shape) if ga else None,
                unbroadcast(grad * b / r, b._data.shape) if gb else None)


hypot = _two_float("hypot", np.hypot, HypotBackward0,
                   "``sqrt(a**2 + b**2)`` without overflow for large a, b; floats, broadcasting.")


class LogaddexpBackward0(_SavesBoth):
    """d log(e^a + e^b) = da / (1 + e^(b-a)) + db / (1 + e^(a-b)): each operand's softmax
    weight."""

    base = math.e

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        if self.base == 2:
            wa, wb = 1 / (1 + (b - a).exp2()), 1 / (1 + (a - b).exp2())
        else:
            wa, wb = 1 / (1 + (b - a).exp()), 1 / (1 + (a - b).exp())
        return (unbroadcast(grad * wa, a._data.shape) if ga else None,
                unbroadcast(grad * wb, b._data.shape) if gb else None)


class Logaddexp2Backward0(LogaddexpBackward0):
    """d log2(2^a + 2^b) = da / (1 + 2^(b-a)) + db / (1 + 2^(a-b))."""

    base = 2


logaddexp = _two_float("logaddexp", np.logaddexp, LogaddexpBackward0,
                       "``log(exp(a) + exp(b))`` computed stably (no overflow); floats.")
logaddexp2 = _two_float("logaddexp2", np.logaddexp2, Logaddexp2Backward0,
                        "``log2(2**a + 2**b)`` computed stably; floats.")


class NextafterBackward0(Node):
    """``nextafter`` moves a by one ulp: d/da = 1, d/db = 0 (torch's choice)."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.shapes = (a._data.shape, b._data.shape)

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        return (unbroadcast(grad, self.shapes[0]) if ga else None,
                unbroadcast(grad * 0, self.shapes[1]) if gb else None)


nextafter = _two_float("nextafter", np.nextafter, NextafterBackward0,
                       "The next float after ``input`` toward ``other``, broadcasting.")


def copysign(input, other, *, out=None) -> Tensor:
    """``|input|`` with the sign of ``other`` (a tensor or a number; -0.0 counts as negative);
    the result is floating point (integers become the default float)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"copysign() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected (Tensor input, "
            "Tensor other) or (Tensor input, Number other)"
        )
    x, y = float_operands(input, other)
    res = as_tensor(binary(np.copysign, x, y, input, other))
    if isinstance(other, Tensor):
        return _out(attach(res, CopysignBackward0, input, other), out)
    return _out(attach(res, CopysignBackward1, input), out)


class CopysignBackward1(Node):
    """``copysign(a, number)``: d/da = result / a (±1), 0 where a = 0."""

    keeps_output = True

    def __init__(self, a, *rest):
        super().__init__(a, *rest)
        self.save(a)
        self.shapes = tuple(shape_of(t) for t in (a, *rest))

    def _self_grad(self, grad):
        (a,) = self.saved_tensors
        ratio = where(eq(a, 0), 0.0, self.saved_output / where(eq(a, 0), 1.0, a))
        return unbroadcast(grad * ratio, self.shapes[0])

    def backward(self, grad):
        return self._self_grad(grad)


class CopysignBackward0(CopysignBackward1):
    """``copysign(a, b)``: a gets result / a (0 where a = 0); the sign source b gets 0."""

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        return (self._self_grad(grad) if ga else None,
                unbroadcast(grad * 0, self.shapes[1]) if gb else None)


def heaviside(input, values, *, out=None) -> Tensor:
    """The step function: 0 where input < 0 (and NaN), 1 where input > 0, ``values`` where it is
    0. Both tensors of one dtype. Not differentiable (backward raises)."""
    if not isinstance(input, Tensor):
        raise not_tensor("heaviside", input)
    if not isinstance(values, Tensor):
        raise not_tensor("heaviside", values, "values", 2)
    if input._data.dtype != values._data.dtype:
        raise RuntimeError(
            "heaviside is not yet implemented for tensors with different dtypes."
        )
    x, v = input._data, values._data
    try:
        res = np.where(x == 0, v, x > 0).astype(x.dtype)
    except ValueError:
        raise broadcast_error(x.shape, v.shape) from None
    return _out(attach(as_tensor(res), NotImplemented, input, values,
                       message="derivative for aten::heaviside is not implemented"), out)


# ---- in-place forms, aliases, Tensor methods, exports ----------------------------------------
atan2_, xlogy_, lerp_ = inplace_forms(atan2, xlogy, lerp)
hypot_, copysign_, heaviside_, nextafter_ = inplace_forms(hypot, copysign, heaviside, nextafter)
arctan2, arctan2_ = atan2, atan2_

_FUNCTIONS = {f.__name__: f for f in (
    atan2, xlogy, lerp, maximum, minimum, fmax, fmin, hypot, logaddexp, logaddexp2, copysign,
    heaviside, nextafter,
)}
_FUNCTIONS.update(arctan2=arctan2)
bind_methods(_FUNCTIONS, {"xlogy_": xlogy_})
bind_methods(dict(atan2_=atan2_, lerp_=lerp_, arctan2_=arctan2_, hypot_=hypot_,  # methods only,
                  copysign_=copysign_, heaviside_=heaviside_, nextafter_=nextafter_))  # as torch

__all__ = list(_FUNCTIONS) + ["xlogy_"]
