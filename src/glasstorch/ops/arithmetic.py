"""Arithmetic: + - * / // % ** and negation, their reflected and in-place forms.

Each op is a function over tensors and Python numbers, followed by its backward ``Node``. Operands
are promoted as torch does (``_promote.operands``); a gradient flowing to a broadcast operand is
summed back to its shape (``unbroadcast``). The in-place forms (``add_``, ``+=``) keep the tensor's
identity (see ``_inplace``).
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, attach
from . import _inplace
from ._broadcast import broadcast_error, unbroadcast
from ._checks import shape_of as _shape
from ._inplace import write_out as _out
from ._promote import float_operands, operands
from .comparison import where
from .transcendental import log, reciprocal


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


def _no_bool(a, b, op: str) -> None:
    """torch implements floor division, remainder and pow for no bool tensors."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and _is_bool(a) and _is_bool(b):
        raise NotImplementedError(f'"{op}" not implemented for \'Bool\'')


# ---- add / sub ------------------------------------------------------------------------------
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting. ``alpha`` scales ``other`` (default 1)."""
    x, y = operands(input, other)
    if alpha != 1:
        y = y * alpha
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
    if alpha != 1:
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
    'floor' rounds the quotient (and keeps integer dtypes), as ``torch.div``."""
    if rounding_mode is not None:
        if rounding_mode == "floor":
            return floor_divide(input, other, out=out)
        if rounding_mode == "trunc":
            x, y = operands(input, other)
            q = (
                np.trunc(np.true_divide(x, y))
                if np.result_type(x, y).kind == "f"
                else _int_div(x, y, np.trunc)
            )
            return _out(_wrap(np.asarray(q, dtype=np.result_type(x, y))), out)
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    x, y = operands(input, other)
    if (x if isinstance(x, np.ndarray) else y).dtype.kind not in "fc":
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


def _rdiv(self, other):
    """``other / self`` for a number ``other``: as torch, ``reciprocal(self) * other``, two real
    ops (the result's grad_fn is MulBackward0, fed by ReciprocalBackward0)."""
    return mul(reciprocal(self), other)


def _int_div(x, y, rounding):
    if np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    return rounding(np.true_divide(x, y))


def floor_divide(input, other, *, out=None):
    """``input // other``: the quotient rounded down (ints stay ints). Not differentiable."""
    _no_bool(input, other, "div_floor_cpu")
    x, y = operands(input, other)
    if np.result_type(x, y).kind in "iub" and np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    return _out(_apply(np.floor_divide, x, y, input, other), out)


def remainder(input, other, *, out=None):
    """``input % other`` with the sign of ``other`` (Python's rule)."""
    _no_bool(input, other, "remainder_cpu")
    x, y = operands(input, other)
    if np.result_type(x, y).kind in "iub" and np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    res = _apply(np.remainder, x, y, input, other)
    both = isinstance(input, Tensor) and isinstance(other, Tensor)
    return _out(attach(res, RemainderBackward1 if both else RemainderBackward0, input, other), out)


class RemainderBackward0(Node):
    """d(a % b)/da = 1; d(a % b)/db = -floor(a / b)."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        return (
            unbroadcast(grad, a._data.shape) if ga else None,
            unbroadcast(-grad * floor_divide(a, b), b._data.shape) if gb else None,
        )


class RemainderBackward1(RemainderBackward0):
    """``tensor % tensor`` (torch's name; ``RemainderBackward0`` is ``tensor % number``)."""


def fmod(input, other, *, out=None):
    """Remainder with the sign of ``input`` (C's rule)."""
    x, y = operands(input, other)
    return _out(_apply(np.fmod, x, y, input, other), out)


# ---- neg / pow ------------------------------------------------------------------------------
def neg(input, *, out=None):
    """``-input``."""
    if input._data.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    res = _wrap(np.negative(input._data))
    if input._rg and grad_mode.state.enabled:  # hot path: no attach call without grad
        attach(res, NegBackward0, input)
    return _out(res, out)


class NegBackward0(Node):
    """d(-a)/da = -1."""

    def backward(self, grad):
        return -grad


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a tensor or a number, broadcasting."""
    _no_bool(input, exponent, "pow")
    x, y = operands(input, exponent)
    if np.result_type(x, y).kind in "iu" and np.any(np.asarray(y) < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
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


class PowBackward0(Node):
    """``tensor ** number``: d/dx x^p = p x^(p-1)."""

    def __init__(self, a, *, p):
        super().__init__(a)
        self.save(a)
        self.p = p

    def backward(self, grad):
        (a,) = self.saved_tensors
        p = self.p
        if p == 0:
            return grad * 0
        if not grad_mode.state.enabled and type(p) in (int, float):
            # fast path: a plain backward computes the same formula on the arrays, no op
            # dispatch (a Python number keeps float32); create_graph=True takes the ops below
            x = a._data
            return _wrap(grad._data * (2 * x if p == 2 else p * x ** (p - 1)))
        return grad * (p * a ** (p - 1)) if p != 2 else grad * (2 * a)


class PowBackward1(Node):
    """``tensor ** tensor``: base gets p x^(p-1), exponent gets x^p log x (0 where x = 0)."""

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
            grad_a = unbroadcast(grad * b * a ** (b - 1), a._data.shape)
        if gb:
            grad_b = unbroadcast(grad * _xlogy_base(out, a), b._data.shape)
        return grad_a, grad_b


class PowBackward2(Node):
    """``number ** tensor``: d/dy c^y = c^y log c."""

    keeps_output = True

    def __init__(self, b, *, c):
        super().__init__(b)
        self.c = c

    def backward(self, grad):
        return grad * self.saved_output * float(np.log(self.c))


def _xlogy_base(out, a):
    """``out * log(a)``, with 0 where ``a`` is 0 (torch's convention for the exponent gradient)."""
    safe = where(a == 0, 1.0, a)
    return where(a == 0, 0.0, out * log(safe))


# ---- in place -------------------------------------------------------------------------------
def _inplace_binary(fn, ufunc, name):
    def method(self, other, **kwargs):
        if _inplace.recording(self, other):
            _inplace.commit(self, fn(_inplace.old_value(self), other, **kwargs), name)
            return self
        if kwargs or not isinstance(other, (Tensor, float, int, bool)):
            _inplace.write(self, fn(self, other, **kwargs)._data, name)
            return self
        y = other._data if isinstance(other, Tensor) else other
        return _inplace.apply_ufunc(self, ufunc, y, name, other)

    method.__name__ = name
    method.__doc__ = (
        f"In-place ``{fn.__name__}``: writes the result into this tensor (same object)."
    )
    return method


add_ = _inplace_binary(add, np.add, "add_")
sub_ = _inplace_binary(sub, np.subtract, "sub_")
mul_ = _inplace_binary(mul, np.multiply, "mul_")
div_ = _inplace_binary(div, np.true_divide, "div_")
pow_ = _inplace_binary(pow, np.power, "pow_")
floor_divide_ = _inplace_binary(floor_divide, np.floor_divide, "floor_divide_")
remainder_ = _inplace_binary(remainder, np.remainder, "remainder_")


def neg_(self):
    """In-place negation."""
    if _inplace.recording(self):
        return _inplace.commit(self, neg(_inplace.old_value(self)), "neg_")
    np.negative(self._data, out=self._data)
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
Tensor.floor_divide_, Tensor.remainder_ = floor_divide_, remainder_
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
]
