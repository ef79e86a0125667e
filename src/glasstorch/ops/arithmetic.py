"""Arithmetic: + - * / // % ** and negation, their reflected and in-place forms.

Each op is a function over tensors and Python numbers, followed by its backward ``Node``. Operands
are promoted as torch does (``_promote.operands``); a gradient flowing to a broadcast operand is
summed back to its shape (``unbroadcast``). The in-place forms (``add_``, ``+=``) keep the tensor's
identity (see ``_inplace``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, NotImplemented, attach
from . import _inplace
from ._broadcast import broadcast_error, unbroadcast
from ._checks import check_overlap, negate_into, scalar_for
from ._checks import shape_of as _shape
from ._inplace import write_out as _out
from ._promote import float_operands, one_device, operands, same_device
from .comparison import isinf, where
from .logical import logical_and
from .transcendental import log, reciprocal

_NO_GRAD = "derivative for aten::{} is not implemented"  # torch's words for an op without one

def _records(a, b) -> bool:
    """Whether an op on ``a`` and ``b`` joins the graph: ``attach``'s test, written out for the
    hottest ops, which skip the call when nothing requires grad."""
    return (getattr(a, "_rg", False) or getattr(b, "_rg", False)) and grad_mode.state.enabled


def _apply(ufunc, x, y, a, b):
    """``ufunc(x, y)`` as a tensor; shapes that do not broadcast get torch's message."""
    try:
        return _wrap(ufunc(x, y))
    except ValueError:
        raise broadcast_error(_shape(a), _shape(b)) from None


def _is_bool(v) -> bool:
    return v._data.dtype == np.bool_ if isinstance(v, Tensor) else type(v) is bool


def _dtype_of(x, y) -> np.dtype:
    """The dtype of promoted operands ``x``, ``y``: of whichever is an array (NumPy or CuPy) or a
    NumPy scalar; a lone Python number's otherwise."""
    dt = getattr(x, "dtype", None)
    if dt is None:
        dt = getattr(y, "dtype", None)
    return np.asarray(x).dtype if dt is None else dt


def _no_bool(x, y, a, b, op: str) -> None:
    """torch implements floor division, remainder, fmod and pow for no bool result: ``x``, ``y``
    are the promoted operands of ``a``, ``b`` (shapes that do not broadcast are reported first,
    as torch does)."""
    if _dtype_of(x, y) == np.bool_:
        try:
            np.broadcast_shapes(np.shape(x), np.shape(y))
        except ValueError:
            raise broadcast_error(_shape(a), _shape(b)) from None
        raise NotImplementedError(f'"{op}" not implemented for \'Bool\'')


def _check_alpha(alpha, x, y):
    """torch's rules for ``alpha`` of add/sub: cast to the result dtype (with its overflow check;
    a bool result makes any nonzero alpha True), no float alpha for an integral result, no
    complex alpha for a real one, and a bool alpha only for a bool result."""
    dt = _dtype_of(x, y)
    if isinstance(alpha, Tensor):
        alpha = alpha.item()
    if dt.kind in "iub" and isinstance(alpha, float):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if dt == np.bool_:
        return bool(alpha)
    if type(alpha) is bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.kind != "c" and isinstance(alpha, complex):
        raise RuntimeError(
            "For non-complex input tensors, argument alpha must not be a complex number."
        )
    return scalar_for(alpha, dt).item() if dt.kind in "iuf" else alpha


# ---- add / sub ------------------------------------------------------------------------------
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting. ``alpha`` scales ``other`` (default 1)."""
    x, y = operands(input, other)
    if alpha != 1 or alpha is True:
        alpha = _check_alpha(alpha, x, y)
        y = np.logical_and(y, alpha) if type(alpha) is bool else y * alpha
    res = _apply(np.add, x, y, input, other)
    if _records(input, other):  # hot path: attach inlined (a + b with grad: 2.0 µs → 1.7 µs)
        res._rg = True
        res._grad_fn = AddBackward0(input, other, alpha=alpha)  # hot path
    return _out(res, out)


class AddBackward0(Node):
    """d(a + alpha b)/da = 1, d/db = alpha; each summed back to its operand's shape."""

    def __init__(self, a, b, *, alpha=1):
        super().__init__(a, b)
        self.shapes = (_shape(a), _shape(b))
        self.alpha = alpha

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        sa, sb = self.shapes
        return (
            unbroadcast(grad, sa) if ga else None,
            unbroadcast(grad if self.alpha == 1 else grad * self.alpha, sb) if gb else None,
        )


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``, broadcasting."""
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    x, y = operands(input, other)
    if alpha != 1 or alpha is True:
        alpha = _check_alpha(alpha, x, y)
        y = y * alpha
    res = _apply(np.subtract, x, y, input, other)
    if _records(input, other):  # hot path: attach inlined (a - b with grad: 2.4 µs → 2.1 µs)
        res._rg = True
        node_type = SubBackward0 if isinstance(input, Tensor) else RsubBackward1
        res._grad_fn = node_type(input, other, alpha=alpha)  # hot path
    return _out(res, out)


class SubBackward0(Node):
    """d(a - alpha b)/da = 1, d/db = -alpha; each summed back to its operand's shape."""

    def __init__(self, a, b, *, alpha=1):
        super().__init__(a, b)
        self.shapes = (_shape(a), _shape(b))
        self.alpha = alpha

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        sa, sb = self.shapes
        return (
            unbroadcast(grad, sa) if ga else None,
            unbroadcast(-grad if self.alpha == 1 else grad * -self.alpha, sb) if gb else None,
        )


class RsubBackward1(SubBackward0):
    """``number - tensor``: torch names this node after its reversed subtraction."""


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, mul(input, alpha) if alpha != 1 else input)


# ---- mul / div ------------------------------------------------------------------------------
def mul(input, other, *, out=None):
    """Elementwise product, broadcasting."""
    x, y = operands(input, other)
    res = _apply(np.multiply, x, y, input, other)
    if _records(input, other):  # hot path: attach inlined (a * 2.0 with grad: 2.8 µs → 2.6 µs)
        res._rg = True
        res._grad_fn = MulBackward0(input, other)  # hot path
    return _out(res, out)


class MulBackward0(Node):
    """d(ab)/da = b, d(ab)/db = a: each operand is kept only if the other one's gradient is
    needed (as torch does, so modifying ``a`` in place after ``a * c`` with a constant ``c`` is
    no error)."""

    def __init__(self, a, b):
        super().__init__(a, b)
        (fa, _), (fb, _) = self.next_functions
        self.shapes = (_shape(a), _shape(b))
        # saved other-first: torch checks ``other`` first when both changed in place
        self.save(b if fa is not None else None, a if fb is not None else None)

    def backward(self, grad):
        b, a = self.saved_tensors
        ga, gb = self.needs_input_grad
        sa, sb = self.shapes
        return (
            unbroadcast(grad * b, sa) if ga else None,
            unbroadcast(grad * a, sb) if gb else None,
        )


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; integers divide to the default float. ``rounding_mode`` 'trunc' or
    'floor' rounds the quotient (and keeps integer dtypes), as ``torch.div``: a rounded quotient
    is flat, so its gradient is 0 (``DivBackward2``)."""
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        x, y = operands(input, other)
        _no_bool(x, y, input, other, f"div_{rounding_mode}_cpu")
        ufunc = np.floor_divide if rounding_mode == "floor" else _trunc_divide
        res = _integer_division(ufunc, x, y, input, other)
        if res._data.dtype.kind in "fc" and _records(input, other):
            attach(res, DivBackward2, input, other)
        return _out(res, out)
    x, y = operands(input, other)
    if _dtype_of(x, y).kind not in "fc":
        x, y = float_operands(input, other)
    res = _apply(np.true_divide, x, y, input, other)
    if _records(input, other):  # hot path: attach inlined (a / 2.0 with grad: 2.9 µs → 2.7 µs)
        res._rg = True
        res._grad_fn = DivBackward0(input, other)  # hot path
    return _out(res, out)


class DivBackward0(Node):
    """d(a/b)/da = 1/b, d(a/b)/db = -a/b²: ``a`` is kept only when b's gradient is needed."""

    def __init__(self, a, b):
        super().__init__(a, b)
        (_, _), (fb, _) = self.next_functions
        self.shapes = (_shape(a), _shape(b))
        self.save(b, a if fb is not None else None)  # other first, as torch checks them

    def backward(self, grad):
        b, a = self.saved_tensors
        ga, gb = self.needs_input_grad
        if not gb and not grad_mode.state.enabled and type(b) in (int, float):
            # fast path: ``tensor / number`` in a plain backward is one NumPy division, no op
            # dispatch (create_graph=True takes the formula below)
            return (_wrap(grad._data / b), None)
        sa, sb = self.shapes
        return (
            unbroadcast(grad / b, sa) if ga else None,
            unbroadcast(-grad * a / (b * b), sb) if gb else None,
        )


class DivBackward2(Node):
    """``div(a, b, rounding_mode=...)``: the rounded quotient is piecewise constant, so both
    operands get a zero gradient (of their own shapes)."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.shapes = (_shape(a), _shape(b))

    def backward(self, grad):
        zeros = grad * 0
        return tuple(unbroadcast(zeros, shape) if needed else None
                     for needed, shape in zip(self.needs_input_grad, self.shapes))


def _rdiv(self, other):
    """``other / self`` for a number ``other``: as torch, ``reciprocal(self) * other``, two real
    ops (the result's grad_fn is MulBackward0, fed by ReciprocalBackward0)."""
    return mul(reciprocal(self), other)


def _trunc_divide(x, y):
    """The quotient rounded toward zero, in the operands' dtype (C's integer division)."""
    if np.result_type(x, y).kind in "fc":
        return np.trunc(np.true_divide(x, y))
    q = np.floor_divide(x, y)
    return q + ((np.remainder(x, y) != 0) & ((x < 0) != (y < 0))).astype(q.dtype)


def _integer_division(ufunc, x, y, a, b):
    """``ufunc(x, y)`` for the division family (``//``, ``%``, fmod, rounded div). An integer
    divisor holding 0 that is used is torch's RuntimeError("ZeroDivisionError") (NumPy would
    give 0 with a warning); a float one gives inf or NaN, as in torch."""
    if np.result_type(x, y).kind not in "iu":
        with np.errstate(divide="ignore", invalid="ignore"):
            return _apply(ufunc, x, y, a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _apply(ufunc, x, y, a, b)
    if res._data.size and np.any(y == 0):
        raise RuntimeError("ZeroDivisionError")
    return res


def floor_divide(input, other, *, out=None):
    """``input // other``: the quotient rounded down (ints stay ints). Not differentiable: on
    float tensors that require grad the result requires grad too, but backward raises (torch's
    ``NotImplemented`` node)."""
    x, y = operands(input, other)
    _no_bool(x, y, input, other, "div_floor_cpu")
    res = _integer_division(np.floor_divide, x, y, input, other)
    if _records(input, other) and res._data.dtype.kind in "fc":
        attach(res, NotImplemented, input, other, message=_NO_GRAD.format("floor_divide"))
    return _out(res, out)


def _remainder(x, y):
    """``x % y`` as torch computes it: ``fmod``, plus ``y`` where the result is not 0 and its
    sign differs from ``y``'s. A zero result keeps the sign of ``x`` (``-0. % 2`` and ``-4. % 2``
    are -0.; NumPy's ``remainder`` gives zeros the sign of ``y``). Integers: NumPy's own."""
    if np.result_type(x, y).kind not in "f":
        return np.remainder(x, y)
    r = np.fmod(x, y)
    return np.where((r != 0) & ((r < 0) != (y < 0)), r + y, r)


def remainder(input, other, *, out=None):
    """``input % other`` with the sign of ``other`` (Python's rule). ``number % tensor`` has no
    derivative in torch (backward raises)."""
    x, y = operands(input, other)
    _no_bool(x, y, input, other, "remainder_cpu")
    res = _integer_division(_remainder, x, y, input, other)
    if _records(input, other) and res._data.dtype.kind in "fc":
        if not isinstance(input, Tensor):
            attach(res, NotImplemented, input, other, message=_NO_GRAD.format("remainder"))
        elif isinstance(other, Tensor):
            attach(res, RemainderBackward1, input, other)
        else:
            attach(res, RemainderBackward0, input)
    return _out(res, out)


class RemainderBackward0(Node):
    """``tensor % number``: d(a % c)/da = 1 (the steps of ``%`` are where it jumps)."""

    def backward(self, grad):
        return grad


class RemainderBackward1(Node):
    """``tensor % tensor``: d/da = 1, d/db = -floor(a / b). The operands are kept only when b's
    gradient is needed (as torch: a constant divisor may change in place after ``x % d``)."""

    rounding = "floor"

    def __init__(self, a, b):
        super().__init__(a, b)
        self.shapes = (_shape(a), _shape(b))
        if self.next_functions[1][0] is not None:
            self.save(b, a)  # other first, as torch checks them

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        sa, sb = self.shapes
        grad_b = None
        if gb:
            b, a = self.saved_tensors
            grad_b = unbroadcast(-grad * div(a, b, rounding_mode=self.rounding), sb)
        return (unbroadcast(grad, sa) if ga else None), grad_b


def fmod(input, other, *, out=None):
    """Remainder with the sign of ``input`` (C's rule): ``fmod(-7, 3)`` is -1 where ``-7 % 3``
    is 2. Differentiable in both: d/da = 1, d/db = -trunc(a / b)."""
    x, y = operands(input, other)
    _no_bool(x, y, input, other, "fmod_cpu")
    res = _integer_division(np.fmod, x, y, input, other)
    if _records(input, other) and res._data.dtype.kind in "fc":
        if isinstance(other, Tensor):
            attach(res, FmodBackward1, input, other)
        else:
            attach(res, FmodBackward0, input)
    return _out(res, out)


class FmodBackward0(RemainderBackward0):
    """``fmod(tensor, number)``: d/da = 1."""


class FmodBackward1(RemainderBackward1):
    """``fmod(tensor, tensor)``: d/da = 1, d/db = -trunc(a / b)."""

    rounding = "trunc"


# ---- neg / pow ------------------------------------------------------------------------------
def neg(input, *, out=None):
    """``-input``."""
    if input._data.dtype == np.bool_:
        raise RuntimeError(_NEG_BOOL)
    res = _wrap(np.negative(input._data))
    if input._rg and grad_mode.state.enabled:  # hot path: no attach call without grad
        attach(res, NegBackward0, input)
    return _out(res, out)


class NegBackward0(Node):
    """d(-a)/da = -1."""

    def backward(self, grad):
        return -grad


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a tensor or a number, broadcasting. Integers to a
    negative power: refused for a number exponent (torch's rule), elementwise for a tensor one
    (``1`` stays 1, ``-1`` gives ±1, anything else gives 0: ``[-2, 3] ** [-2, 3]`` is
    ``[0, 27]``)."""
    if isinstance(input, Tensor) and isinstance(exponent, Tensor) and _is_bool(input) and (
        _is_bool(exponent)
    ):
        try:  # torch reports shapes that do not broadcast before the dtype
            np.broadcast_shapes(_shape(input), _shape(exponent))
        except ValueError:
            raise broadcast_error(_shape(input), _shape(exponent)) from None
        raise NotImplementedError('"pow" not implemented for \'Bool\'')
    x, y = operands(input, exponent)
    if np.result_type(x, y).kind in "iu" and np.any(y < 0):
        if not isinstance(exponent, Tensor):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        res = _wrap(_int_power(x, y, input, exponent))
    else:
        res = _apply(np.power, x, y, input, exponent)
    if _is_bool(input) and _is_bool(exponent):
        res._data = res._data.astype(np.bool_)  # NumPy gives int8 for bool ** bool
    if _records(input, exponent):  # hot path: no attach call without grad
        if not isinstance(exponent, Tensor):  # x ** 2 in every squared loss: attach inlined
            res._grad_fn = PowBackward0(input, p=exponent)  # hot path (a ** 2 with grad -0.3 µs)
            res._rg = True
        elif not isinstance(input, Tensor):
            attach(res, PowBackward2, exponent, c=input)
        else:
            attach(res, PowBackward1, input, exponent)
    return _out(res, out)


def _int_power(x, y, a, b):
    """Integer ``x ** y`` where some exponents are negative: ``1 / x**|y|`` truncated toward 0,
    which is 1 for x = 1, ±1 for x = -1 (by the parity of y) and 0 otherwise (0 included)."""
    try:
        xb, yb = np.broadcast_arrays(x, y)
    except ValueError:
        raise broadcast_error(_shape(a), _shape(b)) from None
    negative = yb < 0
    res = np.power(xb, np.where(negative, 0, yb))
    odd = (yb % 2) == 1
    inverse = np.where(xb == 1, 1, np.where(xb == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, inverse, res).astype(res.dtype)


class PowBackward0(Node):
    """``tensor ** number``: d/dx x^p = p x^(p-1), and exactly 0 for p = 0 (even at x = 0,
    where the formula would give 0 * inf = NaN)."""

    def __init__(self, a, *, p):
        super().__init__(a)
        self.save(a)
        self.p = p

    def backward(self, grad):
        (a,) = self.saved_tensors
        p = self.p
        if p == 0:
            return _wrap(np.zeros_like(grad._data))
        if not grad_mode.state.enabled and type(p) in (int, float):
            # fast path: a plain backward computes the same formula on the arrays, no op
            # dispatch (a Python number keeps float32); create_graph=True takes the ops below
            x = a._data
            return _wrap(grad._data * (2 * x if p == 2 else p * x ** (p - 1)))
        return grad * (p * a ** (p - 1)) if p != 2 else grad * (2 * a)


class PowBackward1(Node):
    """``tensor ** tensor``: the base gets p x^(p-1) (0 where p = 0), the exponent gets
    x^p log x (0 where x = 0 and p >= 0)."""

    keeps_output = True

    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(b, a)  # other first, as torch checks them

    def backward(self, grad):
        b, a = self.saved_tensors
        ga, gb = self.needs_input_grad
        out = self.saved_output
        grad_a = grad_b = None
        if ga:
            grad_a = unbroadcast(where(b == 0, 0.0, grad * b * a ** (b - 1)), a._data.shape)
        if gb:
            grad_b = unbroadcast(grad * _xlogy_base(out, a, b), b._data.shape)
        return grad_a, grad_b


class PowBackward2(Node):
    """``number ** tensor``: d/dy c^y = c^y log c (for c = 0: 0 where y >= 0, -inf or +inf,
    the limits, where y < 0)."""

    keeps_output = True

    def __init__(self, b, *, c):
        super().__init__(b)
        self.c = c

    def backward(self, grad):
        out = self.saved_output
        if self.c == 0:  # out is 0 (y > 0), 1 (y = 0) or ±inf (y < 0)
            return grad * where(isinf(out), out * -math.inf, out * 0.0)
        with np.errstate(invalid="ignore"):
            log_c = float(np.log(self.c))  # NaN for a negative base, as in torch
        return grad * out * log_c


def _xlogy_base(out, a, b):
    """``out * log(a)``, with 0 where ``a`` is 0 and ``b >= 0`` (torch's convention for the
    exponent gradient: a negative power of 0 keeps its infinite limit)."""
    zero = logical_and(a == 0, b >= 0)
    safe = where(zero, 1.0, a)
    return where(zero, 0.0, out * log(safe))


# ---- addcmul / addcdiv ------------------------------------------------------------------------
_ADDCDIV_INT = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
    "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
    "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
    "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
    "dtypes."
)


def _addc(name, input, tensor1, tensor2, value, combine):
    """``input + value * combine(tensor1, tensor2)`` for three tensors broadcast together, in
    their promoted dtype (``value`` cast to it: an integer result truncates it)."""
    for position, (arg, t) in enumerate((("input", input), ("tensor1", tensor1),
                                          ("tensor2", tensor2)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, "
                            f"not {type(t).__name__}")
    dt = _dtype.result_type(input, tensor1, tensor2).np
    if dt == np.bool_:
        raise NotImplementedError(f'"{name}_cpu_out" not implemented for \'Bool\'')
    x, a, b = (t._data.astype(dt, copy=False) for t in (input, tensor1, tensor2))
    if not (type(x) is type(a) is type(b)):  # a CPU and a GPU array (0-d CPU ones may join)
        x, a, b = one_device(x, a, b)
    try:
        shape = np.broadcast_shapes(x.shape, a.shape, b.shape)
    except ValueError:
        first, second = next(((x.shape, s) for s in (a.shape, b.shape)
                              if not _broadcasts(x.shape, s)), (a.shape, b.shape))
        raise broadcast_error(first, second) from None
    v = dt.type(value if dt.kind in "fc" else int(value))
    with np.errstate(divide="ignore", invalid="ignore"):
        res = (x + v * combine(a, b)).astype(dt, copy=False)
    return _wrap(np.broadcast_to(res, shape).copy() if res.shape != shape else res)


def _broadcasts(s1, s2) -> bool:
    try:
        np.broadcast_shapes(s1, s2)
        return True
    except ValueError:
        return False


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``, broadcasting the three (the fused step of
    optimizers such as Adam's ``v.addcmul_(g, g, value=1 - beta2)``)."""
    res = _addc("addcmul", input, tensor1, tensor2, value, np.multiply)
    return _out(attach(res, AddcmulBackward0, input, tensor1, tensor2, value=value), out)


class AddcmulBackward0(Node):
    """d/dinput = 1, d/dtensor1 = value * tensor2, d/dtensor2 = value * tensor1 (each summed
    back to its own shape)."""

    def __init__(self, x, a, b, *, value):
        super().__init__(x, a, b)
        _, (fa, _), (fb, _) = self.next_functions
        self.shapes = (_shape(x), _shape(a), _shape(b))
        self.value = value
        self.save(b if fa is not None else None, a if fb is not None else None)

    def backward(self, grad):
        b, a = self.saved_tensors
        gx, ga, gb = self.needs_input_grad
        sx, sa, sb = self.shapes
        return (unbroadcast(grad, sx) if gx else None,
                unbroadcast(grad * b * self.value, sa) if ga else None,
                unbroadcast(grad * a * self.value, sb) if gb else None)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``, broadcasting the three (Adam's step is
    ``p.addcdiv_(m, v.sqrt() + eps, value=-lr)``). Integer tensor1 and tensor2 are refused."""
    if isinstance(tensor1, Tensor) and isinstance(tensor2, Tensor) and (
        tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub"
    ):
        raise RuntimeError(_ADDCDIV_INT)
    res = _addc("addcdiv", input, tensor1, tensor2, value, np.true_divide)
    return _out(attach(res, AddcdivBackward0, input, tensor1, tensor2, value=value), out)


class AddcdivBackward0(Node):
    """d/dinput = 1, d/dtensor1 = value / tensor2, d/dtensor2 = -value * tensor1 / tensor2²."""

    def __init__(self, x, a, b, *, value):
        super().__init__(x, a, b)
        _, _, (fb, _) = self.next_functions
        self.shapes = (_shape(x), _shape(a), _shape(b))
        self.value = value
        self.save(b, a if fb is not None else None)

    def backward(self, grad):
        b, a = self.saved_tensors
        gx, ga, gb = self.needs_input_grad
        sx, sa, sb = self.shapes
        return (unbroadcast(grad, sx) if gx else None,
                unbroadcast(grad * self.value / b, sa) if ga else None,
                unbroadcast(-grad * self.value * a / (b * b), sb) if gb else None)


# ---- in place -------------------------------------------------------------------------------
_NEG_BOOL = (
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
    "mask, use the `~` or `logical_not()` operator instead."
)


def _same_shape(self, res: Tensor) -> Tensor:
    """An in-place result must keep ``self``'s shape: ``(3, 3).add_((1, 3, 3))`` is refused."""
    if res._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(res._data.shape)}"
        )
    return res


def _inplace_binary(fn, ufunc, name):
    """``x.add_(y)`` from ``add``: recorded, it runs ``fn`` on x's old value and commits; with no
    graph, ``ufunc`` writes into x's array (``ufunc`` None: ``fn``'s result is copied in, for ops
    whose checks NumPy's ufunc would skip: ``pow_``, ``//=``, ``%=``, ``fmod_``)."""

    def method(self, other, **kwargs):
        record = _inplace.recording(self, other)  # (raises torch's errors for leaves first)
        if isinstance(other, Tensor):  # then torch checks memory overlap, before shapes
            check_overlap(self._data, other._data)
        if record:
            res = _same_shape(self, fn(_inplace.old_value(self), other, **kwargs))
            _inplace.commit(self, res, name)
            return self
        if ufunc is None or kwargs or not isinstance(other, (Tensor, float, int, bool)):
            _inplace.write(self, _same_shape(self, fn(self, other, **kwargs))._data, name)
            return self
        y = other._data if isinstance(other, Tensor) else other
        if isinstance(other, Tensor) and type(y) is not type(self._data):
            y = same_device(self._data, y)[1]  # (a 0-d CPU tensor may join a GPU one)
        try:
            return _inplace.apply_ufunc(self, ufunc, y, name, other)
        except ValueError:  # shapes that do not broadcast at all
            raise broadcast_error(_shape(self), _shape(other)) from None

    method.__name__ = name
    method.__doc__ = (
        f"In-place ``{fn.__name__}``: writes the result into this tensor (same object)."
    )
    return method


add_ = _inplace_binary(add, np.add, "add_")
mul_ = _inplace_binary(mul, np.multiply, "mul_")
div_ = _inplace_binary(div, np.true_divide, "div_")
pow_ = _inplace_binary(pow, None, "pow_")
floor_divide_ = _inplace_binary(floor_divide, None, "floor_divide_")
remainder_ = _inplace_binary(remainder, None, "remainder_")
fmod_ = _inplace_binary(fmod, None, "fmod_")
_sub_unchecked = _inplace_binary(sub, np.subtract, "sub_")


def sub_(self, other, **kwargs):
    """In-place ``sub``: writes the result into this tensor (same object)."""
    if _is_bool(self) or _is_bool(other):
        sub(self, other)  # raises torch's message for a bool operand
    return _sub_unchecked(self, other, **kwargs)


def neg_(self):
    """In-place negation."""
    if self._data.dtype == np.bool_:
        raise RuntimeError(_NEG_BOOL)
    if _inplace.recording(self):
        return _inplace.commit(self, neg(_inplace.old_value(self)), "neg_")
    negate_into(self._data)
    self._vc[0] += 1
    return self


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    method.__name__ = "__r" + fn.__name__ + "__"
    return method


subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg

Tensor.add, Tensor.sub, Tensor.mul, Tensor.div, Tensor.neg, Tensor.pow = (
    add,
    sub,
    mul,
    div,
    neg,
    pow,
)
Tensor.subtract, Tensor.multiply, Tensor.divide, Tensor.true_divide = sub, mul, div, div
Tensor.negative, Tensor.floor_divide, Tensor.remainder, Tensor.fmod = (
    neg,
    floor_divide,
    remainder,
    fmod,
)
Tensor.add_, Tensor.sub_, Tensor.mul_, Tensor.div_, Tensor.pow_, Tensor.neg_ = (
    add_,
    sub_,
    mul_,
    div_,
    pow_,
    neg_,
)
Tensor.subtract_, Tensor.multiply_, Tensor.divide_, Tensor.true_divide_ = sub_, mul_, div_, div_
Tensor.floor_divide_, Tensor.remainder_, Tensor.fmod_ = floor_divide_, remainder_, fmod_
Tensor.negative_ = neg_
Tensor.addcmul, Tensor.addcdiv = addcmul, addcdiv
Tensor.addcmul_ = _inplace.inplace_of(addcmul, "addcmul_")
Tensor.addcdiv_ = _inplace.inplace_of(addcdiv, "addcdiv_")
Tensor.__add__ = Tensor.__radd__ = add
Tensor.__sub__, Tensor.__rsub__ = sub, _reflected(sub)
Tensor.__mul__ = Tensor.__rmul__ = mul
Tensor.__truediv__, Tensor.__rtruediv__ = div, _rdiv
Tensor.__floordiv__, Tensor.__rfloordiv__ = floor_divide, _reflected(floor_divide)
Tensor.__mod__, Tensor.__rmod__ = remainder, _reflected(remainder)
Tensor.__pow__, Tensor.__rpow__ = pow, _reflected(pow)
Tensor.__neg__ = neg
Tensor.__iadd__, Tensor.__isub__, Tensor.__imul__ = add_, sub_, mul_
Tensor.__itruediv__, Tensor.__ipow__ = div_, pow_
Tensor.__ifloordiv__, Tensor.__imod__ = floor_divide_, remainder_

__all__ = [
    "add",
    "sub",
    "subtract",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "floor_divide",
    "remainder",
    "fmod",
    "neg",
    "negative",
    "pow",
    "rsub",
    "addcmul",
    "addcdiv",
]
